import { describe, expect, it } from "vitest";
import {
  MANAGED_POLICY_LIMIT,
  policyDocument,
  policySize,
  splitIntoDocuments,
  statementsFor,
} from "../../src/domain/iam-policy.js";

describe("statementsFor", () => {
  it("lists the actions of grants on the same resources under the same condition together, sorted", () => {
    const statements = statementsFor([
      { actions: ["ecs:UpdateService"], resources: ["arn:aws:ecs:eu-west-1:1:service/mc/mc"] },
      { actions: ["ecs:DescribeServices"], resources: ["arn:aws:ecs:eu-west-1:1:service/mc/mc"] },
      { actions: ["ecs:UpdateService"], resources: ["arn:aws:ecs:eu-west-1:1:service/mc/mc"] },
      { actions: ["ecs:DescribeTaskDefinition"], resources: ["*"] },
    ]);
    expect(statements).toEqual([
      {
        Sid: "EcsService",
        Effect: "Allow",
        Action: ["ecs:DescribeServices", "ecs:UpdateService"],
        Resource: ["arn:aws:ecs:eu-west-1:1:service/mc/mc"],
      },
      { Sid: "AnyResource", Effect: "Allow", Action: ["ecs:DescribeTaskDefinition"], Resource: ["*"] },
    ]);
  });

  it("keeps grants under different conditions apart, and names each statement once", () => {
    const role = "arn:aws:iam::1:role/r";
    const statements = statementsFor([
      { actions: ["iam:GetRole"], resources: [role] },
      {
        actions: ["iam:PassRole"],
        resources: [role],
        condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ]);
    expect(statements.map((statement) => [statement.Sid, statement.Action, statement.Condition])).toEqual([
      ["IamRole", ["iam:GetRole"], undefined],
      ["IamRole2", ["iam:PassRole"], { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }],
    ]);
  });

  it("drops grants without resources (a customer key that is not configured)", () => {
    expect(statementsFor([{ actions: ["kms:Decrypt"], resources: [] }])).toEqual([]);
  });

  it("names S3 statements by bucket or objects, whatever the bucket is called", () => {
    const statements = statementsFor([
      { actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::model-catalogue-assets-1"] },
      { actions: ["s3:DeleteObject"], resources: ["arn:aws:s3:::model-catalogue-assets-1/*"] },
    ]);
    expect(statements.map((statement) => [statement.Action[0], statement.Sid])).toEqual([
      ["s3:DeleteObject", "S3Objects"],
      ["s3:ListBucket", "S3Bucket"],
    ]);
  });
});

describe("splitIntoDocuments", () => {
  const many = (count: number) =>
    statementsFor(
      Array.from({ length: count }, (_, index) => ({
        actions: [`ecs:Action${index}`],
        resources: [`arn:aws:ecs:eu-west-1:123456789012:service/cluster-${index}/service-${index}`],
      })),
    );

  it("keeps a small policy in one document", () => {
    const statements = many(3);
    expect(splitIntoDocuments(statements)).toEqual([policyDocument(statements)]);
  });

  it("splits a large policy into documents that each fit IAM's limit, losing no statement", () => {
    const statements = many(120);
    expect(policySize(policyDocument(statements))).toBeGreaterThan(MANAGED_POLICY_LIMIT);
    const documents = splitIntoDocuments(statements);
    expect(documents.length).toBeGreaterThan(1);
    for (const document of documents) expect(policySize(document)).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    expect(
      documents
        .flatMap((document) => document.Statement)
        .map((statement) => statement.Sid)
        .sort(),
    ).toEqual(statements.map((statement) => statement.Sid).sort());
  });

  it("splits one statement too large for a document by its actions", () => {
    const [statement] = statementsFor([
      { actions: Array.from({ length: 400 }, (_, index) => `ec2:Describe${index}Things`), resources: ["*"] },
    ]);
    const documents = splitIntoDocuments(statement ? [statement] : [], 6144);
    expect(documents.length).toBeGreaterThan(1);
    const actions = documents.flatMap((document) => document.Statement.flatMap((s) => s.Action));
    expect(actions.sort()).toEqual([...(statement?.Action ?? [])].sort());
    for (const document of documents) expect(policySize(document)).toBeLessThanOrEqual(6144);
  });

  it("counts the size as IAM does, without white space", () => {
    const document = policyDocument(many(1));
    expect(policySize(document)).toBe(JSON.stringify(document).length);
    expect(policySize(document)).toBeLessThan(JSON.stringify(document, null, 2).length);
  });
});

describe("statementsFor, at its edges", () => {
  it("merges grants whose resources and condition are the same in another order, and drops grants without actions", () => {
    const statements = statementsFor([
      {
        actions: ["a:One"],
        resources: ["arn:aws:x:r:1:b", "arn:aws:x:r:1:a"],
        condition: { S: { k1: "1", k2: "2" } },
      },
      {
        actions: ["a:Two"],
        resources: ["arn:aws:x:r:1:a", "arn:aws:x:r:1:b"],
        condition: { S: { k2: "2", k1: "1" } },
      },
      { actions: [], resources: ["arn:aws:x:r:1:c"] },
    ]);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toEqual(["a:One", "a:Two"]);
    expect(statements[0]?.Resource).toEqual(["arn:aws:x:r:1:a", "arn:aws:x:r:1:b"]);
  });

  it("writes no Condition key for a grant without one", () => {
    const [statement] = statementsFor([{ actions: ["ecs:DescribeTaskDefinition"], resources: ["*"] }]);
    expect(statement).toStrictEqual({
      Sid: "AnyResource",
      Effect: "Allow",
      Action: ["ecs:DescribeTaskDefinition"],
      Resource: ["*"],
    });
  });

  it("names statements by service and resource type: letters only, as IAM wants", () => {
    const sids = statementsFor([
      { actions: ["ecs:DescribeClusters"], resources: ["arn:aws:ecs:eu-west-1:1:cluster/mc"] },
      { actions: ["logs:FilterLogEvents"], resources: ["arn:aws:logs:eu-west-1:1:log-group:/ecs/mc:*"] },
      {
        actions: ["ecs:ListTasks"],
        resources: ["*"],
        condition: { ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:1:cluster/mc" } },
      },
      { actions: ["iam:PassRole"], resources: ["arn:aws:iam::1:role/r"] },
    ]).map((statement) => statement.Sid);
    expect(sids.sort()).toEqual(["AnyResourceWithCondition", "EcsCluster", "IamRole", "LogsLogGroup"]);
    for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
  });
});

describe("splitIntoDocuments, at the limit", () => {
  const statements = statementsFor(
    Array.from({ length: 4 }, (_, index) => ({
      actions: [`ecs:Action${index}`],
      resources: [`arn:aws:ecs:eu-west-1:123456789012:service/c/s${index}`],
    })),
  );

  it("keeps a document that is exactly at the limit whole", () => {
    const exact = policySize(policyDocument(statements));
    expect(splitIntoDocuments(statements, exact)).toHaveLength(1);
    expect(splitIntoDocuments(statements, exact - 1).length).toBeGreaterThan(1);
  });

  it("keeps each document's statements in the order they were given", () => {
    const documents = splitIntoDocuments(statements, policySize(policyDocument(statements.slice(0, 2))));
    for (const document of documents) {
      const order = document.Statement.map((statement) => statements.indexOf(statement));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it("gives the halves of a split statement names of their own, and leaves a single action as it is", () => {
    const [wide] = statementsFor([
      { actions: ["a:One", "a:Two", "a:Three", "a:Four"], resources: ["arn:aws:ecs:eu-west-1:1:cluster/mc"] },
    ]);
    const documents = splitIntoDocuments(wide ? [wide] : [], 150);
    const sids = documents.flatMap((document) => document.Statement.map((statement) => statement.Sid));
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids.every((sid) => /^EcsCluster[AB]+$/.test(sid))).toBe(true);
    const [single] = statementsFor([
      { actions: ["a:One"], resources: ["arn:aws:ecs:eu-west-1:1:cluster/mc"] },
    ]);
    expect(splitIntoDocuments(single ? [single] : [], 10)).toEqual([policyDocument(single ? [single] : [])]);
  });
});

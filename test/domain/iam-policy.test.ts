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

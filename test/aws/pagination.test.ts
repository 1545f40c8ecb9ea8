// Every list the APIs return is complete: each paginated operation answers in two pages here, and the
// second request must carry the first page's token.

import {
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  DescribeContainerInstancesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { createRdsApi } from "../../src/aws/rds.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const ecsMock = mockClient(ECSClient);
const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

afterEach(() => {
  ecsMock.reset();
  ec2Mock.reset();
  rdsMock.reset();
});

// The worker runs other files after this one (isolate: false): leave the clients as they were.
afterAll(() => {
  ecsMock.restore();
  ec2Mock.restore();
  rdsMock.restore();
});

/**
 * Answers `first` and a token when the request has none, else `second`; records the tokens sent. The
 * token has the same name in request and answer for every operation here (nextToken, NextToken, Marker).
 */
function twoPages(tokenName: string, first: object, second: object) {
  const tokens: unknown[] = [];
  const answer = (input: object) => {
    const token = (input as Record<string, unknown>)[tokenName];
    tokens.push(token);
    return token === undefined ? { ...first, [tokenName]: "page-2" } : second;
  };
  return { answer, tokens };
}

describe("ECS lists", () => {
  it("lists every task of the service", async () => {
    const pages = twoPages("nextToken", { taskArns: ["t1", "t2"] }, { taskArns: ["t3"] });
    ecsMock.on(ListTasksCommand).callsFake(pages.answer);
    expect(await createEcsApi(config).listServiceTasks("prod", "mc", "RUNNING")).toEqual(["t1", "t2", "t3"]);
    expect(pages.tokens).toEqual([undefined, "page-2"]);
  });

  it("lists every active revision of the family", async () => {
    const arn = (revision: number) => `arn:aws:ecs:eu-west-1:1:task-definition/mc:${revision}`;
    const pages = twoPages("nextToken", { taskDefinitionArns: [arn(3)] }, { taskDefinitionArns: [arn(2)] });
    ecsMock.on(ListTaskDefinitionsCommand).callsFake(pages.answer);
    expect(await createEcsApi(config).listActiveRevisions("mc")).toEqual([arn(3), arn(2)]);
    expect(pages.tokens).toEqual([undefined, "page-2"]);
  });

  it("describes every container instance of the cluster", async () => {
    const pages = twoPages("nextToken", { containerInstanceArns: ["c1"] }, { containerInstanceArns: ["c2"] });
    ecsMock.on(ListContainerInstancesCommand).callsFake(pages.answer);
    ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances?: string[] }) => ({
      containerInstances: (input.containerInstances ?? []).map((containerInstanceArn) => ({
        containerInstanceArn,
      })),
    }));
    const instances = await createEcsApi(config).listContainerInstances("prod");
    expect(instances.map((instance) => instance.containerInstanceArn)).toEqual(["c1", "c2"]);
  });
});

describe("EC2 lists", () => {
  const reservation = (id: string) => ({ Reservations: [{ Instances: [{ InstanceId: id }] }] });

  it("finds every instance matching the filters, and describes every id", async () => {
    const pages = twoPages("NextToken", reservation("i-1"), reservation("i-2"));
    ec2Mock.on(DescribeInstancesCommand).callsFake(pages.answer);
    const ec2 = createEc2Api(config);
    expect((await ec2.findInstances([{ Name: "tag:managed-by", Values: ["mcctl"] }])).length).toBe(2);
    expect((await ec2.describeInstances(["i-1", "i-2"])).map((instance) => instance.InstanceId)).toEqual([
      "i-1",
      "i-2",
    ]);
    expect(pages.tokens).toEqual([undefined, "page-2", undefined, "page-2"]);
  });

  it("finds an instance type offered on a later page", async () => {
    const pages = twoPages(
      "NextToken",
      { InstanceTypeOfferings: [] },
      { InstanceTypeOfferings: [{ InstanceType: "m5.xlarge" }] },
    );
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).callsFake(pages.answer);
    expect(await createEc2Api(config).isInstanceTypeOffered("m5.xlarge")).toBe(true);
    expect(pages.tokens).toEqual([undefined, "page-2"]);
  });
});

describe("RDS lists", () => {
  it("lists every MySQL instance, engine version and instance class", async () => {
    const instances = twoPages(
      "Marker",
      { DBInstances: [{ DBInstanceIdentifier: "a", Engine: "mysql" }] },
      { DBInstances: [{ DBInstanceIdentifier: "b", Engine: "mysql" }] },
    );
    rdsMock.on(DescribeDBInstancesCommand).callsFake(instances.answer);
    const versions = twoPages(
      "Marker",
      { DBEngineVersions: [{ EngineVersion: "8.0.39" }] },
      { DBEngineVersions: [{ EngineVersion: "8.4.3" }] },
    );
    rdsMock.on(DescribeDBEngineVersionsCommand).callsFake(versions.answer);
    const classes = twoPages(
      "Marker",
      { OrderableDBInstanceOptions: [{ DBInstanceClass: "db.t3.small" }] },
      { OrderableDBInstanceOptions: [{ DBInstanceClass: "db.m5.large" }] },
    );
    rdsMock.on(DescribeOrderableDBInstanceOptionsCommand).callsFake(classes.answer);

    const rds = createRdsApi(config);
    expect((await rds.listMysqlInstances()).map((instance) => instance.DBInstanceIdentifier)).toEqual([
      "a",
      "b",
    ]);
    expect(await rds.mysqlVersions()).toEqual(["8.0.39", "8.4.3"]);
    expect(await rds.mysqlClasses("8.0.39")).toEqual(["db.t3.small", "db.m5.large"]);
    for (const pages of [instances, versions, classes]) expect(pages.tokens).toEqual([undefined, "page-2"]);
  });
});

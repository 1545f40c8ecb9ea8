import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  FilterLogEventsCommand,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateDBInstanceCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import {
  DeleteObjectsCommand,
  HeadBucketCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
  AccessDeniedException as SsmAccessDenied,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PolicyStatement } from "../../../src/sandbox/sim/iam-policy.js";
import { allow, refusal } from "../../helpers/policies.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const ACCOUNT = "123456789012";
const USER = `arn:aws:iam::${ACCOUNT}:user/test`;
const DB = `arn:aws:rds:eu-west-1:${ACCOUNT}:db:mc-db`;
const FINAL = `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:mc-db-final`;

let sim: SimulatedAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws();
  sim.install();
  seedEmptyAccount(sim);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

function enforce(...statements: PolicyStatement[]): void {
  sim.setCallerPolicies([{ Version: "2012-10-17", Statement: statements }]);
}

describe("S3", () => {
  const s3 = () => new S3Client({ region: "eu-west-1" });

  beforeEach(() => {
    sim.s3.addBucket("mc-backups");
    sim.s3.addObject("mc-backups", "db/1.sql", 10);
    sim.s3.addObject("mc-backups", "other/2.sql", 10);
  });

  it("names its actions its own way: PutPublicAccessBlock needs s3:PutBucketPublicAccessBlock", async () => {
    const block = {
      Bucket: "mc-backups",
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true },
    };
    enforce(allow("s3:PutPublicAccessBlock", "arn:aws:s3:::mc-backups"));
    const denied = await refusal(s3().send(new PutPublicAccessBlockCommand(block)));
    expect(denied).toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: s3:PutBucketPublicAccessBlock on resource: "arn:aws:s3:::mc-backups" because no identity-based policy allows the s3:PutBucketPublicAccessBlock action`,
    );
    enforce(allow("s3:PutBucketPublicAccessBlock", "arn:aws:s3:::mc-backups"));
    await s3().send(new PutPublicAccessBlockCommand(block));
  });

  it("answers HeadBucket with s3:ListBucket on the bucket, not on its objects", async () => {
    enforce(allow("s3:ListBucket", "arn:aws:s3:::mc-backups/*"));
    await expect(s3().send(new HeadBucketCommand({ Bucket: "mc-backups" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    enforce(allow("s3:ListBucket", "arn:aws:s3:::mc-backups"));
    await s3().send(new HeadBucketCommand({ Bucket: "mc-backups" }));
  });

  it("authorizes DeleteObjects as s3:DeleteObject on each key's object ARN", async () => {
    enforce(allow("s3:DeleteObject", "arn:aws:s3:::mc-backups/db/*"));
    const Delete = { Objects: [{ Key: "db/1.sql" }, { Key: "other/2.sql" }] };
    const denied = await refusal(s3().send(new DeleteObjectsCommand({ Bucket: "mc-backups", Delete })));
    expect(denied.message).toContain('s3:DeleteObject on resource: "arn:aws:s3:::mc-backups/other/2.sql"');
    expect(sim.s3.objects("mc-backups").map((object) => object.key)).toEqual(["db/1.sql", "other/2.sql"]);
  });
});

describe("RDS", () => {
  const rds = () => new RDSClient({ region: "eu-west-1" });
  const deleteWithFinalSnapshot = () =>
    rds().send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: "mc-db",
        FinalDBSnapshotIdentifier: "mc-db-final",
      }),
    );

  beforeEach(() => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "mc-db",
      CopyTagsToSnapshot: true,
      Tags: [{ Key: "app", Value: "mc" }],
    });
  });

  it("refuses in the query protocol's shape, DescribeDBInstances without an identifier on db:*", async () => {
    enforce(allow("rds:DescribeDBInstances", DB));
    await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "mc-db" }));
    const denied = await refusal(rds().send(new DescribeDBInstancesCommand({})));
    expect(denied).toMatchObject({ name: "AccessDenied", Code: "AccessDenied", Type: "Sender" });
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: rds:DescribeDBInstances on resource: arn:aws:rds:eu-west-1:${ACCOUNT}:db:* because no identity-based policy allows the rds:DescribeDBInstances action`,
    );
  });

  it("needs rds:CreateDBSnapshot for DeleteDBInstance's final snapshot", async () => {
    enforce(allow("rds:DeleteDBInstance", DB));
    const denied = await refusal(deleteWithFinalSnapshot());
    expect(denied.message).toContain(`rds:CreateDBSnapshot on resource: ${DB} because`);
    expect(sim.rds.instance("mc-db")?.DBInstanceStatus).toBe("available");
  });

  it("needs rds:AddTagsToResource on the final snapshot when the instance copies its tags to snapshots", async () => {
    enforce(allow(["rds:DeleteDBInstance", "rds:CreateDBSnapshot"]));
    const denied = await refusal(deleteWithFinalSnapshot());
    expect(denied.message).toContain(`rds:AddTagsToResource on resource: ${FINAL} because`);
    enforce(allow(["rds:DeleteDBInstance", "rds:CreateDBSnapshot"]), allow("rds:AddTagsToResource", FINAL));
    await deleteWithFinalSnapshot();
    expect(sim.rds.instance("mc-db")?.DBInstanceStatus).toBe("deleting");
  });

  it("needs only rds:DeleteDBInstance when the final snapshot is skipped", async () => {
    enforce(allow("rds:DeleteDBInstance", DB));
    await rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "mc-db", SkipFinalSnapshot: true }));
    expect(sim.authorizations.map((record) => record.action)).toEqual(["rds:DeleteDBInstance"]);
  });

  it("creates its service-linked role with the first DB instance, or refuses the instance", async () => {
    const input = {
      DBInstanceIdentifier: "mc-db-2",
      DBInstanceClass: "db.t3.small",
      Engine: "mysql",
      AllocatedStorage: 20,
      MasterUsername: "mc",
      MasterUserPassword: "simulated-password",
    };
    enforce(allow("rds:CreateDBInstance"));
    const refused = await refusal(rds().send(new CreateDBInstanceCommand(input)));
    expect(refused).toMatchObject({ name: "InvalidParameterValue", Code: "InvalidParameterValue" });
    expect(refused.message).toBe(
      "Unable to create the resource. Verify that you have permission to create service linked role. Otherwise wait and try again later.",
    );
    enforce(
      allow("rds:CreateDBInstance"),
      allow("iam:CreateServiceLinkedRole", "*", {
        StringLike: { "iam:AWSServiceName": "rds.amazonaws.com" },
      }),
    );
    await rds().send(new CreateDBInstanceCommand(input));
    expect(sim.iam.role("AWSServiceRoleForRDS")?.path).toBe("/aws-service-role/rds.amazonaws.com/");
  });
});

describe("IAM and STS", () => {
  it("needs iam:TagRole to create a role with tags, on the role's ARN with its path", async () => {
    const iam = new IAMClient({ region: "us-east-1" });
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    const input = { RoleName: "mc-exec", Path: "/mcctl/", AssumeRolePolicyDocument: trust };
    const tags = [{ Key: "app", Value: "mc" }];
    enforce(allow("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/mcctl/*`));
    const denied = await refusal(iam.send(new CreateRoleCommand({ ...input, Tags: tags })));
    expect(denied).toMatchObject({ name: "AccessDenied", Code: "AccessDenied" });
    expect(denied.message).toContain(
      `iam:TagRole on resource: arn:aws:iam::${ACCOUNT}:role/mcctl/mc-exec because no identity-based policy allows the iam:TagRole action`,
    );
    await iam.send(new CreateRoleCommand(input));
    enforce(allow("iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/mc-exec`));
    await expect(iam.send(new GetRoleCommand({ RoleName: "mc-exec" }))).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });

  it("answers GetCallerIdentity whatever the policies say", async () => {
    enforce({ Effect: "Deny", Action: "*", Resource: "*" });
    const identity = await new STSClient({ region: "eu-west-1" }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(USER);
    expect(sim.authorizations).toEqual([]);
  });
});

describe("SSM", () => {
  const ssm = () => new SSMClient({ region: "eu-west-1" });

  it("refuses with SSM's AccessDeniedException on the parameter's ARN (no double slash)", async () => {
    sim.ssm.putParameterDirectly({ Name: "/mcctl/mc/DB_PASSWORD", Value: "x", Type: "SecureString" });
    enforce(allow("ssm:GetParameter", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/mcctl/other/*`));
    const denied = await refusal(ssm().send(new GetParameterCommand({ Name: "/mcctl/mc/DB_PASSWORD" })));
    expect(denied).toBeInstanceOf(SsmAccessDenied);
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/mcctl/mc/DB_PASSWORD because no identity-based policy allows the ssm:GetParameter action`,
    );
  });

  it("gives AWS public parameters an ARN without an account", async () => {
    enforce(allow("ssm:GetParameter", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/*`));
    const name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
    const denied = await refusal(ssm().send(new GetParameterCommand({ Name: name })));
    expect(denied.message).toContain(
      `ssm:GetParameter on resource: arn:aws:ssm:eu-west-1::parameter${name} because`,
    );
  });

  it("needs ssm:AddTagsToResource for tags on PutParameter, on parameter/ + the name as given", async () => {
    const put = { Name: "/mcctl/mc/URL", Value: "https://x", Type: "String" as const };
    enforce(
      allow(
        ["ssm:PutParameter", "ssm:AddTagsToResource"],
        `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/mcctl/*`,
      ),
    );
    await ssm().send(new PutParameterCommand(put));
    const denied = await refusal(
      ssm().send(
        new PutParameterCommand({ ...put, Name: "/mcctl/mc/KEY", Tags: [{ Key: "a", Value: "b" }] }),
      ),
    );
    expect(denied.message).toContain(
      `ssm:AddTagsToResource on resource: arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter//mcctl/mc/KEY because`,
    );
  });
});

describe("CloudWatch Logs", () => {
  const logs = () => new CloudWatchLogsClient({ region: "eu-west-1" });
  const group = (suffix = "") => `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/mc${suffix}`;

  it("evaluates group-level reads on the group's ARN followed by :log-stream:, which a :* policy matches", async () => {
    sim.logs.addGroup("/ecs/mc");
    enforce(allow("logs:FilterLogEvents", group()));
    const denied = await refusal(logs().send(new FilterLogEventsCommand({ logGroupName: "/ecs/mc" })));
    expect(denied.message).toContain(`logs:FilterLogEvents on resource: ${group(":log-stream:")} because`);
    enforce(allow("logs:FilterLogEvents", group(":*")));
    await logs().send(new FilterLogEventsCommand({ logGroupName: "/ecs/mc" }));
  });

  it("takes logs:TagResource or logs:TagLogGroup for a log group created with tags, and the plain ARN for tagging", async () => {
    const create = (name: string) => new CreateLogGroupCommand({ logGroupName: name, tags: { app: "mc" } });
    enforce(allow("logs:CreateLogGroup"));
    const denied = await refusal(logs().send(create("/ecs/mc")));
    expect(denied.message).toContain(`logs:TagResource on resource: ${group()} because`);
    enforce(allow("logs:CreateLogGroup"), allow("logs:TagLogGroup", group()));
    await logs().send(create("/ecs/mc"));
    expect(sim.authorizations.at(-1)).toMatchObject({ action: "logs:TagLogGroup", allowed: true });
    enforce(allow("logs:TagResource", group(":*")));
    await expect(
      logs().send(new TagResourceCommand({ resourceArn: group(), tags: { team: "x" } })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import type { Settings } from "../../src/config/settings.js";
import { planDestroy } from "../../src/plan/destroy/plan.js";
import type { DestroyRequest } from "../../src/plan/destroy/types.js";
import { setupAwsFor } from "../helpers/setup-io.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { seedEmptyAccount } from "../sim/fixtures.js";
import { createSimulatedAws, type SimulatedAws } from "../sim/index.js";

const MCCTL = [
  { Key: "managed-by", Value: "mcctl" },
  { Key: "application", Value: "model-catalogue" },
];
const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

let sim: SimulatedAws;
let vpcId: string;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
  sim = createSimulatedAws();
  sim.install();
  vpcId = seedEmptyAccount(sim).vpcId;
});
afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const request = (settings: Settings = {}, overrides: Partial<DestroyRequest> = {}): DestroyRequest => ({
  cluster: "default",
  service: "mc",
  family: "model-catalogue",
  settings,
  env: {},
  deleteBucket: false,
  force: false,
  skipFinalSnapshot: false,
  now: new Date(TEST_START),
  ...overrides,
});
const plan = (settings?: Settings, overrides?: Partial<DestroyRequest>) =>
  planDestroy(setupAwsFor(config), request(settings, overrides));
const texts = async (settings?: Settings, overrides?: Partial<DestroyRequest>) =>
  (await plan(settings, overrides)).lines.map((line) => `${line.action} ${line.text}`);
const withDatabase = (identifier: string): Settings => ({ setup: { database: { identifier } } });

describe("planDestroy", () => {
  it("has nothing to do on an account without the deployment, and makes read calls only", async () => {
    const result = await plan();
    expect(result.nothingToDo).toBe(true);
    expect(result.lines).toEqual([]);
    expect(
      sim.calls.map((call) => call.command).filter((name) => !/^(Describe|List|Get|Head)/.test(name)),
    ).toEqual([]);
  });

  it("keeps a database mcctl did not tag, one setup found existing, and one with deletion protection", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "untagged-db" });
    expect(await texts(withDatabase("untagged-db"))).toContain(
      "keep MySQL instance untagged-db: not tagged managed-by=mcctl (mcctl did not create it)",
    );
    sim.rds.addInstance({ DBInstanceIdentifier: "existing-db", Tags: MCCTL });
    expect(await texts({ setup: { database: { identifier: "existing-db", create: false } } })).toContain(
      "keep MySQL instance existing-db: it existed before setup (setup.database.create is false)",
    );
    sim.rds.addInstance({ DBInstanceIdentifier: "protected-db", Tags: MCCTL, DeletionProtection: true });
    const protectedPlan = await plan(withDatabase("protected-db"));
    expect(protectedPlan.steps.database).toBeUndefined();
    expect(protectedPlan.lines.map((line) => line.text).join("\n")).toContain(
      "MySQL instance protected-db: deletion protection is on (aws rds modify-db-instance --db-instance-identifier protected-db --no-deletion-protection",
    );
  });

  it("finds the database by METADATA_JDBC_URL, names the final snapshot, and only waits for one RDS is deleting", async () => {
    const db = sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", Tags: MCCTL });
    const url = `jdbc:mysql://${db.Endpoint?.Address}:3306/metadata`;
    const found = await plan({ environment: { METADATA_JDBC_URL: url } });
    expect(found.steps.database).toEqual({
      identifier: "mc-db",
      deleting: false,
      finalSnapshot: `mcctl-mc-db-final-${new Date(TEST_START)
        .toISOString()
        .replace(/\.\d+Z$/, "Z")
        .replace(/[-:]/g, "")
        .toLowerCase()}`,
    });
    expect(
      (await plan(withDatabase("mc-db"), { skipFinalSnapshot: true })).steps.database?.finalSnapshot,
    ).toBeUndefined();
    sim.rds.setInstanceStatus("mc-db", "failed");
    expect(await texts(withDatabase("mc-db"))).toContain(
      "keep MySQL instance mc-db: it is failed, and RDS deletes such an instance only without a final snapshot (--skip-final-snapshot)",
    );
    expect((await plan(withDatabase("mc-db"), { skipFinalSnapshot: true })).steps.database).toEqual({
      identifier: "mc-db",
      deleting: false,
      finalSnapshot: undefined,
    });
    sim.rds.setInstanceStatus("mc-db", "deleting");
    const deleting = await plan(withDatabase("mc-db"));
    expect(deleting.steps.database).toEqual({ identifier: "mc-db", deleting: true });
    expect(deleting.lines).toContainEqual({
      group: "Database",
      action: "wait",
      text: "MySQL instance mc-db: RDS is deleting it already",
    });
    expect(deleting.nothingToDo).toBe(false);
  });

  it("deletes the bucket only with --delete-bucket, only when tagged, and only empty unless --force", async () => {
    const settings: Settings = { environment: { MC_S3_BUCKET: "mc-assets" } };
    expect(await texts(settings)).toEqual([]); // no such bucket: nothing to say
    sim.s3.addBucket("mc-assets");
    expect(await texts(settings)).toEqual(["keep S3 bucket mc-assets: pass --delete-bucket to delete it"]);
    expect(await texts(settings, { deleteBucket: true })).toEqual([
      "keep S3 bucket mc-assets: not tagged managed-by=mcctl (mcctl did not create it)",
    ]);
    const ours: Settings = { environment: { MC_S3_BUCKET: "mc-own" } };
    sim.s3.addBucket("mc-own", { tags: MCCTL });
    sim.s3.addObject("mc-own", "a.png", 10);
    expect(await texts(ours, { deleteBucket: true })).toEqual([
      "keep S3 bucket mc-own: it holds 1 object(s); --force deletes them with it",
    ]);
    const forced = await plan(ours, { deleteBucket: true, force: true });
    expect(forced.steps.bucket).toEqual({ name: "mc-own", objects: 1 });
    expect(forced.lines.map((line) => line.text)).toEqual([
      "delete S3 bucket mc-own and the 1 object(s) in it",
    ]);
  });

  // A group kept because an instance destroy keeps uses it: test/commands/destroy.test.ts (a shared cluster).
  it("keeps a security group mcctl made that a rule mcctl did not make names", async () => {
    const group = sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-ecs-instances",
      Description: "mcctl",
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: "security-group", Tags: MCCTL }],
    }).GroupId as string;
    const settings: Settings = { setup: { instance: { securityGroupId: group } } };
    expect((await plan(settings)).steps.instanceGroups).toEqual([group]);

    const foreign = sim.ec2.createSecurityGroup({
      GroupName: "someone-elses",
      Description: "x",
      VpcId: vpcId,
    }).GroupId as string;
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: foreign,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: group }] },
      ],
    });
    const kept = await plan(settings);
    expect(kept.steps.instanceGroups).toEqual([]);
    expect(kept.lines.map((line) => line.text)).toContain(
      `security group model-catalogue-ecs-instances (${group}): ${foreign} let it in by a rule mcctl did not make`,
    );
  });

  it("keeps an execution role named in mcctl.json or not tagged, and an instance mcctl.json names but mcctl did not tag", async () => {
    sim.iam.addRole("mcctl-model-catalogue-execution");
    expect(await texts()).toContain(
      "keep IAM role mcctl-model-catalogue-execution: not tagged managed-by=mcctl (mcctl did not create it)",
    );
    expect(await texts({ secrets: { executionRole: "admins-role" } })).toContain(
      "keep IAM role admins-role: named in mcctl.json (secrets.executionRole), made by an administrator",
    );
    const instance = sim.ec2.addInstance();
    expect(await texts({ setup: { instance: { instanceId: instance.InstanceId } } })).toContain(
      `keep EC2 instance ${instance.InstanceId} (setup.instance.instanceId): not tagged managed-by=mcctl (mcctl did not create it)`,
    );
  });
});

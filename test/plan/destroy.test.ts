import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import type { Settings } from "../../src/config/settings.js";
import { planDestroy } from "../../src/plan/destroy/plan.js";
import type { DestroyRequest } from "../../src/plan/destroy/types.js";
import { setupAwsFor } from "../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition, seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { TEST_START } from "../helpers/simulated-aws.js";

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

  it.each(["creating", "backing-up", "modifying"])(
    "says a database that is %s is waited for before its final snapshot, and not with --skip-final-snapshot",
    async (status) => {
      sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", Tags: MCCTL, status });
      const lines = await texts(withDatabase("mc-db"));
      const line = lines.find((text) => text.startsWith("delete delete MySQL instance mc-db"));
      expect(line).toMatch(
        /^delete delete MySQL instance mc-db after a final snapshot mcctl-mc-db-final-\w+ \(kept/,
      );
      expect(line).toContain(
        `; it is ${status}, and RDS snapshots only an available instance: destroy waits for that first (within --timeout)`,
      );
      expect(await texts(withDatabase("mc-db"), { skipFinalSnapshot: true })).toContain(
        "delete delete MySQL instance mc-db with NO final snapshot (--skip-final-snapshot): its data is gone for good",
      );
    },
  );

  it("says nothing of a wait for an available database", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", Tags: MCCTL });
    const lines = await texts(withDatabase("mc-db"));
    expect(lines.filter((text) => text.startsWith("delete delete MySQL instance mc-db"))).toEqual([
      expect.not.stringContaining("waits"),
    ]);
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

const CLUSTER_MCCTL = [{ key: "managed-by", value: "mcctl" }];
const launchedFor = (cluster: string) => [...MCCTL, { Key: "mcctl:cluster", Value: cluster }];

describe("planDestroy: the service, the instances and the cluster", () => {
  it("terminates the instances mcctl launched for this cluster (deregistered first), waits for one shutting down, and deletes the cluster", async () => {
    sim.ecs.addCluster("default", { tags: CLUSTER_MCCTL });
    const registered = sim.ec2.addInstance({ tags: launchedFor("default") });
    const containerInstance = sim.ecs.addContainerInstance("default", {
      ec2InstanceId: registered.InstanceId,
    });
    const stopping = sim.ec2.addInstance({ tags: launchedFor("default"), state: "shutting-down" });
    sim.ec2.addInstance({ tags: launchedFor("elsewhere") });
    const result = await plan();
    expect(result.steps.instances).toEqual([
      {
        instanceId: registered.InstanceId,
        state: "running",
        containerInstanceArn: containerInstance.containerInstanceArn,
      },
      { instanceId: stopping.InstanceId, state: "shutting-down", containerInstanceArn: undefined },
    ]);
    expect(result.steps.deleteCluster).toBe(true);
    // The cluster and the region's databases are read once, for all the planners that need them.
    expect(sim.callsOf("DescribeClusters")).toHaveLength(1);
    expect(sim.callsOf("DescribeDBInstances")).toHaveLength(1);
    expect(
      result.lines.filter((line) => line.group === "Compute").map((line) => `${line.action} ${line.text}`),
    ).toEqual([
      `delete terminate EC2 instance ${registered.InstanceId} (running, deregistered from the cluster first)`,
      `wait EC2 instance ${stopping.InstanceId}: terminating already`,
      "delete delete ECS cluster default",
    ]);
  });

  it("keeps the instances and the cluster while another service runs in it, and an untagged cluster", async () => {
    sim.ecs.addCluster("default", { tags: CLUSTER_MCCTL });
    const instance = sim.ec2.addInstance({ tags: launchedFor("default") });
    sim.ecs.addContainerInstance("default", { ec2InstanceId: instance.InstanceId });
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.createService(mcServiceInput({ cluster: "default", serviceName: "reports", desiredCount: 0 }));
    const shared = await plan();
    expect(shared.steps.instances).toEqual([]);
    expect(shared.steps.deleteCluster).toBe(false);
    expect(shared.lines.map((line) => `${line.action} ${line.text}`)).toEqual(
      expect.arrayContaining([
        `keep EC2 instance(s) ${instance.InstanceId}: the cluster also runs reports`,
        "keep ECS cluster default: it also runs reports",
      ]),
    );

    sim.ecs.addCluster("bare");
    expect(await texts({}, { cluster: "bare" })).toContain(
      "keep ECS cluster bare: not tagged managed-by=mcctl (mcctl did not create it)",
    );
  });

  it("plans to scale a running service to 0 first, deletes one at 0 at once, and ignores one ECS deleted", async () => {
    sim.ecs.addCluster("default", { tags: CLUSTER_MCCTL });
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.createService(mcServiceInput({ cluster: "default", desiredCount: 0 }));
    const atZero = await plan();
    expect(atZero.steps.service).toEqual({ name: "mc", desiredCount: 0 });
    expect(atZero.lines).toContainEqual({
      group: "Service",
      action: "delete",
      text: "delete ECS service mc in default: Model Catalogue stops",
    });
    sim.ecs.deleteService({ cluster: "default", service: "mc" });
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await plan()).steps.service).toBeUndefined();
  });

  it("keeps the instance mcctl.json names when mcctl launched it for another cluster, and takes it when it carries no cluster tag", async () => {
    const other = sim.ec2.addInstance({ tags: launchedFor("elsewhere") });
    expect(await texts({ setup: { instance: { instanceId: other.InstanceId } } })).toContain(
      `keep EC2 instance ${other.InstanceId} (setup.instance.instanceId): launched for cluster elsewhere`,
    );
    const untold = sim.ec2.addInstance({ tags: MCCTL });
    expect((await plan({ setup: { instance: { instanceId: untold.InstanceId } } })).steps.instances).toEqual([
      { instanceId: untold.InstanceId, state: "running", containerInstanceArn: undefined },
    ]);
    sim.ec2.setInstanceState(untold.InstanceId as string, "terminated");
    expect((await plan({ setup: { instance: { instanceId: untold.InstanceId } } })).lines).toEqual([]);
  });
});

describe("planDestroy: the network", () => {
  const group = (name: string, tagged = true) =>
    sim.ec2.createSecurityGroup({
      GroupName: name,
      Description: name,
      VpcId: vpcId,
      ...(tagged ? { TagSpecifications: [{ ResourceType: "security-group" as const, Tags: MCCTL }] } : {}),
    }).GroupId as string;
  const allowMysql = (into: string, from: string, description?: string) =>
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: into,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 3306,
          ToPort: 3306,
          UserIdGroupPairs: [{ GroupId: from, Description: description }],
        },
      ],
    });

  it("revokes mcctl's rule into the database's group first, and deletes that group once the database is gone", async () => {
    const instances = group("team-instances");
    const database = group("team-db");
    allowMysql(database, instances, "Model Catalogue container instances (mcctl)");
    const db = sim.rds.addInstance({
      DBInstanceIdentifier: "mc-db",
      Tags: MCCTL,
      VpcSecurityGroupIds: [database],
    });
    const result = await plan({
      setup: { instance: { securityGroupId: instances }, database: { identifier: db.DBInstanceIdentifier } },
    });
    expect(result.steps.rules).toEqual([
      {
        groupId: database,
        permission: {
          IpProtocol: "tcp",
          FromPort: 3306,
          ToPort: 3306,
          UserIdGroupPairs: [{ GroupId: instances }],
        },
      },
    ]);
    expect(result.steps.instanceGroups).toEqual([instances]);
    expect(result.steps.databaseGroups).toEqual([database]);
    expect(result.lines.filter((line) => line.group === "Network").map((line) => line.text)).toEqual([
      `revoke the rule of ${database} that lets ${instances} in (TCP 3306)`,
      `delete security group team-instances (${instances})`,
      `delete security group team-db (${database}), once the database is gone`,
    ]);
  });

  it("keeps a group a database it keeps uses, and one it did not tag", async () => {
    const shared = group("model-catalogue-db");
    sim.rds.addInstance({ DBInstanceIdentifier: "reports-db", VpcSecurityGroupIds: [shared] });
    const mine = group("hand-made", false);
    expect(await texts({ setup: { instance: { securityGroupId: mine } } })).toEqual([
      `keep security group model-catalogue-db (${shared}): used by database reports-db`,
      `keep security group hand-made (${mine}): not tagged managed-by=mcctl (mcctl did not create it)`,
    ]);
  });

  it("finds mcctl's groups left in the default VPC by name, after what used them is gone", async () => {
    const leftover = group("model-catalogue-db");
    group("model-catalogue-ecs-instances", false);
    const result = await plan();
    expect(result.steps.databaseGroups).toEqual([leftover]);
    expect(result.steps.instanceGroups).toEqual([]);
    expect(result.nothingToDo).toBe(false);
  });
});

describe("planDestroy: the database, the bucket and the rest", () => {
  it("says a database outside RDS stays, and lists the manual snapshots that stay", async () => {
    expect(
      await texts({ environment: { METADATA_JDBC_URL: "jdbc:mysql://db.example.org:3306/mc" } }),
    ).toEqual(["keep database at db.example.org: not an RDS instance here"]);
    expect(
      await texts({
        environment: { METADATA_JDBC_URL: "jdbc:mysql://gone.abc.eu-west-1.rds.amazonaws.com/mc" },
      }),
    ).toEqual([]);
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", Tags: MCCTL });
    sim.rds.addSnapshot({ DBSnapshotIdentifier: "mcctl-mc-db-before-2-1", DBInstanceIdentifier: "mc-db" });
    expect(await texts(withDatabase("mc-db"), { skipFinalSnapshot: true })).toEqual([
      "keep 1 manual snapshot(s) of mc-db, e.g. mcctl-mc-db-before-2-1 (RDS charges for their storage)",
      "delete delete MySQL instance mc-db with NO final snapshot (--skip-final-snapshot): its data is gone for good",
      // RDS put it in the VPC's default group, which is no one's to delete.
      expect.stringMatching(/^keep security group default \(sg-\w+\): not tagged managed-by=mcctl/),
    ]);
  });

  it("takes the bucket's name from the environment, keeps one of another account, and deletes an empty one", async () => {
    sim.s3.addBucket("elsewhere", { ownerAccount: "210987654321" });
    expect(await texts({}, { env: { MC_S3_BUCKET: "elsewhere" }, deleteBucket: true })).toEqual([
      "keep S3 bucket elsewhere: this account may not use it",
    ]);
    sim.s3.addBucket("mc-own", { tags: MCCTL });
    expect(await texts({}, { env: { MC_S3_BUCKET: "mc-own" }, deleteBucket: true })).toEqual([
      "delete delete S3 bucket mc-own (empty)",
    ]);
  });

  it("names the revisions oldest first, the parameters by their short name, and the log group mcctl.json names", async () => {
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
    // An upgrade's one-off pre-pull revision left behind (interrupted before its clean-up).
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue-prepull" }));
    for (const name of ["METADATA_PASSWORD", "MC_S3_SECRET"]) {
      sim.ssm.putParameterDirectly({
        Name: `/team/mc/${name}`,
        Value: "x",
        Type: "SecureString",
        Tags: MCCTL,
      });
    }
    sim.logs.addGroup("/team/mc-logs");
    sim.logs.putEvents?.("/team/mc-logs", "s", ["x".repeat(3000)]);
    const settings: Settings = { secrets: { path: "/team/mc" }, logs: { group: "/team/mc-logs" } };
    const lines = await texts(settings);
    expect(lines).toContain(
      "delete deregister model-catalogue revision(s) 1, 2 (ECS keeps them as INACTIVE)",
    );
    expect(lines).toContain(
      "delete deregister model-catalogue-prepull revision(s) 1 (ECS keeps them as INACTIVE)",
    );
    expect(lines).toContain("delete delete SSM parameters MC_S3_SECRET, METADATA_PASSWORD under /team/mc");
    expect(lines.find((line) => line.includes("log group"))).toMatch(
      /^delete delete log group \/team\/mc-logs \(the containers' output(, [\d.]+ KiB)? is lost\)$/,
    );
  });
});

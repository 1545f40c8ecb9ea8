import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { InterruptedError, McctlError } from "../../src/errors.js";
import { applyDestroy } from "../../src/operations/destroy/apply.js";
import type { DestroyIo } from "../../src/operations/destroy/types.js";
import type { DestroySteps } from "../../src/plan/destroy/types.js";
import { setupAwsFor, testApplyIo } from "../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition, seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { runUntilSettled } from "../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

let sim: SimulatedAws;
let vpcId: string;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws();
  sim.install();
  vpcId = seedEmptyAccount(sim).vpcId;
});
afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const nothing: DestroySteps = {
  cluster: "default",
  replacedDatabases: [],
  instances: [],
  deleteCluster: false,
  rules: [],
  instanceGroups: [],
  databaseGroups: [],
  revisions: [],
  parameters: [],
};

function apply(steps: Partial<DestroySteps>, overrides: Partial<DestroyIo> = {}) {
  const { io: applyIo, captured } = testApplyIo();
  const io: DestroyIo = {
    reporter: applyIo.reporter,
    waitTimeoutMs: 10 * 60_000,
    pollIntervalMs: 10_000,
    ...overrides,
  };
  const running = applyDestroy(io, setupAwsFor(config), { ...nothing, ...steps });
  return { done: runUntilSettled(running, 60 * 60_000, 1_000), captured };
}

const newGroup = (name: string) =>
  sim.ec2.createSecurityGroup({ GroupName: name, Description: name, VpcId: vpcId }).GroupId as string;

describe("applyDestroy", () => {
  it("deletes nothing for an empty plan", async () => {
    expect(await apply({}).done).toEqual({ deleted: [] });
    expect(sim.calls).toEqual([]);
  });

  it("tries a security group again while EC2 says it is in use, and says so", async () => {
    const group = newGroup("model-catalogue-ecs-instances");
    sim.faults.inject({
      service: "EC2",
      command: "DeleteSecurityGroup",
      error: awsError("DependencyViolation", `resource ${group} has a dependent object`),
      times: 2,
    });
    const { done, captured } = apply({ instanceGroups: [group] });
    expect(await done).toEqual({ deleted: [`security group ${group}`] });
    expect(sim.callsOf("DeleteSecurityGroup")).toHaveLength(3);
    expect(sim.ec2.securityGroup(group)).toBeUndefined();
    expect(captured.all()).toContain(`security group ${group} could be deleted after 20s`);
  });

  it("gives up on a group still in use when the wait runs out, naming what was deleted", async () => {
    const free = newGroup("model-catalogue-ecs-instances");
    const busy = newGroup("model-catalogue-db");
    sim.faults.inject({
      service: "EC2",
      command: "DeleteSecurityGroup",
      match: (input: { GroupId?: string }) => input.GroupId === busy,
      error: awsError("DependencyViolation", `resource ${busy} has a dependent object`),
      times: 1_000,
    });
    const error = await apply(
      { instanceGroups: [free], databaseGroups: [busy] },
      { waitTimeoutMs: 60_000 },
    ).done.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      `timed out after 1m 00s waiting to delete security group ${busy} (still in use (a network interface is being detached)); deleted so far: security group ${free}`,
    );
    expect((error as McctlError).suggestion).toBe(
      "Run `mcctl destroy` again to finish: it finds what is left.",
    );
  });

  it("waits for a cluster ECS still calls busy", async () => {
    sim.ecs.addCluster("default", { tags: [{ key: "managed-by", value: "mcctl" }] });
    sim.faults.inject({
      service: "ECS",
      command: "DeleteCluster",
      error: awsError(
        "ClusterContainsServicesException",
        "The Cluster cannot be deleted while Services are active.",
      ),
      times: 1,
    });
    const { done, captured } = apply({ deleteCluster: true });
    expect(await done).toEqual({ deleted: ["ECS cluster default"] });
    expect(captured.all()).toContain("ECS cluster default could be deleted after 10s");
    expect(sim.ecs.describeClusters({ clusters: ["default"] }).clusters?.[0]?.status).toBe("INACTIVE");
  });

  it("empties the bucket before deleting it, and fails when an object arrived since the plan", async () => {
    sim.s3.addBucket("mc-assets");
    for (let index = 0; index < 3; index++) sim.s3.addObject("mc-assets", `file-${index}`, 10);
    const { done, captured } = apply({ bucket: { name: "mc-assets", objects: 3 } });
    expect(await done).toEqual({ deleted: ["S3 bucket mc-assets"] });
    expect(captured.all()).toContain("Deleted 3 object(s) of mc-assets");
    expect(sim.s3.bucket("mc-assets")).toBeUndefined();

    sim.s3.addBucket("late");
    sim.s3.addObject("late", "arrived-after-the-plan", 10);
    const error = await apply({ bucket: { name: "late", objects: 0 } }).done.catch(
      (caught: unknown) => caught,
    );
    expect((error as McctlError).message).toBe(
      "S3 bucket late is not empty: objects were written to it since the plan looked; nothing was deleted",
    );
    expect(sim.s3.bucket("late")).toBeDefined();
  });

  it("stops before its next deletion when interrupted, and says what was deleted", async () => {
    const first = newGroup("model-catalogue-ecs-instances");
    const second = newGroup("model-catalogue-db");
    const controller = new AbortController();
    sim.faults.inject({
      service: "EC2",
      command: "DeleteSecurityGroup",
      error: (call) => {
        controller.abort(new InterruptedError("interrupted (SIGINT)", { exitCode: 130 }));
        return awsError(
          "DependencyViolation",
          `resource ${String((call.input as { GroupId?: string }).GroupId)} has a dependent object`,
        );
      },
      times: 1,
      after: 1,
    });
    const error = await apply({ instanceGroups: [first, second] }, { signal: controller.signal }).done.catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
    expect((error as Error).message).toContain(`deleted so far: security group ${first}`);
    expect(sim.ec2.securityGroup(second)).toBeDefined();
  });

  it("deletes the database without a final snapshot when told, and waits until RDS no longer knows it", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db" });
    const { done, captured } = apply({ database: { identifier: "mc-db", deleting: false } });
    expect(await done).toEqual({ deleted: ["RDS instance mc-db"] });
    expect(sim.callsOf("DeleteDBInstance")[0]?.input).toEqual({
      DBInstanceIdentifier: "mc-db",
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    });
    expect(captured.all()).toContain("RDS is deleting mc-db (no final snapshot: --skip-final-snapshot)");
    expect(sim.rds.instance("mc-db")).toBeUndefined();
  });
});

describe("applyDestroy: the service and the instances", () => {
  const runningService = async () => {
    sim.ecs.addCluster("mc");
    const host = addMcHost(sim, "mc");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.createService(mcServiceInput());
    await vi.advanceTimersByTimeAsync(12_000);
    return host;
  };

  it("scales the service to 0, deletes it only once its task has stopped, and says so", async () => {
    await runningService();
    sim.clearCalls();
    const { done, captured } = apply({ cluster: "mc", service: { name: "mc", desiredCount: 1 } });
    expect(await done).toEqual({ deleted: ["ECS service mc"] });
    expect(sim.callsOf("UpdateService")[0]?.input).toEqual({ cluster: "mc", service: "mc", desiredCount: 0 });
    const stopped =
      sim.ecs.tasks({ lastStatus: "STOPPED" })[0]?.stoppedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    expect(sim.callsOf("DeleteService")[0]?.at).toBeGreaterThanOrEqual(stopped);
    const out = captured.all();
    expect(out).toContain("Scaled service mc to 0 (was 1)");
    expect(out).toMatch(/No task of mc is left \(\d+s\)/);
    expect(out).toContain("Deleted ECS service mc");
  });

  it("does not scale a service at 0 again, and times out naming what it saw when a task does not stop", async () => {
    await runningService();
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    sim.ecs.setTimings({ stoppingMs: 10 * 60_000 });
    sim.clearCalls();
    const error = await apply(
      { cluster: "mc", service: { name: "mc", desiredCount: 0 } },
      { waitTimeoutMs: 60_000 },
    ).done.catch((caught: unknown) => caught);
    expect(sim.callsOf("UpdateService")).toEqual([]);
    expect(sim.callsOf("DeleteService")).toEqual([]);
    expect((error as McctlError).message).toMatch(
      /^timed out after 1m 00s waiting for the tasks of mc to stop \(1 task stopping \(STOPPING\), 0 running\); nothing was deleted$/,
    );
    expect((error as McctlError).suggestion).toBe(
      "The service is at 0 tasks; its tasks go on stopping. Run `mcctl destroy` again to finish: it finds what is left.",
    );
  });

  it("deregisters a container instance before terminating it, and waits until EC2 reports it terminated", async () => {
    sim.ecs.addCluster("default");
    const { instance, containerInstance } = addMcHost(sim, "default");
    const unregistered = sim.ec2.addInstance();
    const ids = [instance.InstanceId as string, unregistered.InstanceId as string];
    const { done, captured } = apply({
      instances: [
        {
          instanceId: ids[0] as string,
          state: "running",
          containerInstanceArn: containerInstance.containerInstanceArn,
        },
        { instanceId: ids[1] as string, state: "stopped" },
      ],
    });
    expect(await done).toEqual({ deleted: ids.map((id) => `EC2 instance ${id}`) });
    expect(sim.callsOf("DeregisterContainerInstance").map((call) => call.input)).toEqual([
      { cluster: "default", containerInstance: containerInstance.containerInstanceArn, force: true },
    ]);
    expect(sim.callsOf("TerminateInstances")[0]?.input).toEqual({ InstanceIds: ids });
    for (const id of ids) expect(sim.ec2.instance(id)?.State?.Name).toBe("terminated");
    const out = captured.all();
    expect(out).toContain(`EC2 is terminating ${ids.join(", ")}`);
    expect(out).toContain(`Terminated ${ids.join(", ")} (1m 00s)`);
  });

  it("times out naming the instances still shutting down", async () => {
    const instance = sim.ec2.addInstance();
    const id = instance.InstanceId as string;
    const error = await apply(
      { instances: [{ instanceId: id, state: "running" }] },
      { waitTimeoutMs: 30_000 },
    ).done.catch((caught: unknown) => caught);
    expect((error as McctlError).message).toBe(
      `timed out after 30s waiting for the instances to terminate (${id} shutting-down); nothing was deleted`,
    );
    expect((error as McctlError).suggestion).toBe(
      "EC2 goes on terminating them. Run `mcctl destroy` again to finish: it finds what is left.",
    );
  });

  it("stops before its first deletion when the signal came before it", async () => {
    const controller = new AbortController();
    controller.abort(new InterruptedError("interrupted (SIGTERM)", { exitCode: 143 }));
    const error = await apply({ logGroup: "/ecs/model-catalogue" }, { signal: controller.signal }).done.catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe(
      "interrupted (SIGTERM): stopped before deleting log group /ecs/model-catalogue; nothing was deleted",
    );
    expect((error as InterruptedError).exitCode).toBe(143);
    expect(sim.calls).toEqual([]);
  });
});

describe("applyDestroy: rules, database, revisions, secrets, role and logs", () => {
  it("revokes a rule, deletes the database after its final snapshot, and names everything it deleted", async () => {
    const database = newGroup("model-catalogue-db");
    const instances = newGroup("model-catalogue-ecs-instances");
    const rule = {
      IpProtocol: "tcp",
      FromPort: 3306,
      ToPort: 3306,
      UserIdGroupPairs: [{ GroupId: instances }],
    };
    sim.ec2.authorizeSecurityGroupIngress({ GroupId: database, IpPermissions: [rule] });
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db" });
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ssm.putParameterDirectly({ Name: "/mcctl/mc/METADATA_PASSWORD", Value: "x", Type: "SecureString" });
    sim.iam.addRole("mcctl-mc-execution");
    sim.logs.addGroup("/ecs/mc");
    const revisions = ["mc:1", "mc:2"].map(
      (name) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${name}`,
    );
    const { done, captured } = apply({
      rules: [{ groupId: database, permission: rule }],
      instanceGroups: [instances],
      database: { identifier: "mc-db", deleting: false, finalSnapshot: "mcctl-mc-db-final-x" },
      databaseGroups: [database],
      revisions,
      parameters: ["/mcctl/mc/METADATA_PASSWORD"],
      role: "mcctl-mc-execution",
      logGroup: "/ecs/mc",
    });
    expect((await done).deleted).toEqual([
      `security group ${instances}`,
      "RDS instance mc-db",
      `security group ${database}`,
      "task definitions mc:1, mc:2",
      "SSM parameters /mcctl/mc/METADATA_PASSWORD",
      "IAM role mcctl-mc-execution",
      "log group /ecs/mc",
    ]);
    const out = captured.all();
    expect(out).toContain(`Revoked the rule of ${database} that let ${instances} in (TCP 3306)`);
    expect(out).toContain("RDS is deleting mc-db, after a final snapshot mcctl-mc-db-final-x");
    expect(out).toMatch(/Deleted database mc-db \(\d+m \d+s\)/);
    expect(out).toContain("Deregistered mc:1, mc:2");
    expect(sim.callsOf("DeleteDBInstance")[0]?.input).toEqual({
      DBInstanceIdentifier: "mc-db",
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: "mcctl-mc-db-final-x",
    });
    expect(sim.rds.snapshot("mcctl-mc-db-final-x")).toBeDefined();
    expect(sim.ecs.describeTaskDefinition({ taskDefinition: "mc:2" }).taskDefinition?.status).toBe(
      "INACTIVE",
    );
    expect(sim.ssm.parameters()).toEqual([]);
    expect(sim.iam.role("mcctl-mc-execution")).toBeUndefined();
    expect(sim.logs.group("/ecs/mc")).toBeUndefined();
  });

  const finalSnapshotOf = (identifier: string) => ({
    database: { identifier, deleting: false, finalSnapshot: `mcctl-${identifier}-final-x` },
  });

  it("waits for a database that is creating (then backing up) before its final snapshot, and shows the wait", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", status: "creating" });
    const { done, captured } = apply(finalSnapshotOf("mc-db"), { waitTimeoutMs: 30 * 60_000 });
    expect(await done).toEqual({ deleted: ["RDS instance mc-db"] });

    const [deletion, ...more] = sim.callsOf("DeleteDBInstance");
    expect(more).toEqual([]);
    expect(deletion?.error).toBeUndefined();
    expect(deletion?.input.FinalDBSnapshotIdentifier).toBe("mcctl-mc-db-final-x");
    expect(sim.rds.snapshot("mcctl-mc-db-final-x")).toBeDefined();
    const out = captured.all();
    expect(out).toContain("Waiting for mc-db to be available for its final snapshot");
    expect(out).toMatch(/mc-db is available \(\d+m \d+s\)/);
  });

  it("waits for a database that is modifying until it is available, and deletes it then", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", status: "modifying" });
    const availableAt = Date.now() + 4 * 60_000;
    setTimeout(() => sim.rds.setInstanceStatus("mc-db", "available"), availableAt - Date.now());
    const { done } = apply(finalSnapshotOf("mc-db"));
    expect(await done).toEqual({ deleted: ["RDS instance mc-db"] });
    const deletions = sim.callsOf("DeleteDBInstance");
    expect(deletions.map((call) => call.error)).toEqual([undefined]);
    expect(deletions[0]?.at).toBeGreaterThanOrEqual(availableAt);
  });

  it("times out naming the state it last saw, deleting nothing, and says a second run finishes", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", status: "modifying" });
    const error = await apply(finalSnapshotOf("mc-db"), { waitTimeoutMs: 60_000 }).done.catch(
      (caught: unknown) => caught,
    );
    expect(sim.callsOf("DeleteDBInstance")).toEqual([]);
    expect((error as McctlError).message).toBe(
      "timed out after 1m 00s waiting for database mc-db to be available for its final snapshot (modifying); nothing was deleted",
    );
    expect((error as McctlError).suggestion).toBe(
      "RDS takes a final snapshot only once the instance is available. Run `mcctl destroy` again to finish: it finds what is left.",
    );
  });

  it("does not wait with --skip-final-snapshot: RDS deletes a creating instance without one", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", status: "creating" });
    const { done, captured } = apply({ database: { identifier: "mc-db", deleting: false } });
    expect(await done).toEqual({ deleted: ["RDS instance mc-db"] });
    expect(sim.callsOf("DeleteDBInstance")[0]?.at).toBe(Date.parse("2026-11-25T03:00:00Z"));
    expect(sim.callsOf("DescribeDBInstances").length).toBeGreaterThan(0);
    expect(captured.all()).not.toContain("for its final snapshot");
  });

  it("only waits for a database RDS is deleting already, and times out naming its status", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", status: "deleting" });
    const error = await apply(
      { database: { identifier: "mc-db", deleting: true } },
      { waitTimeoutMs: 60_000 },
    ).done.catch((caught: unknown) => caught);
    expect(sim.callsOf("DeleteDBInstance")).toEqual([]);
    expect((error as McctlError).message).toBe(
      "timed out after 1m 00s waiting for RDS to delete mc-db (deleting); nothing was deleted",
    );
    expect((error as McctlError).suggestion).toBe(
      "RDS goes on deleting it. Run `mcctl destroy` again to finish: it finds what is left.",
    );
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { InterruptedError, McctlError } from "../../src/errors.js";
import { applyDestroy } from "../../src/operations/destroy/apply.js";
import type { DestroyIo, DestroySteps } from "../../src/operations/destroy/types.js";
import { setupAwsFor, testApplyIo } from "../helpers/setup-io.js";
import { runUntilSettled } from "../helpers/time.js";
import { seedEmptyAccount } from "../sim/fixtures.js";
import { createSimulatedAws, type SimulatedAws } from "../sim/index.js";

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

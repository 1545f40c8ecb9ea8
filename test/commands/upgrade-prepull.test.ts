import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import { McctlError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { modelCatalogueImageSizesMiB } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws({ rds: { timings: { snapshotMs: 60_000 } } });

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const OLD = "metadata/registry:2.0.10";
const NEW = "metadata/registry:2.0.11";

/**
 * A deployment as mcctl makes it: its database on RDS (so an upgrade would snapshot it), a service at 1 task on
 * `instances` container instances, the images' sizes declared so that pulls take time.
 */
async function deployment(instances = 1, image = OLD, memoryMiB?: number) {
  const db = sim.rds.addInstance({
    DBInstanceIdentifier: "model-catalogue",
    Engine: "mysql",
    EngineVersion: "8.0.40",
    DBInstanceClass: "db.t3.small",
    AllocatedStorage: 20,
    MasterUsername: "mc",
    DBName: "mc",
    status: "available",
  });
  sim.ecs.addCluster("default");
  const arns = Array.from(
    { length: instances },
    (_, index) =>
      sim.ecs.addContainerInstance("default", { ec2InstanceId: `i-0abc${index}`, memoryMiB })
        .containerInstanceArn ?? "",
  );
  for (const [repository, mib] of Object.entries(modelCatalogueImageSizesMiB)) {
    sim.ecs.setImageSize(repository, mib);
  }
  const input = mcTaskDefinition({ family: "model-catalogue", image });
  input.containerDefinitions?.[0]?.environment?.push({
    name: "METADATA_JDBC_URL",
    value: `jdbc:mysql://${db.Endpoint?.Address}:3306/mc`,
  });
  sim.ecs.registerTaskDefinition(input);
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(120_000);
  sim.clearCalls();
  return arns;
}

const upgrade = (raw: Record<string, unknown>, context = testContext({ options: { yes: true } })) =>
  runUpgrade(context, UpgradeOptionsSchema.parse({ pollInterval: "3s", ...raw }));

const failure = (promise: Promise<unknown>) =>
  runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught as McctlError,
  );

const serviceRunning = () => {
  const service = sim.ecs.describeServices({ cluster: "default", services: ["mc"] }).services?.[0];
  const running = sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "RUNNING" })
    .map((task) => task.taskDefinitionArn?.split("/").pop());
  return {
    desiredCount: service?.desiredCount,
    revision: service?.taskDefinition?.split("/").pop(),
    running,
  };
};

const index = (command: string, from = 0) =>
  sim.calls.findIndex((call, at) => at >= from && call.command === command);

describe("upgrade --tag pre-pulls the new images through ECS before anything stops", () => {
  it("a tag that does not exist ends the upgrade before the snapshot, the service untouched", async () => {
    await deployment();
    sim.ecs.refuseImage(NEW);
    const error = await failure(upgrade({ tag: "2.0.11" }));
    expect(error).toBeInstanceOf(McctlError);
    expect(error?.message).toContain(`the pre-pull failed: ${NEW} on i-0abc0: CannotPullContainerError`);
    expect(error?.message).toContain("nothing was stopped: mc still runs model-catalogue:1");
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(0);
    expect(serviceRunning()).toEqual({
      desiredCount: 1,
      revision: "model-catalogue:1",
      running: ["model-catalogue:1"],
    });
    // The one-off revision is deregistered: `register-task` and `destroy` see only the service's family.
    expect(sim.callsOf("DeregisterTaskDefinition").map((call) => call.input.taskDefinition)).toEqual([
      expect.stringMatching(/task-definition\/model-catalogue-prepull:1$/),
    ]);
  });

  it("starts a one-off task on the instance with the new images, waits for exit 0, then snapshots and restarts", async () => {
    const [instance] = await deployment();
    await runUntilSettled(upgrade({ tag: "2.0.11" }));
    const [start] = sim.callsOf("StartTask");
    expect(start?.input).toMatchObject({
      cluster: "default",
      containerInstances: [instance],
      startedBy: "mcctl-prepull",
      tags: expect.arrayContaining([{ key: "managed-by", value: "mcctl" }]),
    });
    const registered = sim.callsOf("RegisterTaskDefinition")[0]?.input;
    expect(registered?.family).toBe("model-catalogue-prepull");
    expect(registered?.containerDefinitions?.map((c) => [c.name, c.image, c.memory, c.portMappings])).toEqual(
      [
        ["mc", NEW, 32, undefined],
        ["mc-es", "metadata/registry-elasticsearch:2", 32, undefined],
      ],
    );
    expect(index("StartTask")).toBeLessThan(index("CreateDBSnapshot"));
    expect(index("CreateDBSnapshot")).toBeLessThan(index("UpdateService"));
    expect(sim.ecs.cachedImages(instance ?? "")).toContain(NEW);
    expect(serviceRunning().running).toEqual(["model-catalogue:2"]);
  });

  it("two container instances: both pre-pulled before the scale-down", async () => {
    const instances = await deployment(2);
    await runUntilSettled(upgrade({ tag: "2.0.11" }));
    const started = sim.callsOf("StartTask").map((call) => call.input.containerInstances?.[0]);
    expect(started.sort()).toEqual([...instances].sort());
    const scaleDown = sim.callsOf("UpdateService").find((call) => call.input.desiredCount === 0);
    const lastStop = Math.max(
      ...sim.ecs
        .tasks({ lastStatus: "STOPPED" })
        .filter((task) => task.startedBy === "mcctl-prepull")
        .map((task) => task.stoppedAt?.getTime() ?? Number.POSITIVE_INFINITY),
    );
    expect(scaleDown?.at).toBeGreaterThanOrEqual(lastStop);
    for (const instance of instances) expect(sim.ecs.cachedImages(instance)).toContain(NEW);
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const)(
    "%s during the pull stops the one-off task and nothing else (exit %i)",
    async (signal, code) => {
      await deployment();
      const context = testContext({ options: { yes: true } });
      const running = upgrade({ tag: "2.0.11" }, context);
      running.catch(() => {});
      await vi.advanceTimersByTimeAsync(5_000);
      expect(sim.callsOf("StartTask")).toHaveLength(1);
      process.emit(signal);
      const error = await failure(running);
      expect(error?.exitCode).toBe(code);
      expect(context.captured.stderr()).toContain(
        "Interrupted: stopping the pre-pull task(s); the service is untouched.",
      );
      expect(sim.callsOf("StopTask").map((call) => call.input.task)).toEqual([
        (sim.callsOf("StartTask")[0]?.output as { tasks?: { taskArn?: string }[] } | undefined)?.tasks?.[0]
          ?.taskArn,
      ]);
      expect(sim.callsOf("UpdateService")).toHaveLength(0);
      expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(
        sim.ecs.tasks({ lastStatus: "RUNNING" }).filter((task) => task.startedBy === "mcctl-prepull"),
      ).toEqual([]);
      expect(serviceRunning()).toMatchObject({ desiredCount: 1, running: ["model-catalogue:1"] });
    },
  );

  it("--dry-run shows the pre-pull step with each instance's memory left; --no-prepull warns and starts none", async () => {
    await deployment();
    const context = testContext();
    await runUntilSettled(upgrade({ tag: "2.0.11", dryRun: true }, context));
    const printed = context.captured.stderr();
    expect(printed).toMatch(/1\. pre-pull the new images on the container instance before anything stops/);
    expect(printed).toMatch(/on i-0abc0: \d+ of \d+ MiB registered memory left beside the running task/);
    expect(sim.callsOf("StartTask")).toHaveLength(0);

    const skipped = testContext({ options: { yes: true } });
    await runUntilSettled(upgrade({ tag: "2.0.11", prepull: false }, skipped));
    expect(skipped.captured.stderr()).toContain(
      "No pre-pull: the ECS agent pulls the images as the new task starts",
    );
    expect(sim.callsOf("StartTask")).toHaveLength(0);
    expect(serviceRunning().running).toEqual(["model-catalogue:2"]);
  });
});

describe("the pre-pull's memory beside the running task", () => {
  it("refuses in the plan, naming --no-prepull, when an instance has less memory left than the one-off task needs", async () => {
    // The task takes 14336 MiB (10240 + 4096): 24 MiB are left of 14360.
    await deployment(1, OLD, 14_360);
    const error = await failure(upgrade({ tag: "2.0.11" }));
    expect(error?.message).toBe(
      "the pre-pull needs 64 MiB beside the running task, and i-0abc0 has 24 of 14360 MiB left",
    );
    expect(error?.suggestion).toContain("mcctl upgrade --no-prepull");
    expect(sim.calls.filter((call) => /^(Register|Start|Update|Create)/.test(call.command))).toEqual([]);
  });
});

describe("upgrade without a tag (floating tags) pre-pulls through ECS, without ssh", () => {
  it("fetches the tag's new digest on the host with no ssh access at all, then restarts", async () => {
    const [instance] = await deployment(1, "metadata/registry:2");
    // An ssh that would fail: it must never run.
    const dir = mkdtempSync(join(tmpdir(), "mcctl-no-ssh-"));
    writeFileSync(
      join(dir, "ssh"),
      "#!/bin/sh\necho 'ssh: connect to host: Connection refused' >&2\nexit 255\n",
    );
    chmodSync(join(dir, "ssh"), 0o755);
    vi.stubEnv("PATH", `${dir}:${process.env.PATH ?? ""}`);
    // The simulator runs what is due when asked: the first pull completes before the tag moves.
    sim.advance();
    const digest = sim.ecs.pushImage("metadata/registry:2");
    expect(sim.ecs.cachedImageDigest(instance ?? "", "metadata/registry:2")).not.toBe(digest);

    await runUntilSettled(upgrade({}));
    expect(sim.callsOf("StartTask")).toHaveLength(1);
    expect(index("StartTask")).toBeLessThan(index("UpdateService"));
    expect(sim.calls.filter((call) => call.service === "EC2")).toEqual([]);
    expect(sim.ecs.cachedImageDigest(instance ?? "", "metadata/registry:2")).toBe(digest);
    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0, 1]);
  });
});

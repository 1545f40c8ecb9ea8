// Benchmark of the outage an operator sees during `mcctl upgrade --tag`, with and without the pre-pull:
// mcctl's own code in-process against the test simulator (ECS's default timings, the Model Catalogue
// images' sizes and a stated pull speed), in simulated time. The outage is what `mcctl status` reports:
// from the old task's stoppingAt to the new task's startedAt (src/domain/outage.ts). Run by `npm run bench`.
import FakeTimers from "@sinonjs/fake-timers";
import { runUpgrade, UpgradeOptionsSchema } from "../src/commands/upgrade.js";
import { lastOutage } from "../src/domain/outage.js";
import { DEFAULT_PULL_SPEED_MIB_PER_S, modelCatalogueImageSizesMiB } from "../src/sandbox/sim/ecs-images.js";
import { testContext } from "../test/helpers/context.js";
import { createSimulatedAws } from "../test/helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../test/helpers/sim-fixtures.js";

const POLL_INTERVAL = "3s";
const realTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** libuv's file-system requests: while one is in flight (mcctl.json being saved), simulated time stands. */
const FILE_SYSTEM = new Set(["FSReqCallback", "FSReqPromise", "CloseReq", "FileHandleCloseReq"]);
const fileSystemBusy = () => process.getActiveResourcesInfo().some((name) => FILE_SYSTEM.has(name));

async function outageOf(prepull: boolean) {
  // Real setImmediate: mcctl.json is saved with real file-system work while simulated time stands.
  const clock = FakeTimers.install({
    now: Date.parse("2026-11-25T03:00:00Z"),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
  const sim = createSimulatedAws();
  sim.install();
  try {
    sim.ecs.addCluster("default");
    sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0123456789abcdef0" });
    for (const [repository, mib] of Object.entries(modelCatalogueImageSizesMiB)) {
      sim.ecs.setImageSize(repository, mib);
    }
    sim.ecs.registerTaskDefinition(
      mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.10" }),
    );
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await clock.tickAsync(120_000);
    sim.advance();
    const upgrade = runUpgrade(
      testContext({ options: { yes: true } }),
      UpgradeOptionsSchema.parse({ tag: "2.0.11", snapshot: false, prepull, pollInterval: POLL_INTERVAL }),
    );
    let settled = false;
    const done = upgrade.finally(() => {
      settled = true;
    });
    done.catch(() => {});
    const started = Date.now();
    while (!settled && Date.now() - started < 30 * 60_000) {
      await realTurn();
      if (!fileSystemBusy()) await clock.tickAsync(250);
    }
    await done;
    const upgradeMs = Date.now() - started;
    await clock.tickAsync(1_000);
    sim.advance();
    const outage = lastOutage(sim.ecs.tasks({ serviceName: "mc" }));
    return { outageMs: outage?.durationMs, upgradeMs };
  } finally {
    sim.restore();
    clock.uninstall();
  }
}

const sizes = Object.entries(modelCatalogueImageSizesMiB);
const totalMiB = sizes.reduce((sum, [, mib]) => sum + mib, 0);
const withPrepull = await outageOf(true);
const withoutPrepull = await outageOf(false);
console.log(
  JSON.stringify({
    images: Object.fromEntries(sizes),
    totalMiB,
    pullSpeedMiBps: DEFAULT_PULL_SPEED_MIB_PER_S,
    pollInterval: POLL_INTERVAL,
    withPrepull,
    withoutPrepull,
  }),
);

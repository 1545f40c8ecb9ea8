// A restart against the simulated AWS with real (scaled-down) time, measuring what an operator
// feels: how soon after the old task has STOPPED mcctl scales back up, how many ECS calls each poll
// costs, and the process's peak memory. Run through `npm run bench`, which bundles it first.
import { runRestart } from "../src/commands/restart.js";
import { testContext } from "../test/helpers/context.js";
import { mcServiceInput, mcTaskDefinition } from "../test/sim/fixtures.js";
import { createSimulatedAws } from "../test/sim/index.js";

const POLL_INTERVAL_MS = 300;
const sim = createSimulatedAws({ timings: { provisioningMs: 200, pendingMs: 1_000, stoppingMs: 2_000 } });
sim.install();
sim.ecs.addCluster("default");
sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-bench" });
sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
await new Promise((resolve) => setTimeout(resolve, 2_000));
sim.clearCalls();
const [oldTask] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });

const context = testContext({ options: { yes: true } });
const started = Date.now();
await runRestart(context, {
  timeout: 60_000,
  pollInterval: POLL_INTERVAL_MS,
  checkHealth: false,
  dryRun: false,
  count: 1,
});
const elapsed = Date.now() - started;

const stoppedAt = sim.ecs
  .tasks({ serviceName: "mc" })
  .find((task) => task.taskArn === oldTask?.taskArn)?.stoppedAt;
const scaleUp = sim.callsOf("UpdateService").find((call) => call.input.desiredCount === 1);
const polls = sim.callsOf("DescribeServices").length;
const pollCalls = sim.calls.filter((call) =>
  ["DescribeServices", "ListTasks", "DescribeTasks"].includes(call.command),
);
sim.restore();
console.log(
  JSON.stringify({
    pollIntervalMs: POLL_INTERVAL_MS,
    restartMs: elapsed,
    stoppedToScaleUpMs: scaleUp && stoppedAt ? scaleUp.at - stoppedAt.getTime() : null,
    polls,
    callsPerPoll: pollCalls.length / polls,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);

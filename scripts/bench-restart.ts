// Benchmark of a real `mcctl restart`: the built binary talks over HTTP (--endpoint-url) to the
// simulated AWS served locally (src/sandbox/http/server.ts), with scaled-down ECS timings and real time. Measures
// what an operator feels — how soon after the old task has STOPPED mcctl scales back up, how many
// ECS calls each poll costs — and the mcctl process's peak RSS (VmHWM). Run by `npm run bench`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { serveSimulatedAws } from "../src/sandbox/http/server.js";
import { createSimulatedAws } from "../src/sandbox/sim/index.js";
import { mcServiceInput, mcTaskDefinition } from "../test/helpers/sim-fixtures.js";

const POLL_INTERVAL_MS = 300;

// A random stopping time puts the old task's stop at a different point of mcctl's poll cycle in each run.
const sim = createSimulatedAws({
  timings: {
    // ECS's scheduler acts a moment after UpdateService and its counts lag; scaled down like the rest.
    schedulerDelayMs: 100,
    serviceCountsLagMs: 100,
    pendingMs: 1_000,
    stoppingMs: 2_000 + Math.round(Math.random() * POLL_INTERVAL_MS),
  },
});
const { ecs } = sim;

function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

ecs.addCluster("default");
ecs.addContainerInstance("default", { ec2InstanceId: "i-0123456789abcdef0" });
ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
await new Promise((resolve) => setTimeout(resolve, 2_000));
sim.advance();
const [oldTask] = ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
if (!oldTask) throw new Error("the simulated service did not start");

const server = await serveSimulatedAws(sim);

const started = Date.now();
const child = spawn(
  process.execPath,
  ["bin/mcctl.js", "restart", "--yes", "--poll-interval", `${POLL_INTERVAL_MS}ms`, "--timeout", "1m"],
  {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_ENDPOINT_URL: server.url,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  },
);
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, peakRssMiB(child.pid ?? 0) ?? 0);
}, 20);
let stderr = "";
child.stderr.on("data", (chunk) => {
  stderr += String(chunk);
});
const exitCode = await new Promise<number | null>((resolve) => child.on("exit", resolve));
clearInterval(sampler);
await server.close();
if (exitCode !== 0) throw new Error(`mcctl restart exited ${exitCode}:\n${stderr}`);

sim.advance();
const stoppedAt = ecs
  .tasks({ serviceName: "mc" })
  .find((task) => task.taskArn === oldTask.taskArn)?.stoppedAt;
const calls = server.requests;
const scaleUp = calls.find((call) => call.command === "UpdateService" && call.input.desiredCount === 1);
const polls = calls.filter((call) => call.command === "DescribeServices").length;
const pollCalls = calls.filter((call) =>
  ["DescribeServices", "ListTasks", "DescribeTasks"].includes(call.command),
);
console.log(
  JSON.stringify({
    pollIntervalMs: POLL_INTERVAL_MS,
    restartMs: Date.now() - started,
    stoppedToScaleUpMs: scaleUp && stoppedAt ? scaleUp.at - stoppedAt.getTime() : null,
    polls,
    callsPerPoll: pollCalls.length / polls,
    peakRssMiB: peak,
  }),
);

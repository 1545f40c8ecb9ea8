// Cold-start benchmark: median wall time of fresh processes, against `node -e 0` on the same machine.
// Usage: npm run bench [-- --runs 30]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 25;
const dir = mkdtempSync(join(tmpdir(), "mcctl-bench-"));
const settingsPath = join(dir, "mcctl.json");
writeFileSync(
  settingsPath,
  JSON.stringify({
    region: "eu-west-1",
    environment: {
      METADATA_HOST: "catalogue.example.com",
      METADATA_JDBC_URL:
        "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8",
      METADATA_USERNAME: "mc",
    },
  }),
);
const env = { ...process.env, METADATA_PASSWORD: "bench-only", MC_SUPERVISOR_PASSWORD: "bench-only" };

function time(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const cases = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "mcctl --help", args: ["bin/mcctl.js", "--help"], target: 1.6 },
  {
    name: "mcctl register-task --dry-run --offline",
    args: ["bin/mcctl.js", "register-task", "--dry-run", "--offline", "--config", settingsPath],
    target: 1.8,
  },
];

for (const benchCase of cases) time(benchCase.args); // warm the file-system cache
const samples = new Map(cases.map((benchCase) => [benchCase.name, []]));
for (let run = 0; run < runs; run++) {
  // Interleave the cases so that machine noise hits them alike.
  for (const benchCase of cases) samples.get(benchCase.name).push(time(benchCase.args));
}
rmSync(dir, { recursive: true, force: true });

const baseline = median(samples.get("node -e 0"));
let failed = false;
console.log(`cold start, median of ${runs} runs (node ${process.version})`);
for (const benchCase of cases) {
  const value = median(samples.get(benchCase.name));
  const ratio = value / baseline;
  const verdict = benchCase.target ? (ratio <= benchCase.target ? "ok" : "OVER TARGET") : "baseline";
  if (verdict === "OVER TARGET") failed = true;
  const target = benchCase.target ? ` (target ≤ ${benchCase.target.toFixed(1)}×)` : "";
  console.log(
    `${benchCase.name.padEnd(38)} ${value.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}×${target} ${verdict}`,
  );
}
process.exitCode = failed ? 1 : 0;

// Simulated restart: bundle the bench (it uses the test simulator) and run it in a fresh process so
// that its peak RSS is the restart's own.
const { build } = await import("esbuild");
/** Bundles a bench script that uses the test simulator; returns the bundle's path. */
async function bundleBench(name) {
  const outfile = `node_modules/.cache/mcctl-bench/${name}.mjs`;
  await build({
    entryPoints: [`scripts/bench-${name}.ts`],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    packages: "external",
    logLevel: "warning",
  });
  return outfile;
}
const bundle = await bundleBench("restart");
// Where in the poll cycle the old task stops is chance: run the restart a few times and report the
// median and the worst delay.
const RESTART_RUNS = 5;
const restarts = [];
for (let run = 0; run < RESTART_RUNS; run++) {
  const restartRun = spawnSync(process.execPath, [bundle], { encoding: "utf8" });
  if (restartRun.status !== 0) throw new Error(`restart bench failed: ${restartRun.stderr}`);
  restarts.push(JSON.parse(restartRun.stdout.trim().split("\n").pop()));
}
const delays = restarts.map((run) => run.stoppedToScaleUpMs ?? Number.POSITIVE_INFINITY);
const restart = {
  pollIntervalMs: restarts[0].pollIntervalMs,
  polls: median(restarts.map((run) => run.polls)),
  restartMs: median(restarts.map((run) => run.restartMs)),
  stoppedToScaleUpMs: median(delays),
  worstStoppedToScaleUpMs: Math.max(...delays),
  callsPerPoll: Math.max(...restarts.map((run) => run.callsPerPoll)),
  peakRssMiB: Math.max(...restarts.map((run) => run.peakRssMiB)),
};
const checks = [
  [
    "STOPPED → scale-up call (median)",
    `${restart.stoppedToScaleUpMs} ms`,
    `≤ one poll interval (${restart.pollIntervalMs} ms)`,
    restart.stoppedToScaleUpMs <= restart.pollIntervalMs,
  ],
  [
    "STOPPED → scale-up call (worst)",
    `${restart.worstStoppedToScaleUpMs} ms`,
    "information: one interval plus the poll's own latency at most",
    null,
  ],
  ["ECS calls per poll (worst run)", restart.callsPerPoll.toFixed(2), "≤ 3", restart.callsPerPoll <= 3],
  [
    "peak RSS of a restart (worst run)",
    `${restart.peakRssMiB.toFixed(1)} MiB`,
    "< 150 MiB",
    restart.peakRssMiB < 150,
  ],
];
console.log(
  `\nsimulated restart of the built binary, ${RESTART_RUNS} runs (median ${restart.polls} polls, ${restart.restartMs} ms with scaled-down ECS timings)`,
);
for (const [name, value, target, ok] of checks) {
  if (ok === false) failed = true;
  const verdict = ok === null ? "" : ok ? " ok" : " OVER TARGET";
  console.log(
    `${name.padEnd(38)} ${value.padStart(10)}  (${ok === null ? "" : "target "}${target})${verdict}`,
  );
}
process.exitCode = failed ? 1 : 0;

// Simulated outage of `upgrade --tag`, with and without the pre-pull: mcctl in-process against the
// simulator in simulated time (ECS's default timings, the images' stated sizes and pull speed).
const outageBundle = await bundleBench("outage");
const outageRun = spawnSync(process.execPath, [outageBundle], { encoding: "utf8" });
if (outageRun.status !== 0) throw new Error(`outage bench failed: ${outageRun.stderr}`);
const outage = JSON.parse(outageRun.stdout.trim().split("\n").pop());
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `\nsimulated outage of upgrade --tag (old task stoppingAt → new task startedAt), images ${Object.entries(
    outage.images,
  )
    .map(([image, mib]) => `${image} ${mib} MiB`)
    .join(", ")}, pulled at ${outage.pullSpeedMiBps} MiB/s, poll ${outage.pollInterval}`,
);
console.log(`${"with the pre-pull".padEnd(38)} ${seconds(outage.withPrepull.outageMs).padStart(10)}`);
console.log(
  `${"without (--no-prepull)".padEnd(38)} ${seconds(outage.withoutPrepull.outageMs).padStart(10)}  (target: more than with)${
    outage.withoutPrepull.outageMs > outage.withPrepull.outageMs ? " ok" : " OVER TARGET"
  }`,
);
if (!(outage.withoutPrepull.outageMs > outage.withPrepull.outageMs)) failed = true;
process.exitCode = failed ? 1 : 0;

// The sandbox: the README's `--sandbox setup --yes` on a new sandbox account (the part of the first command
// after npm ci and the build), then a cold `--sandbox status`, which opens the account and replays its
// journal. Target: the setup well within the minute the README promises for the whole first command.
const sandboxDir = mkdtempSync(join(tmpdir(), "mcctl-bench-sandbox-"));
const sandboxEnv = { PATH: process.env.PATH, HOME: sandboxDir, NO_COLOR: "1" };
function timeSandbox(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(process.cwd(), "bin/mcctl.js"), "--sandbox", ...args], {
    cwd: sandboxDir,
    env: sandboxEnv,
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`--sandbox ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
const setupMs = timeSandbox(["setup", "--yes"]);
const statusRuns = Array.from({ length: 5 }, () => timeSandbox(["status"]));
const journalLines = spawnSync("wc", ["-l", join(sandboxDir, ".mcctl", "sandbox.jsonl")], {
  encoding: "utf8",
}).stdout.trim();
rmSync(sandboxDir, { recursive: true, force: true });
const SANDBOX_SETUP_TARGET_MS = 45_000;
console.log(`\nsandbox (${journalLines.split(" ")[0]} journal lines after setup)`);
console.log(
  `${"--sandbox setup --yes".padEnd(38)} ${seconds(setupMs).padStart(10)}  (target ≤ ${seconds(SANDBOX_SETUP_TARGET_MS)}) ${
    setupMs <= SANDBOX_SETUP_TARGET_MS ? "ok" : "OVER TARGET"
  }`,
);
console.log(`${"--sandbox status (median of 5)".padEnd(38)} ${median(statusRuns).toFixed(0).padStart(7)} ms`);
if (setupMs > SANDBOX_SETUP_TARGET_MS) failed = true;
process.exitCode = failed ? 1 : 0;

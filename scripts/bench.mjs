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
    name: "mcctl register-task --dry-run --yes",
    args: ["bin/mcctl.js", "register-task", "--dry-run", "--yes", "--config", settingsPath],
    target: 2.0,
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
const bundle = "node_modules/.cache/mcctl-bench/restart.mjs";
await build({
  entryPoints: ["scripts/bench-restart.ts"],
  outfile: bundle,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  packages: "external",
  logLevel: "warning",
});
const restartRun = spawnSync(process.execPath, [bundle], {
  env: {
    ...process.env,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
  },
  encoding: "utf8",
});
if (restartRun.status !== 0) throw new Error(`restart bench failed: ${restartRun.stderr}`);
const restart = JSON.parse(restartRun.stdout.trim().split("\n").pop());
const checks = [
  [
    "STOPPED → scale-up call",
    `${restart.stoppedToScaleUpMs} ms`,
    `≤ one poll interval (${restart.pollIntervalMs} ms)`,
    restart.stoppedToScaleUpMs !== null && restart.stoppedToScaleUpMs <= restart.pollIntervalMs,
  ],
  ["ECS calls per poll", restart.callsPerPoll.toFixed(2), "≤ 3", restart.callsPerPoll <= 3],
  ["peak RSS of a restart", `${restart.peakRssMiB.toFixed(1)} MiB`, "< 150 MiB", restart.peakRssMiB < 150],
];
console.log(
  `\nsimulated restart (${restart.polls} polls, ${restart.restartMs} ms with scaled-down ECS timings)`,
);
for (const [name, value, target, ok] of checks) {
  if (!ok) failed = true;
  console.log(`${name.padEnd(38)} ${value.padStart(10)}  (target ${target}) ${ok ? "ok" : "OVER TARGET"}`);
}
process.exitCode = failed ? 1 : 0;

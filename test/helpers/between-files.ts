/**
 * Runs before every test file (vitest.config.ts: setupFiles). The suite runs with `isolate: false`: a
 * worker process is reused from one test file to the next instead of starting a new node process and
 * importing the AWS SDK again for each of the 128 files, which was most of `npm test`'s time. What a
 * new process gave each file for free is restored here, before the file's own imports run:
 *
 * - its own copy of every module of src/ and test/ (module state such as a lazily loaded prompt
 *   library is not carried over); node_modules stay loaded, which is the point;
 * - the environment the worker started with (a test that sets NO_COLOR or AWS_PROFILE and does not
 *   put it back affects only its own file);
 * - real timers;
 * - no listeners left on process signals by a command that was interrupted and never cleaned up.
 *
 * After the file, it fails the file that left an AWS SDK client stubbed (aws-sdk-client-mock's
 * `mockClient` without `restore()`): the next file in the worker could not install the simulator.
 */
import { afterAll, vi } from "vitest";

type Listener = (...args: unknown[]) => void;

interface Baseline {
  env: Record<string, string | undefined>;
  listeners: Map<string, Set<Listener>>;
}

const WATCHED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "exit"];
// Node types process.listeners() per event name; these are all plain listener lists.
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals) as Listener[];
const KEY = Symbol.for("mcctl.test.between-files.baseline");
const store = globalThis as { [KEY]?: Baseline };

/** Taken once per worker, by the first file it runs: what a fresh process looks like. */
store[KEY] ??= {
  env: { ...process.env },
  listeners: new Map(WATCHED_EVENTS.map((event) => [event, new Set(listenersOf(event))])),
};
const baseline: Baseline = store[KEY];

function restoreEnvironment(): void {
  for (const key of Object.keys(process.env)) {
    // Vitest's own variables (worker and pool ids) are its business.
    if (key.startsWith("VITEST")) continue;
    if (!(key in baseline.env)) delete process.env[key];
  }
  for (const [key, value] of Object.entries(baseline.env)) {
    if (key.startsWith("VITEST")) continue;
    if (value === undefined) delete process.env[key];
    else if (process.env[key] !== value) process.env[key] = value;
  }
}

function removeLeftoverListeners(): void {
  for (const event of WATCHED_EVENTS) {
    const kept = baseline.listeners.get(event) ?? new Set();
    for (const listener of listenersOf(event)) {
      if (!kept.has(listener)) process.removeListener(event, listener);
    }
  }
}

vi.useRealTimers();
restoreEnvironment();
removeLeftoverListeners();
vi.resetModules();

/** The SDK clients the simulator and the tests stub (loaded once per worker, then cached). */
const CLIENT_MODULES = [
  ["@aws-sdk/client-ecs", "ECSClient"],
  ["@aws-sdk/client-ec2", "EC2Client"],
  ["@aws-sdk/client-s3", "S3Client"],
  ["@aws-sdk/client-rds", "RDSClient"],
  ["@aws-sdk/client-sts", "STSClient"],
  ["@aws-sdk/client-iam", "IAMClient"],
  ["@aws-sdk/client-ssm", "SSMClient"],
  ["@aws-sdk/client-cloudwatch-logs", "CloudWatchLogsClient"],
] as const;

afterAll(async () => {
  const stubbed: string[] = [];
  for (const [specifier, name] of CLIENT_MODULES) {
    const module = (await import(specifier)) as Record<string, { prototype: { send: unknown } }>;
    const send = module[name]?.prototype.send as { isSinonProxy?: boolean; restore?: () => void } | undefined;
    if (!send?.isSinonProxy) continue;
    stubbed.push(name);
    // Put it back so that only this file fails, not the next one in the worker.
    send.restore?.();
  }
  if (stubbed.length > 0) {
    throw new Error(
      `this file left ${stubbed.join(", ")}.prototype.send stubbed: call restore() on what mockClient() ` +
        "returned (or sim.restore()) in afterAll/afterEach, or the next file in this worker cannot stub it",
    );
  }
});

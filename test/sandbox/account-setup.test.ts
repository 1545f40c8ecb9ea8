import { copyFileSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LogsOptionsSchema, runLogs } from "../../src/commands/logs.js";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runStatus } from "../../src/commands/status.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { openSandboxAccount, type SandboxAccount } from "../../src/sandbox/account.js";
import { testContext } from "../helpers/context.js";
import { installSimulation } from "../helpers/sim.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/**
 * mcctl against a fresh sandbox account, as `mcctl --sandbox` will run it (in-process here, its SDK clients
 * routed to the account's journaling `send`): setup runs to a steady service in seconds of sandbox time, and
 * a deployment's life (restarts, upgrades) leaves a journal that a later process replays exactly, quickly.
 */
const SECRETS = {
  METADATA_PASSWORD: "Sandbox-Db-Pass-1",
  MC_SUPERVISOR_PASSWORD: "Sandbox-Sup-Pass-1",
  MC_S3_KEY: "AKIASANDBOXAPPKEY",
  MC_S3_SECRET: "Sandbox-S3-Secret",
};
const ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge" } },
};
/** mcctl polling every second, as the sandbox makes worthwhile. */
const POLL = "1s";

const stateFile = join(mkdtempSync(join(tmpdir(), "mcctl-sandbox-life-")), "account.jsonl");
const settingsPath = join(mkdtempSync(join(tmpdir(), "mcctl-sandbox-life-")), "mcctl.json");
let account: SandboxAccount;
let plugged: { restore(): void };

beforeAll(() => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
  account = openSandboxAccount(stateFile, { seed: 19 });
  plugged = installSimulation(account.sim);
});
afterAll(() => {
  plugged.restore();
  account.close();
  vi.useRealTimers();
});

const context = (settings?: Settings, env: NodeJS.ProcessEnv = {}) =>
  testContext({ settings, settingsPath, env, options: { yes: true } });
const run = <T>(promise: Promise<T>) => runUntilSettled(promise, 60 * 60_000, 250);
const runningTasks = () => account.sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });

describe("mcctl on a fresh sandbox account", () => {
  it("setup --yes finds what a new account has and ends with a steady service, its AWS waits taking seconds", async () => {
    const started = Date.now();
    const setupContext = context(ANSWERS, SECRETS);
    const outcome = await run(
      runSetupCommand(setupContext, SetupOptionsSchema.parse({ pollInterval: POLL })),
    );
    const tookMs = Date.now() - started;

    expect(outcome).toMatchObject({ complete: true, dryRun: false });
    expect(runningTasks()).toHaveLength(1);
    // RDS creating and backing up (8 s), the instance (3 s), IAM (2 s), the task (3 s) and mcctl's polls.
    expect(tookMs).toBeLessThan(40_000);
    console.info(`sandbox: setup --yes took ${tookMs / 1000} s of sandbox time`);
  });

  it("`logs` shows the container's first lines right after it started", async () => {
    const logsContext = context();
    await run(runLogs(logsContext, LogsOptionsSchema.parse({ since: "10m" })));
    expect(logsContext.captured.stdout()).toContain("INFO  Starting Grails application");
  });

  it("restarts and upgrades: a deployment's life on the account", async () => {
    for (let round = 0; round < 40; round++) {
      await run(runRestart(context(), RestartOptionsSchema.parse({ pollInterval: POLL })));
      // The operator looks at the service and its logs in between, a minute later.
      await vi.advanceTimersByTimeAsync(60_000);
      await run(runStatus(context()));
      await run(runLogs(context(), LogsOptionsSchema.parse({ since: "5m" })));
    }
    await run(runUpgrade(context(), UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: POLL })));
    await run(runRestart(context(), RestartOptionsSchema.parse({ pollInterval: POLL })));
    await run(runUpgrade(context(), UpgradeOptionsSchema.parse({ tag: "2.0.2", pollInterval: POLL })));
    expect(runningTasks().map((task) => task.containers?.[0]?.image)).toEqual(["metadata/registry:2.0.2"]);
  });
});

describe("the journal of that life, replayed by a later process", () => {
  it("rebuilds the very same account, quickly: describes agree, and the next ids drawn are the same", async () => {
    // An hour later: what was due in between (stopped tasks purged, the next log lines) has happened.
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    const at = Date.now();
    const before = await look(account);
    const live = account.sim.calls.map(outcomeOf);
    plugged.restore();
    account.close();
    const copy = `${stateFile}.copy`;
    copyFileSync(stateFile, copy);

    // As `mcctl --sandbox` opens it; in real time, the fake clock standing still at the hour's end meanwhile.
    vi.useRealTimers();
    const opening = performance.now();
    const reopened = openSandboxAccount(stateFile, { now: () => at });
    const openMs = performance.now() - opening;
    expect(reopened.replayed).toBe(live.length);
    expect(await look(reopened)).toEqual(before);
    const probe = await probeIds(reopened);
    reopened.close();
    console.info(
      `sandbox: opening a journal of ${live.length} calls (${statSync(stateFile).size} bytes) took ${Math.round(openMs)} ms`,
    );
    expect(live.length).toBeGreaterThan(2_000);

    // Replayed in full, every handler run again and its output kept: each call answers as it did live.
    account = openSandboxAccount(copy, { now: () => at, keepReplayedOutputs: true });
    plugged = installSimulation(account.sim);
    expect(account.sim.calls.map(outcomeOf)).toEqual(live);
    expect(await look(account)).toEqual(before);
    expect(await probeIds(account)).toEqual(probe);
  });
});

/** What the account holds, as describe calls answer (without the request ids). */
async function look(target: SandboxAccount): Promise<unknown[]> {
  const describes: Array<[string, string, object]> = [
    ["ECS", "DescribeServices", { cluster: "default", services: ["mc"] }],
    ["ECS", "ListTasks", { cluster: "default", desiredStatus: "STOPPED" }],
    ["ECS", "ListContainerInstances", { cluster: "default" }],
    ["EC2", "DescribeInstances", {}],
    ["EC2", "DescribeSecurityGroups", {}],
    ["RDS", "DescribeDBInstances", {}],
    ["RDS", "DescribeDBSnapshots", {}],
    ["SSM", "DescribeParameters", {}],
    ["CloudWatchLogs", "DescribeLogGroups", {}],
  ];
  const outputs = [];
  for (const [service, operation, input] of describes) {
    const { $metadata: _, ...output } = (await target.sim.send(service, operation, input)) as {
      $metadata: unknown;
    };
    outputs.push(output);
  }
  return outputs;
}

/** The ids the account draws next: any difference in what it drew before would show. */
async function probeIds(target: SandboxAccount): Promise<unknown> {
  const group = (await target.sim.send("EC2", "CreateSecurityGroup", {
    GroupName: "probe",
    Description: "probe",
  })) as { GroupId?: string; $metadata: { requestId?: string } };
  return { groupId: group.GroupId, requestId: group.$metadata.requestId };
}

/** What a call record says, errors by name and message (the instances differ). */
function outcomeOf(call: {
  service: string;
  command: string;
  at: number;
  output?: unknown;
  error?: unknown;
}) {
  const error = call.error as Error | undefined;
  return {
    call: `${call.service}:${call.command}`,
    at: call.at,
    output: call.output,
    error: error && { name: error.name, message: error.message },
  };
}

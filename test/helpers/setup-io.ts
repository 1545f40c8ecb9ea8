import type { AwsConfig } from "../../src/aws/config.js";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { createIamApi } from "../../src/aws/iam.js";
import { createLogsApi } from "../../src/aws/logs.js";
import { createRdsApi } from "../../src/aws/rds.js";
import { createS3Api } from "../../src/aws/s3.js";
import { createSsmApi } from "../../src/aws/ssm.js";
import { mergeSettings, type Settings } from "../../src/config/settings.js";
import type { ApplyIo } from "../../src/operations/setup/types.js";
import type { PlanIo, SetupAws } from "../../src/plan/setup/types.js";
import type { Asker } from "../../src/ui/prompts.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { scriptedAsker } from "./asker.js";
import { captureOutput } from "./context.js";

/** What setup puts on everything it creates, in the tests. */
export const TEST_TAGS: Readonly<Record<string, string>> = { "managed-by": "mcctl" };

export interface TestPlanIoOptions {
  interactive?: boolean;
  noWait?: boolean;
  settings?: Settings;
  env?: NodeJS.ProcessEnv;
  /** Default: an asker that fails the test on any question. */
  ask?: Asker;
  region?: string;
  accountId?: string;
  knownSecrets?: Record<string, string>;
  tags?: Record<string, string>;
}

/**
 * A PlanIo as `mcctl setup` builds it, with mcctl.json given as `settings`. The warnings and hints a
 * planner shows are captured in the order they came (`messages`), and by kind.
 */
export function testPlanIo(options: TestPlanIoOptions = {}) {
  const warnings: string[] = [];
  const infos: string[] = [];
  const messages: string[] = [];
  const io: PlanIo = {
    ask: options.ask ?? scriptedAsker({}).asker,
    interactive: options.interactive ?? false,
    env: options.env ?? {},
    region: options.region ?? "eu-west-1",
    accountId: options.accountId ?? "123456789012",
    settings: options.settings ?? {},
    ...(options.knownSecrets ? { knownSecrets: options.knownSecrets } : {}),
    noWait: options.noWait ?? false,
    tags: options.tags ?? { ...TEST_TAGS },
    warn: (message) => {
      warnings.push(message);
      messages.push(`warn: ${message}`);
    },
    info: (message) => {
      infos.push(message);
      messages.push(`info: ${message}`);
    },
  };
  /** Everything the planner showed, one message a line: where a leaked secret would show. */
  const all = () => messages.join("\n");
  return { io, warnings, infos, messages, all };
}

export interface TestApplyIoOptions {
  /** mcctl.json as the command saved it right after the confirmation; `current()` adds the updates. */
  settings?: Settings;
  region?: string;
  pollIntervalMs?: number;
  waitTimeoutMs?: number;
  signal?: AbortSignal;
  tags?: Record<string, string>;
}

/**
 * An ApplyIo whose Reporter draws on a captured terminal (no TTY: waits print a line per phase), and
 * whose `save` records each update (`saved`) and merges it into mcctl.json in memory (`current()`).
 */
export function testApplyIo(options: TestApplyIoOptions = {}) {
  const captured = captureOutput();
  let settings: Settings = options.settings ?? {};
  const saved: Settings[] = [];
  const io: ApplyIo = {
    reporter: terminalReporter(captured.output),
    signal: options.signal,
    tags: options.tags ?? { ...TEST_TAGS },
    region: options.region ?? "eu-west-1",
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    waitTimeoutMs: options.waitTimeoutMs ?? 30 * 60_000,
    save: async (update) => {
      saved.push(update);
      settings = mergeSettings(settings, update);
    },
  };
  return { io, captured, saved, current: () => settings };
}

/** The AWS APIs setup uses, built as the command builds them, for a test's simulated account. */
export function setupAwsFor(config: AwsConfig): SetupAws {
  return {
    s3: createS3Api(config),
    rds: createRdsApi(config),
    ec2: createEc2Api(config),
    ecs: createEcsApi(config),
    iam: createIamApi(config),
    ssm: createSsmApi(config),
    logs: createLogsApi(config),
  };
}

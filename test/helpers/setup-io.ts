import type { AwsConfig } from "../../src/aws/config.js";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { createIamApi } from "../../src/aws/iam.js";
import { createRdsApi } from "../../src/aws/rds.js";
import { createS3Api } from "../../src/aws/s3.js";
import { mergeSettings, type Settings } from "../../src/config/settings.js";
import type { PlanLine, SetupAws, SetupIo } from "../../src/operations/setup/types.js";
import type { Asker } from "../../src/ui/prompts.js";
import { captureOutput } from "./context.js";

export interface TestSetupIoOptions {
  interactive?: boolean;
  dryRun?: boolean;
  noWait?: boolean;
  settings?: Settings;
  env?: NodeJS.ProcessEnv;
  ask?: Asker;
  region?: string;
  accountId?: string;
  pollIntervalMs?: number;
  waitTimeoutMs?: number;
}

const refuseToAsk = async () => {
  throw new Error("this test does not expect a question");
};

/** A SetupIo whose settings live in memory, with the plan lines and saved settings inspectable. */
export function testSetupIo(options: TestSetupIoOptions = {}) {
  const captured = captureOutput();
  let settings: Settings = options.settings ?? {};
  const saved: Settings[] = [];
  const lines: PlanLine[] = [];
  const io: SetupIo = {
    output: captured.output,
    ask: options.ask ?? {
      askText: refuseToAsk,
      askSecret: refuseToAsk,
      askConfirm: refuseToAsk,
      askChoice: refuseToAsk,
    },
    interactive: options.interactive ?? false,
    dryRun: options.dryRun ?? false,
    noWait: options.noWait ?? false,
    env: options.env ?? {},
    region: options.region ?? "eu-west-1",
    accountId: options.accountId ?? "123456789012",
    tags: { "managed-by": "mcctl" },
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    waitTimeoutMs: options.waitTimeoutMs ?? 30 * 60_000,
    settings: () => settings,
    remember: async (update) => {
      settings = mergeSettings(settings, update);
      if (!options.dryRun) saved.push(update);
    },
    plan: (line) => {
      lines.push(line);
    },
  };
  return { io, captured, saved, lines, current: () => settings };
}

/** The AWS APIs setup uses, built as the command builds them, for a test's simulated account. */
export function setupAwsFor(config: AwsConfig): SetupAws {
  return {
    s3: createS3Api(config),
    rds: createRdsApi(config),
    ec2: createEc2Api(config),
    ecs: createEcsApi(config),
    iam: createIamApi(config),
  };
}

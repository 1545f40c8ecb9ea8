import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
// Loaded up front: commands import these lazily, and a first load that takes real time while a test
// runs fake time would let minutes of simulated time pass before the command's first AWS call.
import "../../src/aws/ec2.js";
import "../../src/aws/ecs.js";
import "../../src/aws/iam.js";
import "../../src/aws/rds.js";
import "../../src/aws/s3.js";
import "../../src/aws/sts.js";
// The same for the modules register-task's plan loads when it runs (so that its offline dry run starts
// without them), and for what the driver's action loads.
import "../../src/config/deployment.js";
import "../../src/driver/drive.js";
import "../../src/driver/registration.js";
import "../../src/operations/logs.js";
import "../../src/operations/role-propagation.js";
import "../../src/operations/secrets.js";
import "../../src/plan/account.js";
import "../../src/plan/logs.js";
import "../../src/plan/registration.js";
import "../../src/plan/secrets.js";
import "../../src/ui/secrets.js";
import { AwsClients } from "../../src/aws/clients.js";
import { resolveAwsConfig } from "../../src/aws/config.js";
import type { Settings } from "../../src/config/settings.js";
import type { CommandContext, GlobalOptions } from "../../src/context.js";
import { Output } from "../../src/ui/output.js";
import type { Asker } from "../../src/ui/prompts.js";
import { scriptedAsker } from "./asker.js";

export interface CapturedOutput {
  output: Output;
  stdout(): string;
  stderr(): string;
  /** Everything printed, both streams: where a leaked secret would show. */
  all(): string;
}

export function captureOutput(options: { json?: boolean; debug?: boolean } = {}): CapturedOutput {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => {
    out += String(chunk);
  });
  stderr.on("data", (chunk) => {
    err += String(chunk);
  });
  const output = new Output({
    json: options.json ?? false,
    color: false,
    debug: options.debug ?? false,
    stdout,
    stderr,
  });
  return { output, stdout: () => out, stderr: () => err, all: () => out + err };
}

export interface TestContextOptions {
  settings?: Settings;
  settingsPath?: string;
  env?: NodeJS.ProcessEnv;
  interactive?: boolean;
  options?: GlobalOptions;
  json?: boolean;
  /** --debug: the debug lines are captured too (on stderr). */
  debug?: boolean;
  ask?: Asker;
}

/** A CommandContext as createContext builds it, with captured output and no real terminal. */
export function testContext(options: TestContextOptions = {}): CommandContext & { captured: CapturedOutput } {
  const captured = captureOutput({ json: options.json, debug: options.debug });
  const globals = options.options ?? {};
  const env = options.env ?? {};
  return {
    options: globals,
    output: captured.output,
    interactive: options.interactive ?? false,
    settings: {
      // A fresh folder each time: commands save mcctl.json after a change, and tests read it back.
      path: options.settingsPath ?? join(mkdtempSync(join(tmpdir(), "mcctl-test-")), "mcctl.json"),
      exists: options.settings !== undefined,
      settings: options.settings ?? {},
    },
    env,
    cluster: globals.cluster ?? "default",
    service: globals.service ?? "mc",
    aws: new AwsClients(resolveAwsConfig({ region: env.AWS_REGION ?? "eu-west-1", ...globals })),
    ask: options.ask ?? scriptedAsker({}).asker,
    captured,
  };
}

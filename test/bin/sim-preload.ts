/**
 * Plugs the simulated AWS into the BUILT binary, for end-to-end tests on a real terminal:
 *
 *   node --import <this file, bundled> bin/mcctl.js setup …
 *
 * The binary bundles the AWS SDK but loads the clients' shared base class from node_modules
 * ("@smithy/core/client", external in scripts/build.mjs): replacing `Client.prototype.send` there
 * routes every ECS, EC2, S3, RDS, STS, IAM, SSM and CloudWatch Logs call of the binary to one simulator in this process,
 * with no network, no credentials and no SDK middleware. Timings are scaled down for real time.
 *
 * On exit the call log is written as JSON to $MCCTL_SIM_LOG (a test artifact: inputs are kept as
 * sent, secrets included).
 */
import { writeFileSync } from "node:fs";
import { Client } from "@smithy/core/client";
import { createSimulatedAws } from "../helpers/sim.js";
import { seedEmptyAccount } from "../helpers/sim-fixtures.js";

/** What the test reads back from $MCCTL_SIM_LOG. */
export interface LoggedCall {
  service: string;
  command: string;
  input: unknown;
  /** Milliseconds since the epoch, when the call was made. */
  at: number;
  /** The error's name when the call failed. */
  error?: string;
}

/** SDK client class (the build keeps class names) → the simulator's service name. */
const SERVICES: Record<string, string> = {
  ECSClient: "ECS",
  EC2Client: "EC2",
  S3Client: "S3",
  RDSClient: "RDS",
  STSClient: "STS",
  IAMClient: "IAM",
  SSMClient: "SSM",
  CloudWatchLogsClient: "CloudWatchLogs",
};

const sim = createSimulatedAws({
  region: process.env.AWS_REGION ?? "eu-west-1",
  timings: { pendingMs: 500, stoppingMs: 500, schedulerDelayMs: 100, serviceCountsLagMs: 100 },
  ec2: { timings: { pendingMs: 500, ecsRegistrationMs: 500, ecsRegistrationRetryMs: 500 } },
  rds: { timings: { creatingMs: 1_500, backingUpMs: 500 } },
});
seedEmptyAccount(sim);
// A new process starts a new simulator: MCCTL_SIM_SEED=leftovers gives `destroy` something mcctl made
// (a log group and a secret) to find on the empty account.
if (process.env.MCCTL_SIM_SEED === "leftovers") {
  const tags = { "managed-by": "mcctl", application: "model-catalogue" };
  sim.logs.addGroup("/ecs/model-catalogue", { retentionInDays: 30, tags });
  sim.ssm.putParameterDirectly({
    Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
    Value: "Canary-Leftover-Db-1",
    Type: "SecureString",
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
}

type Sendable = { constructor: { name: string }; input?: unknown };

const simulatedSend = function (
  this: { constructor: { name: string }; config?: Record<string, unknown> },
  command: Sendable,
  optionsOrCallback?: unknown,
  callback?: unknown,
): Promise<unknown> | undefined {
  const service = SERVICES[this.constructor.name];
  const name = command.constructor.name.replace(/Command$/, "");
  const result = service
    ? // The resolved client configuration: S3's answers depend on followRegionRedirects.
      sim.send(service, name, command.input ?? {}, this.config ?? {})
    : Promise.reject(new Error(`sim-preload: no simulated service for ${this.constructor.name}`));
  const done = typeof optionsOrCallback === "function" ? optionsOrCallback : callback;
  if (typeof done === "function") {
    result.then(
      (output) => done(null, output),
      (error: unknown) => done(error),
    );
    return undefined;
  }
  return result;
};
(Client.prototype as unknown as { send: typeof simulatedSend }).send = simulatedSend;

const logPath = process.env.MCCTL_SIM_LOG;
if (logPath) {
  process.on("exit", () => {
    const calls: LoggedCall[] = sim.calls.map((call) => ({
      service: call.service,
      command: call.command,
      input: call.input,
      at: call.at,
      ...(call.error === undefined
        ? {}
        : { error: call.error instanceof Error ? call.error.name : String(call.error) }),
    }));
    writeFileSync(logPath, JSON.stringify(calls, null, 2));
  });
}

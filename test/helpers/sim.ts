/**
 * The simulated AWS (src/sandbox/sim/) plugged into the SDK clients in-process with aws-sdk-client-mock:
 *
 *   const sim = createSimulatedAws();
 *   sim.install();                       // every ECS, EC2, S3, RDS, STS, IAM, SSM and CloudWatch Logs client now talks to it
 *   sim.ecs.addCluster("mc");
 *   ...
 *   sim.restore();                       // in afterEach
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { ec2Commands } from "../../src/sandbox/sim/ec2.js";
import { ecsCommands } from "../../src/sandbox/sim/ecs-commands.js";
import { iamCommands } from "../../src/sandbox/sim/iam.js";
import {
  createSimulatedAws as createSimulation,
  type SimulatedAwsOptions,
  type SimulatedAws as Simulation,
} from "../../src/sandbox/sim/index.js";
import { logsCommands } from "../../src/sandbox/sim/logs.js";
import { rdsCommands } from "../../src/sandbox/sim/rds.js";
import { s3Commands } from "../../src/sandbox/sim/s3.js";
import { ssmCommands } from "../../src/sandbox/sim/ssm.js";
import { stsCommands } from "../../src/sandbox/sim/sts.js";

export * from "../../src/sandbox/sim/index.js";

export interface SimulatedAws extends Simulation {
  /** Routes the SDK clients' `send` to the simulator. */
  install(): void;
  /** Puts the real `send` back. Safe to call when not installed. */
  restore(): void;
}

/** A command class as aws-sdk-client-mock's `on()` accepts it. */
type AnyCommandClass = Parameters<AwsStub<object, { $metadata: object }, unknown>["on"]>[0];

/** An SDK client class as aws-sdk-client-mock's `mockClient()` accepts it. */
type AnyClientClass = Parameters<typeof mockClient>[0];

/** Each simulated service's SDK client and command table (operation name → [command class, method]). */
const CLIENTS: ReadonlyArray<readonly [string, AnyClientClass, Record<string, readonly [unknown, string]>]> =
  [
    ["ECS", ECSClient, ecsCommands],
    ["EC2", EC2Client, ec2Commands],
    ["S3", S3Client, s3Commands],
    ["RDS", RDSClient, rdsCommands],
    ["STS", STSClient, stsCommands],
    ["IAM", IAMClient, iamCommands],
    ["SSM", SSMClient, ssmCommands],
    ["CloudWatchLogs", CloudWatchLogsClient, logsCommands],
  ];

export function createSimulatedAws(options: SimulatedAwsOptions = {}): SimulatedAws {
  const sim = createSimulation(options);
  let installed: { restore(): void } | undefined;
  return Object.assign(sim, {
    install() {
      installed ??= installSimulation(sim);
    },
    restore() {
      installed?.restore();
      installed = undefined;
    },
  });
}

/**
 * Routes every SDK client's `send` to `sim.send` (any object with the simulator's `send`, e.g. a sandbox
 * account's journaling one); `restore()` puts the real `send` back.
 */
export function installSimulation(sim: Pick<Simulation, "send">): { restore(): void } {
  const stubs: Array<{ restore(): void }> = [];
  for (const [service, Client, commands] of CLIENTS) {
    const stub = mockClient(Client);
    // Anything not in the table lands here (aws-sdk-client-mock tries `on(...)` behaviours first) and
    // fails as unimplemented.
    stub.send.callsFake(
      (command: { constructor: { name: string }; input: unknown }) =>
        sim.send(service, command.constructor.name.replace(/Command$/, ""), command.input) as Promise<never>,
    );
    for (const [name, [command]] of Object.entries(commands)) {
      stub.on(command as AnyCommandClass).callsFake((input: unknown, getClient: () => { config: unknown }) =>
        // The client's configuration matters to a few answers (S3's followRegionRedirects).
        sim.send(service, name, input, getClient().config as Record<string, unknown>),
      );
    }
    stubs.push(stub);
  }
  return {
    restore() {
      for (const stub of stubs.splice(0)) stub.restore();
    },
  };
}

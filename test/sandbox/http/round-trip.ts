/**
 * Round trips through the sandbox's HTTP server: a real SDK client (serialization, signing, the request
 * handler, deserialization) calls the served simulator, and its output must equal what `sim.send` answers
 * for the same input on a twin simulator set up the same way, at the same (fake) time.
 *
 * Only `Date` is faked (the server, the sockets and the SDK's timers run in real time), so both simulators
 * see the same clock and, seeded alike, make the same ids.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { type SimHttpServer, serveSimulatedAws } from "../../../src/sandbox/http/server.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

export const START = Date.parse("2026-02-02T10:00:00.000Z");

/** A set-up step run on both simulators, or a pause (milliseconds of simulated time). */
export type Step = ((sim: SimulatedAws) => unknown) | number;

/** How to exercise one operation: the state it needs, then its input (read from the served simulator). */
export interface Scenario {
  arrange?: readonly Step[];
  input(sim: SimulatedAws): object;
}

const clients = {
  ECS: ECSClient,
  EC2: EC2Client,
  RDS: RDSClient,
  STS: STSClient,
  IAM: IAMClient,
  SSM: SSMClient,
  CloudWatchLogs: CloudWatchLogsClient,
} as const;

export type ServedService = keyof typeof clients;

/** Fixed credentials: the server does not check signatures, only reads their scope. */
export const credentials = { accessKeyId: "AKIDSANDBOXTEST", secretAccessKey: "sandbox-secret" };

export interface ServedPair {
  /** The simulator behind the server. */
  readonly sim: SimulatedAws;
  /** An identical simulator, called directly. */
  readonly twin: SimulatedAws;
  readonly server: SimHttpServer;
  /** A real SDK client of `service`, pointed at the server (one attempt unless told). */
  client(service: ServedService, options?: { maxAttempts?: number; requestTimeoutMs?: number }): SdkClient;
  /** Runs set-up steps on both simulators. */
  arrange(steps: readonly Step[]): void;
}

export interface SdkClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

/** A served simulator and its twin for each test of the file, with `Date` faked from START. */
export function useServedPair(options: Parameters<typeof createSimulatedAws>[0] = {}): ServedPair {
  let current: { sim: SimulatedAws; twin: SimulatedAws; server: SimHttpServer } | undefined;
  const made: SdkClient[] = [];
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(START);
    const sim = createSimulatedAws(options);
    const twin = createSimulatedAws(options);
    current = { sim, twin, server: await serveSimulatedAws(sim) };
  });
  afterEach(async () => {
    for (const client of made.splice(0)) client.destroy();
    await current?.server.close();
    current = undefined;
    vi.useRealTimers();
  });
  const now = () => {
    if (!current) throw new Error("the served pair exists only inside a test");
    return current;
  };
  return {
    get sim() {
      return now().sim;
    },
    get twin() {
      return now().twin;
    },
    get server() {
      return now().server;
    },
    client(service, clientOptions = {}) {
      const { sim, server } = now();
      const Client = clients[service] as unknown as new (config: object) => SdkClient;
      const client = new Client({
        region: sim.region,
        endpoint: server.url,
        credentials,
        maxAttempts: clientOptions.maxAttempts ?? 1,
        ...(clientOptions.requestTimeoutMs
          ? {
              requestHandler: { requestTimeout: clientOptions.requestTimeoutMs, throwOnRequestTimeout: true },
            }
          : {}),
      });
      made.push(client);
      return client;
    },
    arrange(steps) {
      const { sim, twin } = now();
      for (const step of steps) {
        if (typeof step === "number") vi.setSystemTime(Date.now() + step);
        else {
          step(sim);
          step(twin);
        }
      }
    },
  };
}

/** The output without the response metadata, which differs by nature (request ids, attempts). */
export function withoutMetadata(output: unknown): unknown {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return rest;
}

/**
 * Sends `operation` with the scenario's input through the server and straight to the twin, and expects the
 * same output from both. Returns the output.
 */
export async function expectRoundTrip(
  pair: ServedPair,
  service: ServedService,
  operation: string,
  Command: unknown,
  scenario: Scenario,
): Promise<unknown> {
  pair.arrange(scenario.arrange ?? []);
  const input = scenario.input(pair.sim);
  const CommandClass = Command as new (input: object) => unknown;
  const served = await pair.client(service).send(new CommandClass(structuredClone(input)));
  const direct = await pair.twin.send(service, operation, structuredClone(input));
  expect(withoutMetadata(served)).toEqual(withoutMetadata(direct));
  // The server read the input the client sent (the SDK may add members, e.g. idempotency tokens).
  expect(pair.server.requestsOf(operation, service)).toHaveLength(1);
  expect(pair.sim.callsOf(operation, service).at(-1)?.input).toMatchObject(input);
  return served;
}

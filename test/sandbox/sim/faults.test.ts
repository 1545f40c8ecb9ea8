import {
  AccessDeniedException,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { mcServiceInput, seedMcCluster } from "../../helpers/sim-fixtures.js";

let sim: SimulatedAws;
let client: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  sim = createSimulatedAws();
  sim.install();
  client = new ECSClient({ region: "eu-west-1" });
  seedMcCluster(sim);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const describeMc = () => client.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));

describe("fault injection", () => {
  it("throttling once, then the call succeeds", async () => {
    sim.faults.inject({ service: "ECS", command: "DescribeServices", error: "throttling" });

    const error = await describeMc().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ECSServiceException);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $fault: "client",
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
    await expect(describeMc()).resolves.toMatchObject({ failures: [{ reason: "MISSING" }] });
    expect(sim.callsOf("DescribeServices").map((call) => call.error === undefined)).toEqual([false, true]);
    expect(sim.faults.pending()).toEqual([]);
  });

  it("honours times, after and match, and only hits matching calls", async () => {
    sim.faults.inject({ command: "DescribeServices", error: "server", times: 2, after: 1 });
    sim.faults.inject({
      command: "UpdateService",
      error: "throttling",
      match: (input) => input.desiredCount === 1,
    });
    await client.send(new CreateServiceCommand(mcServiceInput({ desiredCount: 0 })));

    const outcomes = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await describeMc().then(
          () => "ok",
          (e: Error) => e.name,
        ),
      );
    expect(outcomes).toEqual(["ok", "InternalFailure", "InternalFailure", "ok"]);
    await expect(client.send(new ListServicesCommand({ cluster: "mc" }))).resolves.toBeDefined();

    const update = (desiredCount: number) =>
      client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount }));
    await expect(update(0)).resolves.toBeDefined();
    await expect(update(1)).rejects.toMatchObject({ name: "ThrottlingException" });
    await expect(update(1)).resolves.toBeDefined();
  });

  it("server faults are 5xx server faults", async () => {
    sim.faults.inject({ command: "DescribeClusters", error: "server" });
    sim.faults.inject({ command: "DescribeClusters", error: "unavailable" });
    const describe = () => client.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    await expect(describe()).rejects.toMatchObject({
      name: "InternalFailure",
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
    });
    await expect(describe()).rejects.toMatchObject({
      name: "ServiceUnavailable",
      $fault: "server",
      $metadata: { httpStatusCode: 503 },
    });
  });

  it("access denied names the principal, the action and the resource", async () => {
    sim.faults.inject({ command: "CreateService", error: "access-denied" });
    const error = await client.send(new CreateServiceCommand(mcServiceInput())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as Error).message).toBe(
      "User: arn:aws:iam::123456789012:user/test is not authorized to perform: ecs:CreateService on resource: " +
        "arn:aws:ecs:eu-west-1:123456789012:service/mc/mc because no identity-based policy allows the ecs:CreateService action",
    );
    expect(sim.ecs.describeServices({ cluster: "mc", services: ["mc"] }).services).toEqual([]);
  });

  it("dropped connections and timeouts look like Node HTTP handler errors", async () => {
    sim.faults.inject({ error: "connection-reset" });
    sim.faults.inject({ error: "timeout" });
    await expect(describeMc()).rejects.toMatchObject({ code: "ECONNRESET", message: "read ECONNRESET" });
    await expect(describeMc()).rejects.toMatchObject({ name: "TimeoutError" });
    await expect(describeMc()).resolves.toBeDefined();
  });

  it("an applied fault takes effect but loses the response (retrying CreateService is then not idempotent)", async () => {
    sim.faults.inject({ command: "CreateService", error: "connection-reset", applied: true });
    await expect(client.send(new CreateServiceCommand(mcServiceInput()))).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    await expect(client.send(new CreateServiceCommand(mcServiceInput()))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    expect((await describeMc()).services?.[0]?.status).toBe("ACTIVE");
  });

  it("accepts custom errors or error factories; clear() drops everything", async () => {
    const custom = new Error("boom");
    sim.faults.inject({ command: "DescribeServices", error: custom });
    sim.faults.inject({
      command: "DescribeServices",
      error: (call) => new Error(`no ${call.command} today`),
    });
    await expect(describeMc()).rejects.toBe(custom);
    await expect(describeMc()).rejects.toThrow("no DescribeServices today");

    const forever = sim.faults.inject({ command: "DescribeServices", error: "throttling", times: Infinity });
    await expect(describeMc()).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(forever.fired).toBe(1);
    sim.faults.clear();
    expect(forever.remaining).toBe(0);
    await expect(describeMc()).resolves.toBeDefined();
  });
});

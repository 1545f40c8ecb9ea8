import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECS,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { mcServiceInput, seedMcCluster } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");

let sim: SimulatedAws;
let client: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  client = new ECSClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

describe("createSimulatedAws", () => {
  it("rejects commands the simulator does not implement, loudly, and logs them", async () => {
    seedMcCluster(sim);
    sim.faults.inject({ error: "throttling" }); // faults never hide a missing implementation
    await expect(client.send(new RunTaskCommand({ cluster: "mc", taskDefinition: "mc" }))).rejects.toThrow(
      "simulated AWS does not implement ECS:RunTask",
    );
    expect(sim.calls).toEqual([
      expect.objectContaining({ service: "ECS", command: "RunTask", error: expect.any(Error) }),
    ]);
  });

  it("logs every call in order with its time, input and output", async () => {
    seedMcCluster(sim);
    sim.faults.inject({ command: "ListTasks", error: "throttling" });
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(1_000);
    await client.send(new ListTasksCommand({ cluster: "mc" })).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));

    expect(sim.calls.map((call) => [call.command, call.at - T0, call.error === undefined])).toEqual([
      ["CreateService", 0, true],
      ["ListTasks", 1_000, false],
      ["UpdateService", 2_000, true],
    ]);
    const [update] = sim.callsOf("UpdateService");
    expect(update?.input.desiredCount).toBe(0);
    expect(update?.output).toMatchObject({ service: { desiredCount: 0 } });
  });

  it("answers with $metadata, and copies so callers cannot mutate the simulator", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(sim.ecs.timings.schedulerDelayMs); // "has started 1 tasks"
    const first = await client.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
    expect(first.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    first.services?.[0]?.events?.splice(0);
    const second = await client.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
    expect(second.services?.[0]?.events).toHaveLength(1);
  });

  it("works with the aggregated client and SDK waiters under fake timers", async () => {
    seedMcCluster(sim);
    const ecs = new ECS({ region: "eu-west-1" });
    await ecs.createService(mcServiceInput());
    const waiting = waitUntilServicesStable(
      { client, maxWaitTime: 120 },
      { cluster: "mc", services: ["mc"] },
    );
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(waiting).resolves.toMatchObject({ state: "SUCCESS" });
  });

  it("restore() puts the real client back", async () => {
    sim.restore();
    const send = vi.spyOn(ECSClient.prototype, "send").mockResolvedValue({} as never);
    await client.send(new ListTasksCommand({ cluster: "mc" }));
    expect(send).toHaveBeenCalledTimes(1);
    expect(sim.calls).toEqual([]);
    send.mockRestore();
  });
});

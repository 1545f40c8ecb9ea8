/**
 * What the binary tests run mcctl against over HTTP, on 127.0.0.1 only: the simulated AWS with the ECS
 * service `mc` steady (src/sandbox/http/server.ts), and an endpoint that accepts connections and never answers.
 */
import { createServer, type Socket } from "node:net";
import { type SimHttpServer, serveSimulatedAws } from "../../src/sandbox/http/server.js";
import { createSimulatedAws, type EcsSimulator } from "../../src/sandbox/sim/index.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";

export interface World {
  ecs: EcsSimulator;
  server: SimHttpServer;
  desiredCount(): number | undefined;
  close(): Promise<void>;
}

/** A cluster with one instance and the service `mc` steady with one task, served over HTTP. */
export async function world(): Promise<World> {
  const sim = createSimulatedAws({
    timings: { pendingMs: 400, stoppingMs: 1_500, schedulerDelayMs: 50, serviceCountsLagMs: 50 },
  });
  const { ecs } = sim;
  ecs.addCluster("default");
  ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
  ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  const server = await serveSimulatedAws(sim);
  for (let waited = 0; waited < 5_000; waited += 50) {
    sim.advance();
    if (ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" }).length === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    ecs,
    server,
    desiredCount: () => {
      sim.advance();
      return ecs.describeServices({ cluster: "default", services: ["mc"] }).services?.[0]?.desiredCount;
    },
    close: () => server.close(),
  };
}

export interface HungEndpoint {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL. */
  readonly url: string;
  /** How many connections it accepted (each left without an answer). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A TCP server that accepts every connection and reads what is sent, and never answers: what a
 * firewall that swallows the answers, a hung proxy or a dead endpoint behind a load balancer look like.
 */
export async function hungEndpoint(): Promise<HungEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

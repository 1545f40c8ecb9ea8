// Every ECS operation the simulator answers, through a real ECSClient and the sandbox's HTTP server
// (AWS JSON 1.1), against the same call made straight to a twin simulator.

import { describe, it } from "vitest";
import { ecsCommands } from "../../../src/sandbox/sim/ecs-commands.js";
import type { SimulatedAws } from "../../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition, seedMcCluster } from "../../helpers/sim-fixtures.js";
import { expectRoundTrip, type Scenario, useServedPair } from "./round-trip.js";

const pair = useServedPair();

const seed = (sim: SimulatedAws) => seedMcCluster(sim);
const withService = (sim: SimulatedAws) => sim.ecs.createService(mcServiceInput());
const instanceArn = (sim: SimulatedAws) =>
  sim.ecs.listContainerInstances({ cluster: "mc" }).containerInstanceArns?.[0] ?? "";
const taskArn = (sim: SimulatedAws) => sim.ecs.tasks({ cluster: "mc" })[0]?.taskArn ?? "";

const scenarios: Record<keyof typeof ecsCommands, Scenario> = {
  CreateCluster: {
    input: () => ({
      clusterName: "other",
      tags: [{ key: "app", value: "mc" }],
      settings: [{ name: "containerInsights", value: "enabled" }],
    }),
  },
  DescribeClusters: {
    arrange: [seed, withService, 15_000],
    input: () => ({ clusters: ["mc", "missing"], include: ["TAGS", "SETTINGS", "STATISTICS"] }),
  },
  DeleteCluster: { arrange: [(sim) => sim.ecs.addCluster("gone")], input: () => ({ cluster: "gone" }) },
  ListTagsForResource: {
    arrange: [
      (sim) => sim.ecs.createCluster({ clusterName: "tagged", tags: [{ key: "team", value: "data" }] }),
    ],
    input: (sim) => ({
      resourceArn: sim.ecs.describeClusters({ clusters: ["tagged"] }).clusters?.[0]?.clusterArn,
    }),
  },
  ListContainerInstances: { arrange: [seed], input: () => ({ cluster: "mc", status: "ACTIVE" }) },
  DescribeContainerInstances: {
    arrange: [seed, withService, 15_000],
    input: (sim) => ({ cluster: "mc", containerInstances: [instanceArn(sim)], include: ["TAGS"] }),
  },
  DeregisterContainerInstance: {
    arrange: [seed],
    input: (sim) => ({ cluster: "mc", containerInstance: instanceArn(sim), force: true }),
  },
  RegisterTaskDefinition: {
    input: () => ({
      ...mcTaskDefinition({ family: "other" }),
      tags: [{ key: "app", value: "mc" }],
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
    }),
  },
  DescribeTaskDefinition: { arrange: [seed], input: () => ({ taskDefinition: "mc:1", include: ["TAGS"] }) },
  ListTaskDefinitions: {
    arrange: [seed, (sim) => sim.ecs.registerTaskDefinition(mcTaskDefinition())],
    input: () => ({ familyPrefix: "mc", sort: "DESC", maxResults: 1 }),
  },
  DeregisterTaskDefinition: { arrange: [seed], input: () => ({ taskDefinition: "mc:1" }) },
  DeleteTaskDefinitions: {
    arrange: [seed, (sim) => sim.ecs.deregisterTaskDefinition({ taskDefinition: "mc:1" })],
    input: () => ({ taskDefinitions: ["mc:1"] }),
  },
  CreateService: { arrange: [seed], input: () => mcServiceInput({ tags: [{ key: "app", value: "mc" }] }) },
  DescribeServices: {
    arrange: [seed, withService, 15_000],
    input: () => ({ cluster: "mc", services: ["mc", "missing"], include: ["TAGS"] }),
  },
  UpdateService: {
    arrange: [seed, withService, 15_000],
    input: () => ({ cluster: "mc", service: "mc", desiredCount: 0, forceNewDeployment: true }),
  },
  DeleteService: {
    arrange: [seed, withService, 15_000],
    input: () => ({ cluster: "mc", service: "mc", force: true }),
  },
  ListServices: { arrange: [seed, withService], input: () => ({ cluster: "mc", launchType: "EC2" }) },
  ListTasks: {
    arrange: [seed, withService, 15_000],
    input: () => ({ cluster: "mc", serviceName: "mc", desiredStatus: "RUNNING" }),
  },
  DescribeTasks: {
    arrange: [seed, withService, 15_000],
    input: (sim) => ({ cluster: "mc", tasks: [taskArn(sim)], include: ["TAGS"] }),
  },
  StartTask: {
    arrange: [seed],
    input: (sim) => ({
      cluster: "mc",
      taskDefinition: "mc:1",
      containerInstances: [instanceArn(sim)],
      overrides: { containerOverrides: [{ name: "mc", command: ["echo", "hello"] }] },
      startedBy: "test",
    }),
  },
  StopTask: {
    arrange: [seed, withService, 15_000],
    input: (sim) => ({ cluster: "mc", task: taskArn(sim), reason: "test" }),
  },
};

describe("ECS over HTTP (AWS JSON 1.1)", () => {
  it.each(Object.entries(scenarios))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = ecsCommands[operation as keyof typeof ecsCommands];
    await expectRoundTrip(pair, "ECS", operation, Command, scenario);
  });
});

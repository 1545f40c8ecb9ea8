import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/mcctl-task-execution";
const AWSLOGS = "com.amazonaws.ecs.capability.logging-driver.awslogs";
const EXECUTION_ROLE_AWSLOGS = "ecs.capability.execution-role-awslogs";
const SSM_SECRETS = "ecs.capability.secrets.ssm.environment-variables";
/** Scheduler 1 s + PENDING 10 s, counted a second later. */
const TO_RUNNING = 12_000;

let sim: SimulatedAws;
let ecs: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws();
  sim.install();
  ecs = new ECSClient({ region: "eu-west-1" });
  sim.iam.addRole("mcctl-task-execution");
  sim.logs.addGroup("/ecs/mc");
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

/** The mc task definition writing to CloudWatch Logs, through the execution role when `role`. */
function withAwslogs(role: boolean): RegisterTaskDefinitionCommandInput {
  const definition = mcTaskDefinition();
  const logConfiguration = {
    logDriver: "awslogs" as const,
    options: { "awslogs-group": "/ecs/mc", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "mcctl" },
  };
  return {
    ...definition,
    ...(role ? { executionRoleArn: ROLE_ARN } : {}),
    containerDefinitions: (definition.containerDefinitions ?? []).map((container) => ({
      ...container,
      logConfiguration,
    })),
  };
}

async function requires(input: RegisterTaskDefinitionCommandInput): Promise<string[]> {
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return (taskDefinition?.requiresAttributes ?? []).map((attribute) => attribute.name ?? "");
}

async function attributesOf(arn: string | undefined): Promise<string[]> {
  const { containerInstances } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster: "mc", containerInstances: [arn ?? ""] }),
  );
  return (containerInstances?.[0]?.attributes ?? []).map((attribute) => attribute.name ?? "");
}

async function events(): Promise<string[]> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
  return (services?.[0]?.events ?? []).map((event) => event.message ?? "");
}

describe("ECS attributes: what a task definition requires and what an agent registers", () => {
  it("RegisterTaskDefinition: awslogs requires its driver and Docker API 1.18/1.19, the execution role awslogs-through-the-role", async () => {
    expect(await requires(withAwslogs(true))).toEqual(
      expect.arrayContaining([
        AWSLOGS,
        "com.amazonaws.ecs.capability.docker-remote-api.1.18",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19",
        EXECUTION_ROLE_AWSLOGS,
      ]),
    );
    expect(await requires(withAwslogs(false))).not.toContain(EXECUTION_ROLE_AWSLOGS);
    const syslog = await requires({
      ...mcTaskDefinition(),
      containerDefinitions: mcTaskDefinition().containerDefinitions?.map((container) => ({
        ...container,
        logConfiguration: { logDriver: "syslog" },
      })),
    });
    expect(syslog).toEqual([
      "com.amazonaws.ecs.capability.logging-driver.syslog",
      "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    ]);
  });

  it("a container instance registers the agent's default set; withoutAttributes and removeContainerInstanceAttribute take one away", async () => {
    sim.ecs.addCluster("mc");
    const full = addMcHost(sim, "mc").containerInstance;
    const custom = addMcHost(sim, "mc", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] }).containerInstance;

    expect(await attributesOf(full.containerInstanceArn)).toEqual(
      expect.arrayContaining([AWSLOGS, EXECUTION_ROLE_AWSLOGS, SSM_SECRETS]),
    );
    expect(await attributesOf(custom.containerInstanceArn)).not.toContain(EXECUTION_ROLE_AWSLOGS);
    expect(await attributesOf(custom.containerInstanceArn)).toContain(AWSLOGS);

    sim.ecs.removeContainerInstanceAttribute(full.containerInstanceArn ?? "", AWSLOGS);
    expect(await attributesOf(full.containerInstanceArn)).not.toContain(AWSLOGS);
  });

  it("placement: a task is not placed where an attribute it requires is missing, with ECS's event; it goes where it is not", async () => {
    sim.ecs.addCluster("mc");
    const custom = addMcHost(sim, "mc", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] }).containerInstance;
    await ecs.send(new RegisterTaskDefinitionCommand(withAwslogs(true)));

    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);

    expect(sim.ecs.tasks()).toEqual([]);
    expect(await events()).toContainEqual(
      `(service mc) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${custom.containerInstanceArn?.split("/").at(-1)}) is missing an attribute required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
    );

    const full = addMcHost(sim, "mc").containerInstance;
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" }).map((task) => task.containerInstanceArn)).toEqual([
      full.containerInstanceArn,
    ]);
  });

  it("a definition without the execution role still runs on an instance that lacks awslogs-through-the-role", async () => {
    sim.ecs.addCluster("mc");
    addMcHost(sim, "mc", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] });
    await ecs.send(new RegisterTaskDefinitionCommand(withAwslogs(false)));

    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);

    expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toHaveLength(1);
  });
});

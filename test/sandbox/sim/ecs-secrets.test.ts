import {
  ClientException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type PolicyDocument, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const ACCOUNT = "111122223333";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/mcctl-task-execution`;
const PARAMETER = "/mcctl/mc/db-password";
const PARAMETER_ARN = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/mcctl/mc/db-password`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/** Scheduler 1 s + PENDING 10 s, counted a second later. */
const TO_RUNNING = 12_000;

let sim: SimulatedAws;
let ecs: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws({ accountId: ACCOUNT });
  sim.install();
  ecs = new ECSClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** The mc task definition with the DB password from Parameter Store, read with the execution role. */
function withSecrets(
  options: { valueFrom?: string; executionRoleArn?: string | null } = {},
): RegisterTaskDefinitionCommandInput {
  const definition = mcTaskDefinition();
  const [mc, ...rest] = definition.containerDefinitions ?? [];
  return {
    ...definition,
    executionRoleArn: options.executionRoleArn === null ? undefined : (options.executionRoleArn ?? ROLE_ARN),
    containerDefinitions: [
      { ...mc, secrets: [{ name: "MC_DB_PASSWORD", valueFrom: options.valueFrom ?? PARAMETER_ARN }] },
      ...rest,
    ],
  };
}

const readSecrets = (resource = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/mcctl/*`): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: resource }],
});

function seed(options: { inline?: Record<string, PolicyDocument>; agentVersion?: string } = {}) {
  sim.ecs.addCluster("mc");
  const { containerInstance } = addMcHost(sim, "mc", { agentVersion: options.agentVersion });
  sim.iam.addRole("mcctl-task-execution", {
    attached: [EXECUTION_POLICY],
    inline: options.inline ?? { secrets: readSecrets() },
  });
  return containerInstance;
}

async function messages() {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
  return services?.[0]?.events?.map((event) => event.message) ?? [];
}

describe("RegisterTaskDefinition with secrets", () => {
  it("needs an executionRoleArn, and one naming a role IAM has", async () => {
    const noRole = await failure(
      ecs.send(new RegisterTaskDefinitionCommand(withSecrets({ executionRoleArn: null }))),
    );
    expect(noRole).toBeInstanceOf(ClientException);
    expect((noRole as Error).message).toBe(
      "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
    );
    const unknownRole = await failure(ecs.send(new RegisterTaskDefinitionCommand(withSecrets())));
    expect(unknownRole).toMatchObject({ name: "ClientException", message: "Role is not valid" });
    const incomplete = withSecrets();
    const mc = incomplete.containerDefinitions?.[0];
    if (mc) mc.secrets = [{ name: "X", valueFrom: undefined }];
    sim.iam.addRole("mcctl-task-execution");
    expect(await failure(ecs.send(new RegisterTaskDefinitionCommand(incomplete)))).toBeInstanceOf(
      ClientException,
    );
  });

  it("echoes secrets and executionRoleArn, and requires the SSM secrets capability", async () => {
    sim.iam.addRole("mcctl-task-execution");
    await ecs.send(new RegisterTaskDefinitionCommand(withSecrets()));
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:1" }));
    expect(taskDefinition?.executionRoleArn).toBe(ROLE_ARN);
    expect(taskDefinition?.containerDefinitions?.[0]?.secrets).toEqual([
      { name: "MC_DB_PASSWORD", valueFrom: PARAMETER_ARN },
    ]);
    expect(taskDefinition?.requiresAttributes).toContainEqual({
      name: "ecs.capability.secrets.ssm.environment-variables",
    });
  });
});

describe("DeleteTaskDefinitions", () => {
  it("INACTIVE → DELETE_IN_PROGRESS → gone; ACTIVE is a failure; revisions are not reused", async () => {
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "mc:1" }));
    const output = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["mc:1", "mc:2"] }));
    expect(output.taskDefinitions?.map((td) => [td.revision, td.status])).toEqual([
      [1, "DELETE_IN_PROGRESS"],
    ]);
    expect(output.failures).toEqual([
      {
        arn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/mc:2`,
        reason:
          "The specified task definition is still in ACTIVE status. Please deregister the target and try again.",
      },
    ]);
    const listed = async (status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS") =>
      (await ecs.send(new ListTaskDefinitionsCommand({ status }))).taskDefinitionArns?.map(
        (arn) => arn.split("/")[1],
      );
    expect(await listed("DELETE_IN_PROGRESS")).toEqual(["mc:1"]);
    expect(await listed("INACTIVE")).toEqual([]);
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:1" }))).taskDefinition?.status,
    ).toBe("DELETE_IN_PROGRESS");

    await vi.advanceTimersByTimeAsync(sim.ecs.timings.taskDefinitionDeletionMs);
    expect(await listed("DELETE_IN_PROGRESS")).toEqual([]);
    const gone = await failure(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:1" })));
    expect(gone).toMatchObject({ name: "ClientException", message: "Unable to describe task definition." });
    expect(sim.ecs.registerTaskDefinition(mcTaskDefinition()).taskDefinition?.revision).toBe(3);

    const eleven = Array.from({ length: 11 }, (_, i) => `mc:${i + 1}`);
    expect(
      await failure(ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: eleven }))),
    ).toBeInstanceOf(ClientException);
  });

  it("a revision a service still runs stays DELETE_IN_PROGRESS until the service has moved off it", async () => {
    sim.ecs.addCluster("mc");
    addMcHost(sim, "mc");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "mc:1" }));
    await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["mc:1"] }));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toHaveLength(1);
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:1" }))).taskDefinition?.status,
    ).toBe("DELETE_IN_PROGRESS");

    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await ecs.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", taskDefinition: "mc:2" }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(
      await failure(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:1" }))),
    ).toBeInstanceOf(ClientException);
  });

  it("a deleted service holds no revision back: it is deleted once the service's tasks have stopped", async () => {
    sim.ecs.addCluster("mc");
    addMcHost(sim, "mc");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    await ecs.send(new DeleteServiceCommand({ cluster: "mc", service: "mc", force: true }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "mc:1" }));
    await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["mc:1"] }));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sim.ecs.tasks({}).filter((task) => task.lastStatus !== "STOPPED")).toEqual([]);
    expect(
      await failure(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:1" }))),
    ).toBeInstanceOf(ClientException);
    expect(sim.ecs.registerTaskDefinition(mcTaskDefinition()).taskDefinition?.revision).toBe(2);
  });
});

describe("container agent versions", () => {
  it("an agent before 1.22.0 lacks the SSM secrets capability: the task is not placed there", async () => {
    const instance = seed({ agentVersion: "1.20.0" });
    sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "s3cret", Type: "SecureString" });
    sim.ecs.registerTaskDefinition(withSecrets());
    const describe = async () =>
      (
        await ecs.send(
          new DescribeContainerInstancesCommand({
            cluster: "mc",
            containerInstances: [instance.containerInstanceArn ?? ""],
          }),
        )
      ).containerInstances?.[0];
    expect((await describe())?.versionInfo?.agentVersion).toBe("1.20.0");
    expect((await describe())?.attributes?.map((a) => a.name)).not.toContain(
      "ecs.capability.secrets.ssm.environment-variables",
    );

    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    expect(sim.ecs.tasks()).toEqual([]);
    expect(await messages()).toContainEqual(
      `(service mc) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${instance.containerInstanceArn?.split("/").at(-1)}) is missing an attribute required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
    );

    sim.ecs.setContainerInstanceAgentVersion(instance.containerInstanceArn ?? "", "1.22.0");
    expect((await describe())?.attributes?.map((a) => a.name)).toContain(
      "ecs.capability.secrets.ssm.environment-variables",
    );
    await vi.advanceTimersByTimeAsync(sim.ecs.timings.placementRetryMs + TO_RUNNING);
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toHaveLength(1);
  });
});

describe("secrets when a task starts", () => {
  it("puts the parameter's value at start into the environment: a changed secret reaches only a new task", async () => {
    seed();
    sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "first", Type: "SecureString" });
    sim.ecs.registerTaskDefinition(withSecrets());
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    const [task] = sim.ecs.tasks({ lastStatus: "RUNNING" });
    expect(sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc")).toEqual({
      MC_NAME: "Model Catalogue",
      MC_DB_PASSWORD: "first",
    });
    expect(sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc-es")).toEqual({});

    sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "second", Type: "SecureString", Overwrite: true });
    expect(sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc")?.MC_DB_PASSWORD).toBe("first");
    await ecs.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", forceNewDeployment: true }));
    await vi.advanceTimersByTimeAsync(1_000 + 20_000 + TO_RUNNING);
    const [replacement] = sim.ecs.tasks({ lastStatus: "RUNNING" });
    expect(replacement?.taskArn).not.toBe(task?.taskArn);
    expect(sim.ecs.containerEnvironment(replacement?.taskArn ?? "", "mc")?.MC_DB_PASSWORD).toBe("second");
  });

  it("stops the task when the execution role may not call ssm:GetParameters (AmazonECSTaskExecutionRolePolicy alone)", async () => {
    seed({ inline: {} });
    sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "s3cret", Type: "SecureString" });
    sim.ecs.registerTaskDefinition(withSecrets());
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    const [task] = sim.ecs.tasks({ lastStatus: "STOPPED" });
    const taskId = task?.taskArn?.split("/").at(-1);
    expect(task).toMatchObject({ stopCode: "TaskFailedToStart", desiredStatus: "STOPPED" });
    expect(task?.stoppedReason).toMatch(
      new RegExp(
        `^fetching secret data from SSM Parameter Store in eu-west-1: AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/mcctl-task-execution/${taskId} is not authorized to perform: ssm:GetParameters on resource: ${PARAMETER_ARN.replaceAll("/", "\\/")} because no identity-based policy allows the ssm:GetParameters action\\n\\tstatus code: 400, request id: [0-9a-f-]{36}$`,
      ),
    );
    expect(task?.startedAt).toBeUndefined();
    expect(sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc")).toBeUndefined();
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
    expect(services?.[0]?.deployments?.[0]?.failedTasks).toBe(1);
  });

  it("stops the task when a parameter does not exist: invalid parameters", async () => {
    seed();
    sim.ecs.registerTaskDefinition(withSecrets({ valueFrom: PARAMETER }));
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    expect(sim.ecs.tasks({ lastStatus: "STOPPED" })[0]?.stoppedReason).toBe(
      `fetching secret data from SSM Parameter Store in eu-west-1: invalid parameters: ${PARAMETER}`,
    );
  });

  it("needs kms:Decrypt on a customer managed key (not on alias/aws/ssm)", async () => {
    sim.ssm.addKmsKey(KEY);
    seed();
    sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "s3cret", Type: "SecureString", KeyId: KEY });
    sim.ecs.registerTaskDefinition(withSecrets());
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    expect(sim.ecs.tasks({ lastStatus: "STOPPED" })[0]?.stoppedReason).toMatch(
      /^fetching secret data from SSM Parameter Store in eu-west-1: AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access\. \(Service: AWSKMS;/,
    );

    sim.iam.removeRole("mcctl-task-execution");
    sim.iam.addRole("mcctl-task-execution", {
      inline: {
        secrets: readSecrets(),
        kms: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY }],
        },
      },
    });
    // The replacement placed when the first task stopped (at 12 s) still used the old role; the next one runs.
    await vi.advanceTimersByTimeAsync(30_000);
    const [running] = sim.ecs.tasks({ lastStatus: "RUNNING" });
    expect(sim.ecs.containerEnvironment(running?.taskArn ?? "", "mc")?.MC_DB_PASSWORD).toBe("s3cret");
  });

  it("without its execution role (deleted, or not trusting ECS tasks) the agent gets no credentials", async () => {
    seed();
    sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "s3cret", Type: "SecureString" });
    sim.ecs.registerTaskDefinition(withSecrets());
    sim.iam.removeRole("mcctl-task-execution");
    sim.iam.addRole("mcctl-task-execution", {
      trustedService: "ec2.amazonaws.com",
      inline: { secrets: readSecrets() },
    });
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(TO_RUNNING);
    expect(sim.ecs.tasks({ lastStatus: "STOPPED" })[0]?.stoppedReason).toBe(
      "ssm secret resource: unable to find execution role credentials",
    );
  });
});

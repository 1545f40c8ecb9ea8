import {
  AccessDeniedException,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type PolicyDocument, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const ACCOUNT = "111122223333";
const ROLE = "mcctl-task-execution";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const PARAMETER = "/mcctl/mc/db-password";
const PARAMETER_ARN = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter${PARAMETER}`;
const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const TRUST = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
};
const READ_SECRETS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: PARAMETER_ARN }],
};
const ASSUME_ROLE_EVENT =
  `(service mc) failed to launch a task with (error ECS was unable to assume the role '${ROLE_ARN}' that was ` +
  "provided for this task. Please verify that the role being passed has the proper trust relationship and " +
  "permissions and that your IAM user has permissions to pass this role.).";

let sim: SimulatedAws;
let ecs: ECSClient;
let iam: IAMClient;

function start(propagationMs?: number) {
  sim = createSimulatedAws({
    accountId: ACCOUNT,
    ...(propagationMs === undefined ? {} : { iam: { timings: { propagationMs } } }),
  });
  sim.install();
  ecs = new ECSClient({ region: "eu-west-1" });
  iam = new IAMClient({ region: "eu-west-1" });
  sim.ecs.addCluster("mc");
  addMcHost(sim, "mc");
  sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: "db-secret", Type: "SecureString" });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
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

function withSecret(): RegisterTaskDefinitionCommandInput {
  const definition = mcTaskDefinition();
  const [mc, ...rest] = definition.containerDefinitions ?? [];
  return {
    ...definition,
    executionRoleArn: ROLE_ARN,
    containerDefinitions: [
      { ...mc, secrets: [{ name: "MC_DB_PASSWORD", valueFrom: PARAMETER_ARN }] },
      ...rest,
    ],
  };
}

/** The role as mcctl makes it, through the API: created, given the managed policy and read access. */
async function createRoleThroughApi() {
  await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(TRUST) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: EXECUTION_POLICY }));
  await putReadPolicy();
}

const putReadPolicy = () =>
  iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: "secrets",
      PolicyDocument: JSON.stringify(READ_SECRETS),
    }),
  );

async function events() {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
  return services?.[0]?.events?.map((event) => event.message) ?? [];
}

describe("IAM propagation to ECS", () => {
  it("is off by default: a role created through the API is usable at once", async () => {
    start();
    expect(sim.iam.timings.propagationMs).toBe(0);
    await createRoleThroughApi();
    const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(withSecret()));
    expect(taskDefinition?.executionRoleArn).toBe(ROLE_ARN);
  });

  it("RegisterTaskDefinition may not pass a role created less than propagationMs ago, as AWS answers", async () => {
    start(20_000);
    await createRoleThroughApi();
    expect(sim.iam.roleVisibility(ROLE)).toBe("propagating");
    expect(sim.iam.role(ROLE)?.arn).toBe(ROLE_ARN); // IAM itself knows it at once

    const denied = await failure(ecs.send(new RegisterTaskDefinitionCommand(withSecret())));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect((denied as Error).message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/test is not authorized to perform: iam:PassRole on resource: ${ROLE_ARN}`,
    );
    await vi.advanceTimersByTimeAsync(19_000);
    expect(await failure(ecs.send(new RegisterTaskDefinitionCommand(withSecret())))).toBeInstanceOf(
      AccessDeniedException,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sim.iam.roleVisibility(ROLE)).toBe("visible");
    const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(withSecret()));
    expect(taskDefinition?.revision).toBe(1);
  });

  it("a service cannot launch a task with a role ECS does not see yet: one event, no task, a new try 30 s later", async () => {
    start();
    // Registered while the role was there, then the role is made again through the API (someone re-created it).
    sim.iam.addRole(ROLE, { attached: [EXECUTION_POLICY], inline: { secrets: READ_SECRETS } });
    await ecs.send(new RegisterTaskDefinitionCommand(withSecret()));
    sim.iam.setTimings({ propagationMs: 20_000 });
    sim.iam.removeRole(ROLE);
    await createRoleThroughApi();

    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sim.ecs.tasks({ serviceName: "mc" })).toHaveLength(0);
    expect(await events()).toEqual([ASSUME_ROLE_EVENT]);
    // The scheduler tries again placementRetryMs (30 s) after the failed launch; by then the role has arrived.
    await vi.advanceTimersByTimeAsync(25_000);
    expect(sim.ecs.tasks({ serviceName: "mc" })).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sim.ecs.tasks({ serviceName: "mc" })).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(12_000);
    const [task] = sim.ecs.tasks({ serviceName: "mc" });
    expect(task?.lastStatus).toBe("RUNNING");
    expect(sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc")?.MC_DB_PASSWORD).toBe("db-secret");
  });

  it("a policy put seconds ago does not count yet: the task stops on ssm:GetParameters AccessDenied, later ones run", async () => {
    start(30_000);
    sim.iam.addRole(ROLE, { attached: [EXECUTION_POLICY] }); // an existing role without read access
    await ecs.send(new RegisterTaskDefinitionCommand(withSecret()));
    await putReadPolicy();
    expect(sim.iam.roleAllows(ROLE, "ssm:GetParameters", PARAMETER_ARN)).toBe(true); // IAM has it
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ssm:GetParameters", PARAMETER_ARN)).toBe(false);

    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(13_000);
    const [first] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "STOPPED" });
    expect(first?.stopCode).toBe("TaskFailedToStart");
    expect(first?.stoppedReason).toMatch(
      new RegExp(
        `^fetching secret data from SSM Parameter Store in eu-west-1: AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/[0-9a-f]{32} is not authorized to perform: ssm:GetParameters on resource: ${PARAMETER_ARN} because no identity-based policy allows the ssm:GetParameters action`,
      ),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    const running = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
    expect(running).toHaveLength(1);
    expect(sim.ecs.containerEnvironment(running[0]?.taskArn ?? "", "mc")?.MC_DB_PASSWORD).toBe("db-secret");
  });

  it("a policy replaced seconds ago counts as it was before; an attachment counts once it has propagated", async () => {
    start(10_000);
    sim.iam.addRole(ROLE, { inline: { secrets: READ_SECRETS } });
    const other = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/other`;
    const readOther: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: other }],
    };
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: "secrets",
        PolicyDocument: JSON.stringify(readOther),
      }),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    // A second put within the window: ECS still sees the document from before the first.
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: "secrets",
        PolicyDocument: JSON.stringify(readOther),
      }),
    );
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ssm:GetParameters", PARAMETER_ARN)).toBe(true);
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ssm:GetParameters", other)).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ssm:GetParameters", PARAMETER_ARN)).toBe(false);
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ssm:GetParameters", other)).toBe(true);

    await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: EXECUTION_POLICY }));
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ecr:BatchGetImage", "*")).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.iam.roleAllowsAsSeenByServices(ROLE, "ecr:BatchGetImage", "*")).toBe(true);
    expect(sim.iam.roleVisibility("nobody")).toBe("missing");
  });
});

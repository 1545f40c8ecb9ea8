/**
 * Driving a sandbox account (src/sandbox/account.ts) in a test the way mcctl does, through `sim.send`, on a
 * clock the test moves by hand (the account's `now` option): no fake timers needed.
 */
import type { Service, Task } from "@aws-sdk/client-ecs";
import {
  openSandboxAccount,
  type SandboxAccount,
  type SandboxAccountOptions,
} from "../../src/sandbox/account.js";
import { mcTaskDefinition } from "./sim-fixtures.js";
import { TEST_START } from "./simulated-aws.js";

/** Wall-clock time the test sets; accounts opened with it follow it. */
export class ManualClock {
  now = TEST_START;

  advance(ms: number): void {
    this.now += ms;
  }

  open(stateFile: string, options: Omit<SandboxAccountOptions, "now"> = {}): SandboxAccount {
    return openSandboxAccount(stateFile, { seed: 7, ...options, now: () => this.now });
  }
}

export const CLUSTER = "mc";
export const SERVICE = "mc";
export const LOG_GROUP = "/ecs/mc";

/** `sim.send`, typed loosely for tests. */
export function send<T = Record<string, unknown>>(
  account: SandboxAccount,
  service: string,
  operation: string,
  input: object = {},
): Promise<T> {
  return account.sim.send(service, operation, input) as Promise<T>;
}

/**
 * What setup does, in short: a cluster, an instance launched from the recommended ECS-optimized AMI that
 * registers in it, the `mc` task definition (awslogs to LOG_GROUP) and the service `mc`, one task.
 */
export async function createMcService(account: SandboxAccount, clock: ManualClock): Promise<void> {
  await send(account, "ECS", "CreateCluster", { clusterName: CLUSTER });
  const { Parameter } = await send<{ Parameter?: { Value?: string } }>(account, "SSM", "GetParameter", {
    Name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
  });
  await send(account, "EC2", "RunInstances", {
    ImageId: Parameter?.Value,
    InstanceType: "m5.xlarge",
    MinCount: 1,
    MaxCount: 1,
    IamInstanceProfile: { Name: "ecsInstanceRole" },
    UserData: Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${CLUSTER} >> /etc/ecs/ecs.config\n`).toString(
      "base64",
    ),
  });
  await send(account, "CloudWatchLogs", "CreateLogGroup", { logGroupName: LOG_GROUP });
  const definition = mcTaskDefinition();
  for (const container of definition.containerDefinitions ?? []) {
    container.logConfiguration = {
      logDriver: "awslogs",
      options: { "awslogs-group": LOG_GROUP, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "mc" },
    };
  }
  await send(account, "ECS", "RegisterTaskDefinition", definition);
  await waitUntil(clock, async () => {
    const { containerInstanceArns } = await send<{ containerInstanceArns: string[] }>(
      account,
      "ECS",
      "ListContainerInstances",
      { cluster: CLUSTER },
    );
    return containerInstanceArns.length > 0;
  });
  await send(account, "ECS", "CreateService", {
    cluster: CLUSTER,
    serviceName: SERVICE,
    taskDefinition: "mc",
    desiredCount: 1,
    launchType: "EC2",
    deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
  });
  await waitUntil(clock, async () => isSteady(await describeService(account)));
}

export async function describeService(account: SandboxAccount): Promise<Service> {
  const { services } = await send<{ services: Service[] }>(account, "ECS", "DescribeServices", {
    cluster: CLUSTER,
    services: [SERVICE],
  });
  return services[0] as Service;
}

export function isSteady(service: Service): boolean {
  return (
    service.runningCount === 1 &&
    service.pendingCount === 0 &&
    service.deployments?.length === 1 &&
    service.deployments[0]?.rolloutState === "COMPLETED"
  );
}

/** Every task of the service ECS still describes (RUNNING and STOPPED), oldest first. */
export async function serviceTasks(account: SandboxAccount): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"]) {
    const { taskArns } = await send<{ taskArns: string[] }>(account, "ECS", "ListTasks", {
      cluster: CLUSTER,
      serviceName: SERVICE,
      desiredStatus,
    });
    arns.push(...taskArns);
  }
  if (arns.length === 0) return [];
  const { tasks } = await send<{ tasks: Task[] }>(account, "ECS", "DescribeTasks", {
    cluster: CLUSTER,
    tasks: arns,
  });
  return tasks.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
}

/** Polls every second of sandbox time, as mcctl does, until `done` (at most `limitMs`). */
export async function waitUntil(
  clock: ManualClock,
  done: () => Promise<boolean>,
  limitMs = 120_000,
): Promise<number> {
  const start = clock.now;
  while (!(await done())) {
    if (clock.now - start >= limitMs) throw new Error(`not done after ${limitMs} ms of sandbox time`);
    clock.advance(1_000);
  }
  return clock.now - start;
}

/** The messages of a task's container's awslogs stream, in order. */
export async function containerLog(account: SandboxAccount, task: Task, container = "mc"): Promise<string[]> {
  const taskId = task.taskArn?.split("/").pop();
  const { events } = await send<{ events: Array<{ message: string }> }>(
    account,
    "CloudWatchLogs",
    "GetLogEvents",
    { logGroupName: LOG_GROUP, logStreamName: `mc/${container}/${taskId}`, startFromHead: true },
  );
  return events.map((event) => event.message);
}

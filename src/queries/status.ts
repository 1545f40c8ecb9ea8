import type { Image, Instance } from "@aws-sdk/client-ec2";
import type { ContainerInstance, Deployment, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Ec2Api } from "../aws/ec2.js";
import type { EcsApi } from "../aws/ecs.js";
import { appUrl } from "../domain/environment.js";
import { awslogsGroupOf } from "../domain/logs.js";
import { lastOutage, type Outage } from "../domain/outage.js";
import { secretDeliveries } from "../domain/secrets.js";
import { describeStoppedTask, isFailedTask, taskId } from "../domain/service-state.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { McctlError } from "../errors.js";
import {
  type ContainerInstanceStatus,
  containerInstanceStatus,
  endOfSupportWarnings,
  lastSegment,
  lookUpHosts,
  nonEmpty,
} from "./status-instances.js";

export type { ContainerInstanceStatus } from "./status-instances.js";

/** How many of the service's events status shows (ECS keeps the last 100). */
export const STATUS_EVENT_COUNT = 10;

export interface StatusReport {
  /** When mcctl looked (ISO 8601). */
  checkedAt: string;
  cluster: { name: string; status: string; containerInstances: number };
  service: {
    name: string;
    status: string;
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
    /** family:revision the service points at. */
    taskDefinition: string;
    taskDefinitionArn: string;
  };
  /** The containers of that revision and their images (never their environment: it holds secrets). */
  containers: { name: string; image: string }[];
  /** Where that revision's secrets come from: SSM parameters, or plain text in the revision (names only). */
  secrets: { ssm: string[]; plain: string[] };
  /** The CloudWatch Logs group the mc container writes to; undefined when it logs elsewhere (syslog). */
  logGroup?: string | undefined;
  deployments: DeploymentStatus[];
  /** The newest events first. */
  events: { at: string; message: string }[];
  /** Tasks that have not stopped yet (a STOPPING task still holds port 80). */
  tasks: TaskStatus[];
  /** The newest task that stopped without being asked to (within the hour ECS keeps stopped tasks). */
  lastFailedTask?: { taskId: string; stoppedAt?: string; reason: string };
  /** The last restart's or upgrade's outage, from the stopped tasks ECS still shows (about an hour). */
  lastOutage?: Outage | undefined;
  containerInstances: ContainerInstanceStatus[];
  urls: {
    /** METADATA_SCHEME://METADATA_HOST/ from the task definition, where users reach Model Catalogue. */
    app?: string;
    /** Straight to the instances running the task: http://PUBLIC-DNS/. */
    instances: string[];
  };
  /** What --check complains about; empty when healthy. */
  problems: string[];
  healthy: boolean;
  /** What could not be looked up (e.g. EC2 not allowed); the rest of the report stands. */
  warnings: string[];
}

export interface DeploymentStatus {
  id: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface TaskStatus {
  taskId: string;
  taskArn: string;
  lastStatus: string;
  desiredStatus: string;
  taskDefinition: string;
  startedAt?: string;
  containers: { name: string; lastStatus: string; exitCode?: number }[];
  containerInstanceId?: string;
  ec2InstanceId?: string;
  publicDnsName?: string;
  privateIpAddress?: string;
}

export interface StatusRequest {
  cluster: string;
  service: string;
  region?: string;
}

/**
 * Everything an operator looks at when asking "is Model Catalogue all right?", read-only: one
 * DescribeClusters, DescribeServices, DescribeTaskDefinition, two ListTasks, DescribeTasks,
 * ListContainerInstances/DescribeContainerInstances, one DescribeInstances and one DescribeImages.
 */
export async function gatherStatus(
  ecs: EcsApi,
  ec2: () => Promise<Ec2Api>,
  request: StatusRequest,
): Promise<StatusReport> {
  const { cluster, service: serviceName } = request;
  const where = request.region ? ` in ${request.region}` : "";
  const clusterState = await ecs.describeCluster(cluster);
  if (!clusterState || clusterState.status === "INACTIVE") {
    throw new McctlError(
      `ECS cluster ${cluster} ${clusterState ? "is INACTIVE (deleted)" : "does not exist"}${where}`,
      {
        suggestion:
          "Check --cluster (or MCCTL_CLUSTER) and --region, or create the cluster with `mcctl setup`.",
      },
    );
  }
  const service = await ecs.describeService(cluster, serviceName);
  if (!service || service.status === "INACTIVE") {
    throw new McctlError(`service ${serviceName} does not exist in cluster ${cluster}${where}`, {
      suggestion: "Check --service and --cluster, or create it with `mcctl create-service`.",
    });
  }

  const [taskDefinition, tasks, containerInstances] = await Promise.all([
    service.taskDefinition ? ecs.describeTaskDefinition(service.taskDefinition) : undefined,
    serviceTasks(ecs, cluster, serviceName),
    ecs.listContainerInstances(cluster),
  ]);

  const warnings: string[] = [];
  const { ec2Instances, images } = await lookUpHosts(containerInstances, ec2, warnings);

  return buildStatusReport({
    now: Date.now(),
    cluster: { name: clusterState.clusterName ?? cluster, status: clusterState.status ?? "UNKNOWN" },
    service,
    taskDefinition,
    tasks,
    containerInstances,
    ec2Instances,
    images,
    warnings,
  });
}

/** Tasks of the service that have not been asked to stop, plus those asked to stop (stopping or stopped). */
async function serviceTasks(ecs: EcsApi, cluster: string, service: string): Promise<Task[]> {
  const [running, stopped] = await Promise.all([
    ecs.listServiceTasks(cluster, service, "RUNNING"),
    ecs.listServiceTasks(cluster, service, "STOPPED"),
  ]);
  const arns = unique([...running, ...stopped]);
  return arns.length === 0 ? [] : ecs.describeTasks(cluster, arns);
}

export interface StatusInputs {
  now: number;
  cluster: { name: string; status: string };
  service: Service;
  taskDefinition: TaskDefinition | undefined;
  /** The service's tasks, stopped ones included. */
  tasks: readonly Task[];
  /** Every container instance of the cluster. */
  containerInstances: readonly ContainerInstance[];
  ec2Instances: readonly Instance[];
  /** The AMIs the container instances were launched from, as DescribeImages describes them. */
  images?: readonly Image[];
  warnings?: readonly string[];
}

function plainTextWarning(revision: string, taskDefinition: TaskDefinition | undefined): string[] {
  const plain = secretsOf(taskDefinition).plain;
  if (plain.length === 0) return [];
  return [
    `${revision} holds ${plain.join(", ")} in plain text, readable by anyone allowed ecs:DescribeTaskDefinition: \`mcctl register-task\` moves them to SSM`,
  ];
}

function secretsOf(taskDefinition: TaskDefinition | undefined): StatusReport["secrets"] {
  const ssm: string[] = [];
  const plain: string[] = [];
  for (const [name, delivery] of secretDeliveries(taskDefinition)) {
    if (delivery.kind === "plain") plain.push(name);
    else ssm.push(/:parameter(\/.*)$/.exec(delivery.valueFrom)?.[1] ?? delivery.valueFrom);
  }
  return { ssm: ssm.sort(), plain: plain.sort() };
}

/** The report from what AWS answered; pure, so that every rule is tested without AWS. */
export function buildStatusReport(inputs: StatusInputs): StatusReport {
  const { service, taskDefinition } = inputs;
  const ec2ById = new Map(inputs.ec2Instances.map((instance) => [instance.InstanceId, instance]));
  const instanceByArn = new Map(
    inputs.containerInstances.map((instance) => [instance.containerInstanceArn, instance]),
  );

  const liveTasks = inputs.tasks
    .filter((task) => task.lastStatus !== "STOPPED")
    .sort((a, b) => time(a.createdAt) - time(b.createdAt));
  const tasks = liveTasks.map((task): TaskStatus => {
    const containerInstance = instanceByArn.get(task.containerInstanceArn);
    const ec2Instance = ec2ById.get(containerInstance?.ec2InstanceId);
    return {
      taskId: taskId(task.taskArn),
      taskArn: task.taskArn ?? "",
      lastStatus: task.lastStatus ?? "UNKNOWN",
      desiredStatus: task.desiredStatus ?? "UNKNOWN",
      taskDefinition: revisionOf(task.taskDefinitionArn),
      startedAt: iso(task.startedAt),
      containers: (task.containers ?? []).map((container) => ({
        name: container.name ?? "",
        lastStatus: container.lastStatus ?? "UNKNOWN",
        exitCode: container.exitCode,
      })),
      containerInstanceId: task.containerInstanceArn ? lastSegment(task.containerInstanceArn) : undefined,
      ec2InstanceId: containerInstance?.ec2InstanceId,
      publicDnsName: nonEmpty(ec2Instance?.PublicDnsName),
      privateIpAddress: ec2Instance?.PrivateIpAddress,
    };
  });

  const failed = inputs.tasks
    .filter((task) => task.lastStatus === "STOPPED" && isFailedTask(task))
    .sort((a, b) => time(b.stoppedAt) - time(a.stoppedAt))[0];

  const mc = taskDefinition?.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
  const hostPort = mc?.portMappings?.find((mapping) => mapping.hostPort)?.hostPort ?? 80;
  const instanceUrls = unique(
    tasks
      .filter((task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING")
      .map((task) => task.publicDnsName)
      .filter((name) => name !== undefined)
      .map((name) => `http://${name}${hostPort === 80 ? "" : `:${hostPort}`}/`),
  );

  const deployments = (service.deployments ?? []).map(deploymentStatus);
  const containerInstances = inputs.containerInstances.map((instance) =>
    containerInstanceStatus(instance, ec2ById.get(instance.ec2InstanceId), inputs.images ?? []),
  );
  const report: StatusReport = {
    checkedAt: new Date(inputs.now).toISOString(),
    cluster: { ...inputs.cluster, containerInstances: inputs.containerInstances.length },
    service: {
      name: service.serviceName ?? "",
      status: service.status ?? "UNKNOWN",
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
      pendingCount: service.pendingCount ?? 0,
      taskDefinition: revisionOf(service.taskDefinition),
      taskDefinitionArn: service.taskDefinition ?? "",
    },
    containers: (taskDefinition?.containerDefinitions ?? []).map((container) => ({
      name: container.name ?? "",
      image: container.image ?? "",
    })),
    secrets: secretsOf(taskDefinition),
    logGroup: awslogsGroupOf(mc?.logConfiguration)?.group,
    deployments,
    events: (service.events ?? [])
      .slice()
      .sort((a, b) => time(b.createdAt) - time(a.createdAt))
      .slice(0, STATUS_EVENT_COUNT)
      .map((event) => ({ at: iso(event.createdAt) ?? "", message: event.message ?? "" })),
    tasks,
    lastFailedTask: failed && {
      taskId: taskId(failed.taskArn),
      stoppedAt: iso(failed.stoppedAt),
      reason: describeStoppedTask(failed),
    },
    lastOutage: lastOutage(inputs.tasks),
    containerInstances,
    urls: { app: appUrl(mc?.environment), instances: instanceUrls },
    problems: [],
    healthy: true,
    warnings: [
      ...(inputs.warnings ?? []),
      ...plainTextWarning(revisionOf(service.taskDefinition), taskDefinition),
      ...containerInstances.flatMap((instance) => endOfSupportWarnings(instance, inputs.now)),
    ],
  };
  report.problems = problemsOf(report);
  report.healthy = report.problems.length === 0;
  return report;
}

/** What `mcctl status --check` fails on: fewer tasks running than desired, or a deployment under way. */
export function problemsOf(
  report: Pick<StatusReport, "service" | "deployments" | "lastFailedTask">,
): string[] {
  const { service, deployments } = report;
  const problems: string[] = [];
  if (service.status !== "ACTIVE") problems.push(`service ${service.name} is ${service.status}`);
  if (service.runningCount < service.desiredCount) {
    const failure = report.lastFailedTask ? ` (last failed task: ${report.lastFailedTask.reason})` : "";
    problems.push(`running ${service.runningCount} of ${service.desiredCount} tasks${failure}`);
  }
  if (deployments.length > 1) {
    problems.push(`${deployments.length} deployments active: a deployment has not finished`);
  }
  return problems;
}

function deploymentStatus(deployment: Deployment): DeploymentStatus {
  return {
    id: deployment.id ?? "",
    status: deployment.status ?? "UNKNOWN",
    taskDefinition: revisionOf(deployment.taskDefinition),
    desiredCount: deployment.desiredCount ?? 0,
    runningCount: deployment.runningCount ?? 0,
    pendingCount: deployment.pendingCount ?? 0,
    failedTasks: deployment.failedTasks ?? 0,
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
    createdAt: iso(deployment.createdAt),
    updatedAt: iso(deployment.updatedAt),
  };
}

/** "arn:…:task-definition/model-catalogue:3" → "model-catalogue:3". */
export function revisionOf(taskDefinitionArn: string | undefined): string {
  return taskDefinitionArn?.split("/").pop() ?? "(unknown)";
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

function time(date: Date | undefined): number {
  return date?.getTime() ?? 0;
}

function unique<T>(values: readonly (T | undefined)[]): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}

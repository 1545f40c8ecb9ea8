import type { Task } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { revisionName } from "../config/deployment.js";
import { awslogsGroupOf, containerStart, LOG_STREAM_PREFIX, logStreamName } from "../domain/logs.js";
import { taskId } from "../domain/service-state.js";
import { McctlError } from "../errors.js";
import type { LogSource } from "../queries/log-reader.js";

export interface LogRequest {
  cluster: string;
  service: string;
  container: string;
  /** One task by id (or ARN) instead of the service's current ones. */
  task?: string | undefined;
  /** The newest stopped task of the service instead of the running ones. */
  previous: boolean;
}

/**
 * Which log group and streams hold the output asked for: the service's running tasks (a restart brings
 * new ones: look again), the newest stopped one with --previous, or one task. Each stream says whether its
 * container has started: only then does the stream exist. Read-only.
 */
export async function findLogSource(ecs: EcsApi, request: LogRequest): Promise<LogSource> {
  const tasks = await tasksAsked(ecs, request);
  if (tasks.length === 0) {
    throw new McctlError(
      request.previous
        ? `no stopped task of ${request.service} is known (ECS keeps stopped tasks about an hour)`
        : `${request.service} runs no task in cluster ${request.cluster} now`,
      {
        suggestion: request.previous
          ? "Without --previous, mcctl logs reads the running tasks."
          : "`mcctl logs --previous` reads the newest stopped task; `mcctl status` says why none runs.",
      },
    );
  }
  const revisions = new Map<string, Awaited<ReturnType<EcsApi["describeTaskDefinition"]>>>();
  for (const task of tasks) {
    const arn = task.taskDefinitionArn ?? "";
    if (!revisions.has(arn)) revisions.set(arn, await ecs.describeTaskDefinition(arn));
  }
  const awslogsOf = new Map<string, { group: string; prefix: string }>();
  for (const [arn, revision] of revisions) {
    const container = revision.containerDefinitions?.find(
      (candidate) => candidate.name === request.container,
    );
    if (!container) {
      throw new McctlError(`${revisionName(revision)} has no container named ${request.container}`, {
        suggestion: "Use --container mc or --container mc-es.",
      });
    }
    const awslogs = awslogsGroupOf(container.logConfiguration);
    if (!awslogs) {
      throw new McctlError(
        `${revisionName(revision)} sends ${request.container}'s output to ${container.logConfiguration?.logDriver ?? "Docker's default driver"} on the instance, not to CloudWatch Logs`,
        {
          suggestion:
            "`mcctl register-task` moves the logs to CloudWatch Logs (then put the revision in service); until then read them on the instance over ssh.",
        },
      );
    }
    awslogsOf.set(arn, { group: awslogs.group, prefix: awslogs.prefix ?? LOG_STREAM_PREFIX });
  }
  const group = awslogsOf.get(tasks[0]?.taskDefinitionArn ?? "")?.group as string;
  // A revision that writes elsewhere (its log group was changed) has no stream in this group.
  const inGroup = tasks.filter((task) => awslogsOf.get(task.taskDefinitionArn ?? "")?.group === group);
  return {
    group,
    streams: inGroup.map((task) => {
      const id = taskId(task.taskArn);
      // Each revision names its streams with its own prefix.
      const prefix = awslogsOf.get(task.taskDefinitionArn ?? "")?.prefix ?? LOG_STREAM_PREFIX;
      return {
        taskId: id,
        stream: logStreamName(request.container, id, prefix),
        start: containerStart(task, request.container),
        stoppedReason: task.stoppedReason,
      };
    }),
  };
}

async function tasksAsked(ecs: EcsApi, request: LogRequest): Promise<Task[]> {
  if (request.task) {
    const tasks = await ecs.describeTasks(request.cluster, [request.task]);
    if (tasks.length === 0) {
      throw new McctlError(`task ${request.task} was not found in cluster ${request.cluster}`, {
        suggestion: "`mcctl status` lists the service's tasks.",
      });
    }
    return tasks;
  }
  const status = request.previous ? "STOPPED" : "RUNNING";
  const arns = await ecs.listServiceTasks(request.cluster, request.service, status);
  const tasks = arns.length === 0 ? [] : await ecs.describeTasks(request.cluster, arns);
  if (!request.previous) return tasks;
  const stoppedAt = (task: Task) => task.stoppedAt?.getTime() ?? 0;
  const newestFirst = tasks.sort((a, b) => stoppedAt(b) - stoppedAt(a));
  // A task that died before its container started wrote nothing: the newest one that ran is read, and the
  // newest that did not, if it is newer, is named so that the operator learns why it is passed over.
  const ran = newestFirst.find((task) => containerStart(task, request.container) === "started");
  const newest = newestFirst[0];
  if (!ran || !newest) return newestFirst.slice(0, 1);
  return newest === ran ? [ran] : [newest, ran];
}

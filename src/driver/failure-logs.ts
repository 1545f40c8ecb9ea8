import type { Task } from "@aws-sdk/client-ecs";
import { cleanupLimits, withCallLimits } from "../aws/limits.js";
import type { CommandContext } from "../context.js";
import { awslogsGroupOf, containerStart, logStreamName } from "../domain/logs.js";
import { taskId } from "../domain/service-state.js";
import { hasCause } from "../errors.js";
import { DeploymentFailedError } from "../operations/service-monitor.js";
import { lastLogLines } from "../queries/log-reader.js";

/** How many of the stopped container's last lines the failure screen shows. */
export const FAILURE_LOG_LINES = 20;

/**
 * When a deployment failed because a task died, prints the last lines the container that stopped wrote,
 * under its stop reason (already printed): the one screen an operator needs. Best effort: a failure to
 * read the logs is one hint line, never a second error.
 */
export async function printFailureLogs(context: CommandContext, error: unknown): Promise<void> {
  let failed: DeploymentFailedError | undefined;
  hasCause(error, (cause) => {
    if (cause instanceof DeploymentFailedError) failed = cause;
    return failed !== undefined;
  });
  const task = failed?.stoppedTasks.at(-1);
  if (!task?.taskArn || !task.taskDefinitionArn) return;
  const container = stoppedContainer(task);
  const id = taskId(task.taskArn);
  try {
    const ecs = await context.aws.ecs();
    const revision = await ecs.describeTaskDefinition(task.taskDefinitionArn);
    const definition = revision.containerDefinitions?.find((candidate) => candidate.name === container);
    const awslogs = awslogsGroupOf(definition?.logConfiguration);
    if (!awslogs) {
      context.output.hint(
        `${container} of task ${id} logged on the instance (${definition?.logConfiguration?.logDriver ?? "default driver"}): read its output there`,
      );
      return;
    }
    // The awslogs driver creates the stream as the container starts: a task that died before has none,
    // and CloudWatch Logs would refuse to read it.
    const started = (task.createdAt?.getTime() ?? Date.now()) - 60_000;
    const lines =
      containerStart(task, container) === "never"
        ? undefined
        : await lastLogLines(
            await context.aws.logs(),
            {
              group: awslogs.group,
              stream: logStreamName(container, id, awslogs.prefix),
              startTime: started,
            },
            FAILURE_LOG_LINES,
          );
    if (lines === undefined) {
      context.output.hint(
        `${container} of task ${id} wrote nothing: it stopped before its container started (no log stream in ${awslogs.group})`,
      );
      return;
    }
    if (lines.length === 0) {
      context.output.hint(`${container} of task ${id} wrote nothing to ${awslogs.group} before it stopped`);
      return;
    }
    context.output.info(`Last ${lines.length} lines of ${container} (task ${id}, ${awslogs.group}):`);
    for (const line of lines)
      context.output.info(`  ${new Date(line.timestamp).toISOString()} ${line.message}`);
    context.output.hint(`More: mcctl logs --task ${id} --container ${container} --since 1h`);
  } catch (caught) {
    context.output.hint(
      `(the logs of task ${id} could not be read: ${caught instanceof Error ? caught.message : String(caught)})`,
    );
  }
}

/** The container whose exit stopped the task: one that exited non-zero, else one with a reason, else mc. */
function stoppedContainer(task: Task): string {
  const containers = task.containers ?? [];
  return (
    containers.find((container) => container.exitCode !== undefined && container.exitCode !== 0)?.name ??
    containers.find((container) => container.reason)?.name ??
    "mc"
  );
}

/** Reading the failed task's logs gets its own time: the failure may have used up the command's. */
const FAILURE_LOGS_BUDGET_MS = 30_000;

/** printFailureLogs with a budget of its own, after a failure that may have been the deadline itself. */
export function printFailureLogsAfter(context: CommandContext, error: unknown): Promise<void> {
  return withCallLimits(cleanupLimits(FAILURE_LOGS_BUDGET_MS), () => printFailureLogs(context, error));
}

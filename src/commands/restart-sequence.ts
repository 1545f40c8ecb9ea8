import { applyDeadline, type CommandContext } from "../context.js";
import { type RestartRequest, RestartWatch } from "../operations/restart.js";
import { withInterruptTrap } from "../ui/interrupt.js";
import { printFailureLogsAfter } from "./failure-logs.js";
import type { RestartFlags } from "./options.js";

/** What restart, upgrade and rollback hand the restart sequence, apart from the count to restore. */
export type RestartRun = Omit<RestartRequest, "countWhenStopped" | "taskDefinitionArn">;

/**
 * The apply of every command that ends with the restart sequence (restart, upgrade, rollback): traps
 * Ctrl-C, SIGTERM and SIGHUP for the whole apply, and hands `work` the request the flags, the plan's
 * health URL and the command's deadline make.
 */
export function underRestartTrap<T>(
  context: CommandContext,
  flags: Pick<RestartFlags, "timeout" | "pollInterval">,
  healthUrl: string | undefined,
  work: (run: RestartRun, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const watch = new RestartWatch(context.service);
  return withInterruptTrap(context.output, watch, (signal) =>
    withFailureLogs(context, () =>
      work(
        {
          cluster: context.cluster,
          service: context.service,
          healthUrl,
          timeoutMs: flags.timeout,
          deadline: applyDeadline(context, flags.timeout),
          pollIntervalMs: flags.pollInterval,
          signal,
          onPhase: watch.onPhase,
        },
        signal,
      ),
    ),
  );
}

/** A failure of `work` because a task died shows that task's last log lines before it travels on. */
async function withFailureLogs<T>(context: CommandContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await printFailureLogsAfter(context, error);
    throw error;
  }
}

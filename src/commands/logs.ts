import type { CommandContext } from "../context.js";
import { parseSince, phrasePattern } from "../domain/logs.js";
import { verbNamed } from "../driver/catalogue.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ReadingVerb } from "../driver/verb.js";
import { McctlError, UsageError } from "../errors.js";
import { findLogSource } from "../plan/log-sources.js";
import { type ReadEvent, readLogs } from "../queries/log-reader.js";
import { withInterruptTrap } from "../ui/interrupt.js";

const FLAGS = verbNamed("logs").flags;
export const options = optionsSchema(FLAGS);
export const LogsOptionsSchema = options;
export type LogsOptions = OptionsOf<typeof FLAGS>;

/**
 * Read-only: the service's container output from CloudWatch Logs, with timestamps and the container's
 * name (one JSON object a line with --json). --follow goes on across a restart until Ctrl-C.
 */
export async function runLogs(context: CommandContext, options: LogsOptions): Promise<number> {
  const since = parseSince(options.since, Date.now());
  if ("problem" in since) throw new UsageError(since.problem, { suggestion: "See `mcctl logs --help`." });
  if (options.follow && (options.previous || options.task)) {
    throw new UsageError("--follow reads the service's running tasks: leave out --previous and --task");
  }
  const [ecs, logs] = await Promise.all([context.aws.ecs(), context.aws.logs()]);
  const request = {
    cluster: context.cluster,
    service: context.service,
    container: options.container,
    task: options.task,
    previous: options.previous,
  };
  // Started in the middle of a restart, a follow waits for the new task instead of failing.
  const first = await findLogSource(ecs, request).catch((error: unknown) => {
    if (options.follow && error instanceof McctlError && /runs no task/.test(error.message)) return undefined;
    throw error;
  });
  let useFirst = first !== undefined;
  const source = async () => {
    if (useFirst && first) {
      useFirst = false;
      return first;
    }
    return findLogSource(ecs, request);
  };
  const print = (event: ReadEvent) =>
    context.output.record(
      {
        timestamp: new Date(event.timestamp).toISOString(),
        container: options.container,
        task: event.taskId,
        message: event.message,
      },
      `${new Date(event.timestamp).toISOString()} ${options.container} ${event.taskId.slice(0, 8)} ${event.message}`,
    );
  const read = (signal?: AbortSignal) =>
    readLogs(
      logs,
      {
        source,
        startTime: since.at,
        filterPattern: options.grep === undefined ? undefined : phrasePattern(options.grep),
        follow: options.follow,
        intervalMs: options.pollInterval,
        signal,
      },
      print,
    );
  if (!options.follow) {
    const count = await read();
    const streams = first?.streams ?? [];
    for (const stream of streams) {
      const task = `task ${stream.taskId.slice(0, 8)}`;
      if (stream.start === "starting")
        context.output.hint(
          `${task} has not started ${options.container} yet: nothing to read from it so far`,
        );
      if (stream.start === "never")
        context.output.hint(
          `${task} stopped before ${options.container} started (${stream.stoppedReason ?? "no reason given"}): it wrote nothing`,
        );
    }
    if (count === 0 && streams.some((stream) => stream.start === "started"))
      context.output.hint(
        `no ${options.container} output in ${first?.group} since ${new Date(since.at).toISOString()}`,
      );
    return count;
  }
  context.output.hint(
    first
      ? `Following ${first.group} (Ctrl-C stops)`
      : `${context.service} runs no task now: waiting for one (Ctrl-C stops)`,
  );
  return withInterruptTrap(context.output, { first: () => "Stopped following" }, (signal) => read(signal));
}

export const verb = { read: runLogs } satisfies ReadingVerb<LogsOptions>;

import { awsErrorName } from "../aws/errors.js";
import type { LogEvent, LogsApi } from "../aws/logs.js";
import { hasCause, InterruptedError, McctlError } from "../errors.js";
import { sleep } from "./poll.js";

export interface LogSource {
  group: string;
  /** The streams to read, one a task: `mcctl/<container>/<task id>`. */
  streams: { taskId: string; stream: string }[];
}

export interface LogReadRequest {
  /** Where to read; asked again before each look when following, so new tasks are picked up. */
  source(): Promise<LogSource>;
  /** Epoch milliseconds: the oldest event wanted. */
  startTime: number;
  filterPattern?: string | undefined;
  follow: boolean;
  /** How long to wait between looks when following. */
  intervalMs: number;
  /** Ends a follow cleanly (Ctrl-C). */
  signal?: AbortSignal | undefined;
}

export interface ReadEvent extends LogEvent {
  taskId: string;
}

/** The longest pause after CloudWatch Logs throttled FilterLogEvents (its quota is a few calls a second). */
const MAX_BACKOFF_MS = 30_000;

/**
 * Prints the events of a log source in time order, paging through FilterLogEvents. When following, looks
 * again every interval from the newest event seen (an event is never printed twice), picks up the tasks
 * that replaced the old ones, waits out a moment without any task (a restart), backs off when throttled,
 * and ends without an error when `signal` aborts. Returns how many events were printed.
 */
export async function readLogs(
  logs: LogsApi,
  request: LogReadRequest,
  onEvent: (event: ReadEvent) => void,
): Promise<number> {
  let since = request.startTime;
  let seen = new Set<string>();
  let printed = 0;
  let pause = request.intervalMs;
  for (;;) {
    try {
      const source = await currentSource(request);
      if (source) {
        for await (const event of events(logs, source, since, request.filterPattern)) {
          if (seen.has(event.eventId)) continue;
          seen.add(event.eventId);
          onEvent(event);
          printed += 1;
          if (event.timestamp > since) {
            since = event.timestamp;
            // Only events at the newest timestamp can come again: the next look starts there.
            seen = new Set([event.eventId]);
          }
        }
      }
      pause = request.intervalMs;
    } catch (error) {
      // A new task's stream may not exist yet: there is nothing to read in it so far.
      if (request.follow && hasCause(error, (cause) => awsErrorName(cause) === "ResourceNotFoundException")) {
        pause = request.intervalMs;
      } else if (request.follow && isThrottled(error)) {
        pause = Math.min(pause * 2, MAX_BACKOFF_MS);
      } else {
        throw error;
      }
    }
    if (!request.follow) return printed;
    try {
      await sleep(pause, request.signal);
    } catch (error) {
      if (error instanceof InterruptedError) return printed;
      throw error;
    }
  }
}

/** When following, a moment without any running task (a restart) is waited out, not an error. */
async function currentSource(request: LogReadRequest): Promise<LogSource | undefined> {
  try {
    return await request.source();
  } catch (error) {
    if (request.follow && error instanceof McctlError && /runs no task/.test(error.message)) return undefined;
    throw error;
  }
}

async function* events(
  logs: LogsApi,
  source: LogSource,
  startTime: number,
  filterPattern: string | undefined,
): AsyncGenerator<ReadEvent> {
  const taskOf = new Map(source.streams.map((stream) => [stream.stream, stream.taskId]));
  let nextToken: string | undefined;
  do {
    const page = await logs.filterEvents({
      group: source.group,
      streams: source.streams.map((stream) => stream.stream),
      startTime,
      filterPattern,
      nextToken,
    });
    for (const event of page.events) yield { ...event, taskId: taskOf.get(event.stream) ?? "" };
    nextToken = page.nextToken;
  } while (nextToken);
}

function isThrottled(error: unknown): boolean {
  return hasCause(error, (cause) =>
    ["ThrottlingException", "LimitExceededException"].includes(awsErrorName(cause) ?? ""),
  );
}

/** At most this many FilterLogEvents pages for the last lines of one stream: the stream of one task. */
const MAX_TAIL_PAGES = 20;

/**
 * The last `count` events of one stream since `startTime`, oldest first: what a container said just
 * before it stopped. Reads forward (FilterLogEvents has no "newest first"), a bounded number of pages.
 */
export async function lastLogLines(
  logs: LogsApi,
  where: { group: string; stream: string; startTime: number },
  count: number,
): Promise<LogEvent[]> {
  const kept: LogEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_TAIL_PAGES; page++) {
    const result = await logs.filterEvents({
      group: where.group,
      streams: [where.stream],
      startTime: where.startTime,
      nextToken,
    });
    kept.push(...result.events);
    kept.splice(0, Math.max(0, kept.length - count));
    nextToken = result.nextToken;
    if (!nextToken) break;
  }
  return kept;
}

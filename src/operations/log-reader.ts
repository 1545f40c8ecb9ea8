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
 * How far back each look of a follow reads again: containers ship their lines in batches (the awslogs
 * driver every 5 s), so a line of one task can arrive after a newer line of another. Lines read twice
 * are recognised by their event id and printed once.
 */
export const LATE_ARRIVAL_MS = 15_000;

/** FilterLogEvents takes at most this many stream names. */
const MAX_STREAMS = 100;

/**
 * Prints the events of a log source in time order, paging through FilterLogEvents. When following, looks
 * again every interval, reading back LATE_ARRIVAL_MS before the newest event seen (an event is never
 * printed twice), keeps reading the streams of tasks that stopped (their last lines arrive after they
 * are replaced) besides the new tasks', waits out a moment without any task (a restart), backs off when
 * throttled, and ends without an error when `signal` aborts. Returns how many events were printed.
 */
export async function readLogs(
  logs: LogsApi,
  request: LogReadRequest,
  onEvent: (event: ReadEvent) => void,
): Promise<number> {
  let newest = request.startTime;
  const seen = new Map<string, number>();
  const followed = new Map<string, string>();
  let group: string | undefined;
  let printed = 0;
  let pause = request.intervalMs;
  for (;;) {
    try {
      const source = await currentSource(request);
      if (source) {
        group = source.group;
        for (const stream of source.streams) followed.set(stream.stream, stream.taskId);
      }
      if (group) {
        const streams = [...followed].slice(-MAX_STREAMS).map(([stream, taskId]) => ({ stream, taskId }));
        const since = request.follow ? Math.max(request.startTime, newest - LATE_ARRIVAL_MS) : newest;
        const where = { group, streams: streams.map((entry) => entry.stream) };
        const page = (next: string | undefined) => pageWithBackoff(logs, request, where, since, next);
        for await (const event of events(page, streams)) {
          if (seen.has(event.eventId)) continue;
          seen.set(event.eventId, event.timestamp);
          onEvent(event);
          printed += 1;
          newest = Math.max(newest, event.timestamp);
        }
        // Only ids that the next look can read again are worth remembering.
        for (const [id, timestamp] of seen) if (timestamp < newest - LATE_ARRIVAL_MS) seen.delete(id);
      }
      pause = request.intervalMs;
    } catch (error) {
      // Ctrl-C during a pause after throttling: the follow ends as it does between looks.
      if (request.follow && error instanceof InterruptedError) return printed;
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

/**
 * One FilterLogEvents page. When following, a throttled page is asked for again after a pause that
 * doubles up to MAX_BACKOFF_MS, so a look goes on from where it was rather than starting over.
 */
async function pageWithBackoff(
  logs: LogsApi,
  request: LogReadRequest,
  where: { group: string; streams: string[] },
  startTime: number,
  nextToken: string | undefined,
) {
  let pause = request.intervalMs;
  for (;;) {
    try {
      return await logs.filterEvents({
        ...where,
        startTime,
        filterPattern: request.filterPattern,
        nextToken,
      });
    } catch (error) {
      if (!request.follow || !isThrottled(error)) throw error;
      pause = Math.min(pause * 2, MAX_BACKOFF_MS);
      await sleep(pause, request.signal);
    }
  }
}

async function* events(
  page: (nextToken: string | undefined) => ReturnType<LogsApi["filterEvents"]>,
  streams: readonly { stream: string; taskId: string }[],
): AsyncGenerator<ReadEvent> {
  const taskOf = new Map(streams.map((stream) => [stream.stream, stream.taskId]));
  let nextToken: string | undefined;
  do {
    const result = await page(nextToken);
    for (const event of result.events) yield { ...event, taskId: taskOf.get(event.stream) ?? "" };
    nextToken = result.nextToken;
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

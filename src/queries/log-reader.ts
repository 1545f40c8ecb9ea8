import { awsErrorName } from "../aws/errors.js";
import type { LogEvent, LogsApi } from "../aws/logs.js";
import type { ContainerStart } from "../domain/logs.js";
import { hasCause, InterruptedError, McctlError } from "../errors.js";
import { sleep } from "./poll.js";

export interface LogStream {
  taskId: string;
  /** `mcctl/<container>/<task id>`. */
  stream: string;
  /** From ECS: the stream exists only once the container has started (domain/logs `containerStart`). */
  start: ContainerStart;
  /** Why the task stopped, when it has. */
  stoppedReason?: string | undefined;
}

export interface LogSource {
  group: string;
  /** The streams to read, one a task. */
  streams: LogStream[];
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
 * Prints the events of a log source in time order, paging through FilterLogEvents. Names only the streams
 * of containers that have started (CloudWatch Logs refuses the whole request when one named stream does
 * not exist); should it refuse all the same, finds out which streams are missing, leaves them out and
 * reads the others (StreamsToRead). When following, looks again every interval, reading back
 * LATE_ARRIVAL_MS before the newest event seen (an event is never printed twice), keeps reading the
 * streams of tasks that stopped (their last lines arrive after they are replaced) besides the new tasks',
 * waits out a moment without any task (a restart) and tasks still starting, backs off when throttled,
 * and ends without an error when `signal` aborts. Returns how many events were printed.
 */
export async function readLogs(
  logs: LogsApi,
  request: LogReadRequest,
  onEvent: (event: ReadEvent) => void,
): Promise<number> {
  let newest = request.startTime;
  const seen = new Map<string, number>();
  const streams = new StreamsToRead(logs);
  let group: string | undefined;
  let printed = 0;
  let pause = request.intervalMs;
  for (;;) {
    try {
      const source = await currentSource(request);
      if (source) {
        group = source.group;
        await streams.update(source);
      }
      if (group) {
        const since = request.follow ? Math.max(request.startTime, newest - LATE_ARRIVAL_MS) : newest;
        const look = async (named: readonly NamedStream[]) => {
          const where = { group: group as string, streams: named.map((entry) => entry.stream) };
          const page = (next: string | undefined) => pageWithBackoff(logs, request, where, since, next);
          for await (const event of events(page, named)) {
            streams.found(event.stream);
            if (seen.has(event.eventId)) continue;
            seen.set(event.eventId, event.timestamp);
            onEvent(event);
            printed += 1;
            newest = Math.max(newest, event.timestamp);
          }
        };
        const named = streams.named();
        if (named.length > 0) {
          await look(named).catch(async (error: unknown) => {
            // Refused for a stream that does not exist: once more without the missing ones.
            if (!isNotFound(error) || !(await streams.leaveOutMissing(group as string, named))) throw error;
            const rest = streams.named();
            if (rest.length > 0) await look(rest);
          });
        }
        // Only ids that the next look can read again are worth remembering.
        for (const [id, timestamp] of seen) if (timestamp < newest - LATE_ARRIVAL_MS) seen.delete(id);
      }
      pause = request.intervalMs;
    } catch (error) {
      // Ctrl-C during a pause after throttling: the follow ends as it does between looks.
      if (request.follow && error instanceof InterruptedError) return printed;
      // The log group may not exist yet (a first registration), or a stream may have vanished meanwhile.
      if (request.follow && isNotFound(error)) {
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

interface NamedStream {
  stream: string;
  taskId: string;
}

/**
 * The streams a read names: those of every container seen started, kept after its task stopped. What is
 * known of them: those an event came from or DescribeLogStreams found exist, and those it did not find
 * (missing), left out of FilterLogEvents. A missing stream of a task that still runs is looked for again
 * at each look (DescribeLogStreams, not a refused FilterLogEvents); one of a task that is gone is dropped:
 * it will never have one. After a refusal the streams not known to exist are probed, or all of them when
 * those were all found, so a look costs at most one DescribeLogStreams a stream named.
 */
class StreamsToRead {
  readonly #logs: LogsApi;
  /** Stream name → task id, oldest first. */
  readonly #followed = new Map<string, string>();
  readonly #known = new Set<string>();
  readonly #missing = new Set<string>();
  #group = "";

  constructor(logs: LogsApi) {
    this.#logs = logs;
  }

  /** Takes in the source's started containers; looks again for the missing streams of its tasks. */
  async update(source: LogSource): Promise<void> {
    this.#group = source.group;
    const current = new Set<string>();
    for (const entry of source.streams) {
      if (entry.start !== "started") continue;
      this.#followed.set(entry.stream, entry.taskId);
      current.add(entry.stream);
    }
    for (const stream of this.#missing) {
      if (current.has(stream)) continue;
      this.#missing.delete(stream);
      this.#followed.delete(stream);
    }
    if (this.#missing.size > 0) await this.#mark([...this.#missing]);
  }

  /** The streams to name now: at most MAX_STREAMS, the newest tasks' first to stay. */
  named(): NamedStream[] {
    return [...this.#followed]
      .filter(([stream]) => !this.#missing.has(stream))
      .slice(-MAX_STREAMS)
      .map(([stream, taskId]) => ({ stream, taskId }));
  }

  found(stream: string): void {
    this.#known.add(stream);
  }

  /**
   * After FilterLogEvents refused `named`: marks which of them are missing; false when none is (the group
   * is what is missing, and FilterLogEvents' own error says so).
   */
  async leaveOutMissing(group: string, named: readonly NamedStream[]): Promise<boolean> {
    this.#group = group;
    const names = named.map((entry) => entry.stream);
    const unknown = names.filter((stream) => !this.#known.has(stream));
    try {
      if ((await this.#mark(unknown)) > 0) return true;
      return (await this.#mark(names.filter((stream) => !unknown.includes(stream)))) > 0;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Asks which of `streams` exist; returns how many do not. */
  async #mark(streams: readonly string[]): Promise<number> {
    if (streams.length === 0) return 0;
    const found = await this.#logs.existingStreams(this.#group, streams);
    let missing = 0;
    for (const stream of streams) {
      if (found.has(stream)) {
        this.#missing.delete(stream);
        this.#known.add(stream);
      } else {
        this.#known.delete(stream);
        this.#missing.add(stream);
        missing += 1;
      }
    }
    return missing;
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

function isNotFound(error: unknown): boolean {
  return hasCause(error, (cause) => awsErrorName(cause) === "ResourceNotFoundException");
}

/** At most this many FilterLogEvents pages for the last lines of one stream (a page may hold fewer than asked). */
const MAX_TAIL_PAGES = 10;

/** FilterLogEvents reads newest first only from a startTime on or after this (its API reference). */
const NEWEST_FIRST_FROM = Date.UTC(2024, 0, 1);

/**
 * The last `count` events of one stream since `startTime`, oldest first: what a container said just
 * before it stopped. Reads back from the newest (FilterLogEvents with startFromHead false), so a container
 * that wrote a lot costs one call, a bounded number of pages at most. Undefined when the stream does not
 * exist: the container never started, so it wrote nothing.
 */
export async function lastLogLines(
  logs: LogsApi,
  where: { group: string; stream: string; startTime: number },
  count: number,
): Promise<LogEvent[] | undefined> {
  const newestFirst: LogEvent[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_TAIL_PAGES && newestFirst.length < count; page++) {
      const result = await logs.filterEvents({
        group: where.group,
        streams: [where.stream],
        startTime: Math.max(where.startTime, NEWEST_FIRST_FROM),
        startFromHead: false,
        limit: count - newestFirst.length,
        nextToken,
      });
      newestFirst.push(...result.events);
      nextToken = result.nextToken;
      if (!nextToken) break;
    }
  } catch (error) {
    // The stream's absence means the container never started; the group's is an error worth telling.
    if (!isNotFound(error)) throw error;
    const found = await logs.existingStreams(where.group, [where.stream]).catch((probeError: unknown) => {
      if (isNotFound(probeError)) return undefined;
      throw probeError;
    });
    if (found && !found.has(where.stream)) return undefined;
    throw error;
  }
  return newestFirst
    .slice(0, count)
    .reverse()
    .sort((a, b) => a.timestamp - b.timestamp);
}

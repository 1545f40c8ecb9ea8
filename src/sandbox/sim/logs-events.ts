/**
 * Events in the simulated CloudWatch Logs: PutLogEvents' batch rules (order, size, too old / too new / expired
 * events), the paged reads — FilterLogEvents across a group's streams (filter patterns) and GetLogEvents in
 * one stream — and FilterLogEvents' optional rate limit. Pages end at `limit`, at the simulator's page size
 * or at 1 MB; tokens hold the last event's key, so events ingested between two pages are not lost when they
 * sort after it. Group and stream lookups and name checks are in logs-state.ts.
 */
import type {
  FilterLogEventsCommandInput,
  FilterLogEventsResponse,
  GetLogEventsCommandInput,
  GetLogEventsResponse,
  PutLogEventsCommandInput,
  PutLogEventsResponse,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  compareEvents,
  compareInStream,
  compareToKey,
  decodeCursor,
  type EventCursor,
  encodeCursor,
  keyOf,
  sequenceTokenOf,
  utf8Bytes,
} from "./logs-event-order.js";
import { parseFilterPattern } from "./logs-filter-pattern.js";
import {
  constraint,
  DAY_MS,
  type LogEventRecord,
  type LogGroupRecord,
  type LogStreamRecord,
  logsMessages,
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_CALL,
  PER_EVENT_BYTES,
  rangeViolations,
  renderEvent,
  visibleEvents,
} from "./logs-model.js";

export interface LogsReadsDependencies {
  now(): number;
  options(): { pageSize: number; filterLogEventsPerSecond: number };
  invalid(message: string): Error;
  throttled(): Error;
  /** Stores events (logs.ts `appendEvents`). */
  append(
    group: string,
    stream: string,
    events: ReadonlyArray<{ timestamp: number; message: string; ingestionTime: number }>,
  ): unknown;
  /** The last event's insertion number, for the sequence token. */
  lastSeq(): number;
}

/** Where GetLogEvents' tokens start: "f/…" forward, "b/…" backward, as CloudWatch's do. */
const FORWARD = "f/";
const BACKWARD = "b/";
/** A key before every event. */
const START: EventCursor["key"] = [-1, -1, -1];

export class LogsEvents {
  readonly #deps: LogsReadsDependencies;
  /** When the FilterLogEvents calls of the last second were let through. */
  #recentFilterCalls: number[] = [];

  constructor(dependencies: LogsReadsDependencies) {
    this.#deps = dependencies;
  }

  // ===============================================================================================
  // PutLogEvents

  /** PutLogEvents' constraint violations on `logEvents` (1 to 10,000 events). */
  putViolations(input: PutLogEventsCommandInput): string[] {
    const events = input.logEvents ?? [];
    if (events.length < 1) return [constraint.minLength("[]", "logEvents", 1)];
    if (events.length <= MAX_EVENTS_PER_CALL) return [];
    const listed = events.map((e) => `InputLogEvent(timestamp=${e.timestamp}, message=${e.message})`);
    return [constraint.maxLength(`[${listed.join(", ")}]`, "logEvents", MAX_EVENTS_PER_CALL)];
  }

  /** The batch must be in chronological order and at most 1,048,576 bytes (messages plus 26 an event). */
  checkBatch(input: PutLogEventsCommandInput): void {
    const events = input.logEvents ?? [];
    const timestamps = events.map((event) => event.timestamp ?? 0);
    if (timestamps.some((timestamp, index) => index > 0 && timestamp < (timestamps[index - 1] ?? 0)))
      throw this.#deps.invalid(logsMessages.chronological);
    const bytes = events.reduce((sum, event) => sum + utf8Bytes(event.message ?? "") + PER_EVENT_BYTES, 0);
    if (bytes > MAX_BATCH_BYTES) throw this.#deps.invalid(logsMessages.batchTooLarge);
  }

  /**
   * Stores the batch, ingested now, but for events more than 2 hours ahead (too new), more than 14 days back
   * (too old) or before the group's retention (expired): those are rejected, the rest kept. A batch whose
   * kept events span more than 24 hours fails.
   */
  put(group: LogGroupRecord, stream: LogStreamRecord, input: PutLogEventsCommandInput): PutLogEventsResponse {
    const events = input.logEvents ?? [];
    const timestamps = events.map((event) => event.timestamp ?? 0);
    const now = this.#deps.now();
    const tooNew = timestamps.findIndex((timestamp) => timestamp > now + 2 * 60 * 60_000);
    const tooOld = timestamps.findLastIndex((timestamp) => timestamp < now - 14 * DAY_MS);
    const retention = group.retentionInDays;
    const expired =
      retention === undefined
        ? -1
        : timestamps.findLastIndex((timestamp) => timestamp < now - retention * DAY_MS);
    const accepted = events.slice(Math.max(tooOld, expired) + 1, tooNew === -1 ? events.length : tooNew);
    const span = (accepted.at(-1)?.timestamp ?? 0) - (accepted[0]?.timestamp ?? 0);
    if (span > DAY_MS) throw this.#deps.invalid(logsMessages.spansDay);
    const stored = accepted.map((event) => ({
      timestamp: event.timestamp ?? 0,
      message: event.message ?? "",
      ingestionTime: now,
    }));
    this.#deps.append(group.name, stream.name, stored);
    const rejected = {
      ...(tooNew === -1 ? {} : { tooNewLogEventStartIndex: tooNew }),
      ...(tooOld === -1 ? {} : { tooOldLogEventEndIndex: tooOld }),
      ...(expired === -1 ? {} : { expiredLogEventEndIndex: expired }),
    };
    return {
      nextSequenceToken: sequenceTokenOf(this.#deps.lastSeq()),
      ...(Object.keys(rejected).length === 0 ? {} : { rejectedLogEventsInfo: rejected }),
    };
  }

  // ===============================================================================================
  // Reads

  /** GetLogEvents' and FilterLogEvents' constraint violations: limit 1 to 10,000, times not negative. */
  readViolations(input: {
    limit?: number | undefined;
    startTime?: number | undefined;
    endTime?: number | undefined;
  }): string[] {
    return [
      ...rangeViolations(input.limit, "limit", 1, MAX_EVENTS_PER_CALL),
      ...rangeViolations(input.startTime, "startTime", 0),
      ...rangeViolations(input.endTime, "endTime", 0),
    ];
  }

  /** FilterLogEvents' constraint violations: those of `readViolations`, and 1 to 100 `logStreamNames`. */
  filterViolations(input: FilterLogEventsCommandInput): string[] {
    const names = input.logStreamNames;
    return [
      ...(names !== undefined && names.length < 1 ? [constraint.minLength("[]", "logStreamNames", 1)] : []),
      ...(names !== undefined && names.length > 100
        ? [constraint.maxLength(`[${names.join(", ")}]`, "logStreamNames", 100)]
        : []),
      ...this.readViolations(input),
    ];
  }

  /** ThrottlingException "Rate exceeded" past `filterLogEventsPerSecond` calls within one second of simulated time. */
  throttleFilterLogEvents(): void {
    const limit = this.#deps.options().filterLogEventsPerSecond;
    if (!Number.isFinite(limit)) return;
    const now = this.#deps.now();
    this.#recentFilterCalls = this.#recentFilterCalls.filter((at) => at > now - 1000);
    if (this.#recentFilterCalls.length >= limit) throw this.#deps.throttled();
    this.#recentFilterCalls.push(now);
  }

  /**
   * Events of the group's streams (all, the named ones or those with the prefix) within [startTime, endTime]
   * that match, oldest first (latest first with `startFromHead: false`); a `nextToken` while more match.
   */
  filter(group: LogGroupRecord, input: FilterLogEventsCommandInput): FilterLogEventsResponse {
    const pattern = parseFilterPattern(input.filterPattern);
    if ("problem" in pattern) throw this.#deps.invalid(pattern.problem);
    const { match } = pattern;
    const cursor = input.nextToken === undefined ? undefined : this.#cursor(input.nextToken, "");
    const direction = cursor?.direction ?? (input.startFromHead === false ? "backward" : "forward");
    const order =
      direction === "forward" ? compareEvents : (a: LogEventRecord, b: LogEventRecord) => compareEvents(b, a);
    const names = input.logStreamNames === undefined ? undefined : new Set(input.logStreamNames);
    const prefix = input.logStreamNamePrefix;
    const now = this.#deps.now();
    const matching = [...group.streams.values()]
      .filter((stream) => names === undefined || names.has(stream.name))
      .filter((stream) => prefix === undefined || stream.name.startsWith(prefix))
      .flatMap((stream) => visibleEvents(stream, now))
      .filter((event) => input.startTime === undefined || event.timestamp >= input.startTime)
      .filter((event) => input.endTime === undefined || event.timestamp <= input.endTime)
      .filter((event) => match(event.message))
      .sort(order)
      .filter((event) => cursor === undefined || compareToKey(event, cursor.key, order) > 0);
    const page = this.#page(matching, input.limit, "head");
    const last = page.at(-1);
    return {
      events: page.map(renderEvent),
      searchedLogStreams: [],
      ...(last && page.length < matching.length
        ? { nextToken: encodeCursor({ direction, key: keyOf(last) }) }
        : {}),
    };
  }

  /**
   * One stream's events within [startTime, endTime), by timestamp: the first page from the head, or the last
   * one (`startFromHead` false, the default); then forward ("f/…") or backward ("b/…") from a token. At the
   * end of the stream the token passed in comes back.
   */
  get(stream: LogStreamRecord, input: GetLogEventsCommandInput): GetLogEventsResponse {
    const token = input.nextToken;
    const cursor =
      token === undefined ? undefined : this.#cursor(token, token.startsWith(BACKWARD) ? BACKWARD : FORWARD);
    const forward = cursor ? cursor.direction === "forward" : input.startFromHead === true;
    const events = visibleEvents(stream, this.#deps.now())
      .filter((event) => input.startTime === undefined || event.timestamp >= input.startTime)
      .filter((event) => input.endTime === undefined || event.timestamp < input.endTime)
      .sort(compareInStream);
    const candidates = cursor
      ? events.filter((event) => compareToKey(event, cursor.key, compareInStream) * (forward ? 1 : -1) > 0)
      : events;
    const page = this.#page(candidates, input.limit, forward ? "head" : "tail");
    const first = page[0];
    const last = page.at(-1);
    const boundary = cursor?.key ?? START;
    const forwardKey = last ? keyOf(last) : boundary;
    const backwardKey = first ? keyOf(first) : boundary;
    return {
      events: page.map((event) => ({
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
      })),
      nextForwardToken:
        !last && cursor?.direction === "forward" && token
          ? token
          : encodeCursor({ direction: "forward", key: forwardKey }, FORWARD),
      nextBackwardToken:
        !first && cursor?.direction === "backward" && token
          ? token
          : encodeCursor({ direction: "backward", key: backwardKey }, BACKWARD),
    };
  }

  /** At most `limit`, the page size and 1 MB (message bytes plus 26 an event), from the head or the tail. */
  #page(events: LogEventRecord[], limit: number | undefined, from: "head" | "tail"): LogEventRecord[] {
    const max = Math.min(limit ?? MAX_EVENTS_PER_CALL, this.#deps.options().pageSize);
    const ordered = from === "head" ? events : [...events].reverse();
    const page: LogEventRecord[] = [];
    let bytes = 0;
    for (const event of ordered) {
      const size = utf8Bytes(event.message) + PER_EVENT_BYTES;
      if (page.length >= max || (page.length > 0 && bytes + size > MAX_BATCH_BYTES)) break;
      page.push(event);
      bytes += size;
    }
    return from === "head" ? page : page.reverse();
  }

  #cursor(token: string, prefix: string): EventCursor {
    const cursor = decodeCursor(token, prefix);
    if (!cursor) throw this.#deps.invalid(logsMessages.invalidToken);
    return cursor;
  }
}

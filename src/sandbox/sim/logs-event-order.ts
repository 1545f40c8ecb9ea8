/**
 * A stored CloudWatch Logs event in the simulator, the order of events, their ids and sequence tokens, and the
 * opaque tokens that page through them (GetLogEvents, FilterLogEvents).
 */

/** One stored event. Invisible to every read until `ingestionTime` (the awslogs driver ships in batches). */
export interface LogEventRecord {
  stream: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Account-wide insertion order: the last tie-breaker, as the PutLogEvents request id is in CloudWatch. */
  seq: number;
}

/** FilterLogEvents' order: "sorted by event timestamp, the timestamp when the event was ingested …, and the ID of the PutLogEvents request". */
export function compareEvents(a: LogEventRecord, b: LogEventRecord): number {
  return a.timestamp - b.timestamp || a.ingestionTime - b.ingestionTime || a.seq - b.seq;
}

/** GetLogEvents reads one stream in timestamp order. */
export function compareInStream(a: LogEventRecord, b: LogEventRecord): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

/** A 56-digit event id, like CloudWatch's, derived from the timestamp and insertion order (no random ids). */
export function eventIdOf(event: LogEventRecord): string {
  return `${String(event.timestamp).padStart(16, "0")}${String(event.seq).padStart(40, "0")}`;
}

/** A 56-digit sequence token (PutLogEvents still returns one; it is ignored when sent). */
export function sequenceTokenOf(seq: number): string {
  return String(seq).padStart(56, "0");
}

/** A cursor: the key of the last event handed out, and which way the pages go. */
export interface EventCursor {
  direction: "forward" | "backward";
  key: [timestamp: number, ingestionTime: number, seq: number];
}

export function encodeCursor(cursor: EventCursor, prefix = ""): string {
  const body = Buffer.from(JSON.stringify({ d: cursor.direction[0], k: cursor.key })).toString("base64url");
  return `${prefix}${body}`;
}

export function decodeCursor(token: string, prefix = ""): EventCursor | undefined {
  if (!token.startsWith(prefix)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token.slice(prefix.length), "base64url").toString("utf8")) as {
      d?: unknown;
      k?: unknown;
    };
    const key = parsed.k;
    const valid =
      (parsed.d === "f" || parsed.d === "b") &&
      Array.isArray(key) &&
      key.length === 3 &&
      key.every((part) => typeof part === "number" && Number.isInteger(part));
    if (!valid) return undefined;
    return {
      direction: parsed.d === "f" ? "forward" : "backward",
      key: key as EventCursor["key"],
    };
  } catch {
    return undefined;
  }
}

export function keyOf(event: LogEventRecord): EventCursor["key"] {
  return [event.timestamp, event.ingestionTime, event.seq];
}

/** Compares an event with a cursor key in the given order. */
export function compareToKey(
  event: LogEventRecord,
  key: EventCursor["key"],
  compare: (a: LogEventRecord, b: LogEventRecord) => number,
): number {
  return compare(event, { stream: "", message: "", timestamp: key[0], ingestionTime: key[1], seq: key[2] });
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

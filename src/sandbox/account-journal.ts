/**
 * The sandbox account's journal: JSON lines in the state file, a header and then every event that changed the
 * account, each appended with one synchronous write as it happens (a call as soon as the simulator, which
 * answers synchronously, has run it). The simulator's state holds closures (scheduled
 * events), so it is never serialized: opening the account replays the journal on a fresh simulator instead.
 *
 *   {"type":"header","format":1,"seed":1234,"createdAt":1764039600000}
 *   {"type":"call","at":1764039601234,"service":"ECS","operation":"DescribeServices","input":{…}}
 *   {"type":"call","at":1764039602345,"service":"ECS","operation":"UpdateService","input":{…},"failed":true}
 *   {"type":"arrange","at":1764039605000,"fault":"throttling","service":"ECS"}
 *   {"type":"http-fault-taken","at":1764039606000,"service":"ECS"}
 *
 * Inputs keep what JSON cannot say on its own: Dates as {"$date":ms}, bytes (Uint8Array, Buffer) as
 * {"$bytes":base64}, bigints as {"$bigint":"…"}; a plain object that happens to look like one of those is
 * escaped as {"$escaped":[[key, value]…]}.
 */
import { closeSync, fchmodSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { McctlError } from "../errors.js";

/** Bumped whenever an old journal would no longer replay to the same account. */
export const JOURNAL_FORMAT = 1;

export interface JournalHeader {
  type: "header";
  format: number;
  /** Seed of the simulator's deterministic ids. */
  seed: number;
  /** When the account was created (ms since the epoch): the fresh account's resources date from then. */
  createdAt: number;
}

/** One API call as the simulator received it. */
export interface CallEntry {
  type: "call";
  at: number;
  service: string;
  operation: string;
  input: unknown;
  /** The client configuration values the simulator may read (S3's followRegionRedirects), when given. */
  clientConfig?: Record<string, string | number | boolean>;
  /** The call failed (an error, a fault): replay runs it in full. */
  failed?: true;
}

/** A fault arranged with `arrange()`. */
export interface ArrangeEntry {
  type: "arrange";
  at: number;
  fault: string;
  service?: string;
}

/** An HTTP-level fault the server has applied to one request. */
export interface HttpFaultTakenEntry {
  type: "http-fault-taken";
  at: number;
  service: string;
}

export type JournalEntry = CallEntry | ArrangeEntry | HttpFaultTakenEntry;

/** What a state file holds. */
export interface JournalContents {
  /** Undefined for a missing or empty file. */
  header: JournalHeader | undefined;
  entries: JournalEntry[];
  /** Bytes of complete lines: anything after them (a line half-written when a process was killed) is dropped. */
  completeLength: number;
}

/** One line (without its newline) for a header or an entry. */
export function encodeLine(value: JournalHeader | JournalEntry): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key, encoded: unknown) {
    // `this[key]` is the value before toJSON (a Date's, a Buffer's) turned it into something else.
    const original = this[key];
    if (original instanceof Date) return { $date: original.getTime() };
    if (original instanceof Uint8Array) return { $bytes: Buffer.from(original).toString("base64") };
    if (typeof original === "bigint") return { $bigint: original.toString() };
    if (isTagged(encoded)) return { $escaped: Object.entries(encoded as object) };
    return encoded;
  });
}

/** Parses one line written by `encodeLine`. */
export function decodeLine(line: string): unknown {
  return JSON.parse(line, (_key, value: unknown) => {
    if (!isTagged(value)) return value;
    const [[tag, content]] = Object.entries(value as object) as [[string, unknown]];
    switch (tag) {
      case "$date":
        return new Date(content as number);
      case "$bytes":
        return new Uint8Array(Buffer.from(content as string, "base64"));
      case "$bigint":
        return BigInt(content as string);
      default:
        return Object.fromEntries(content as [string, unknown][]);
    }
  });
}

const TAGS = new Set(["$date", "$bytes", "$bigint", "$escaped"]);

/** A plain object with a single member named like one of the encoding's tags. */
function isTagged(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && TAGS.has(keys[0] as string);
}

/**
 * Reads a state file: its header and entries. A last line without its newline (a process killed while writing
 * it) is left out; any other line that does not parse means the file is damaged.
 */
export function readJournal(stateFile: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(stateFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return { header: undefined, entries: [], completeLength: 0 };
    }
    throw error;
  }
  const end = text.lastIndexOf("\n") + 1;
  const lines = text.slice(0, end).split("\n").slice(0, -1);
  const completeLength = Buffer.byteLength(text.slice(0, end));
  if (lines.length === 0) return { header: undefined, entries: [], completeLength };
  const parsed = lines.map((line, index) => parseLine(stateFile, line, index + 1));
  const [header, ...entries] = parsed;
  if (!isHeader(header)) throw damaged(stateFile, 1, "it does not start with a sandbox journal header");
  if (header.format !== JOURNAL_FORMAT) {
    throw new McctlError(
      `the sandbox account in ${stateFile} was written in journal format ${header.format}; this mcctl reads format ${JOURNAL_FORMAT}`,
      { suggestion: "Start a new sandbox account with `mcctl sandbox reset`." },
    );
  }
  entries.forEach((entry, index) => {
    if (!isEntry(entry)) throw damaged(stateFile, index + 2, "it is not a journal entry");
  });
  return { header, entries: entries as JournalEntry[], completeLength };
}

function parseLine(stateFile: string, line: string, lineNumber: number): unknown {
  try {
    return decodeLine(line);
  } catch (error) {
    throw damaged(stateFile, lineNumber, (error as Error).message);
  }
}

function damaged(stateFile: string, lineNumber: number, why: string): McctlError {
  return new McctlError(
    `the sandbox account's journal ${stateFile} is damaged at line ${lineNumber}: ${why}`,
    {
      suggestion: "Start a new sandbox account with `mcctl sandbox reset`.",
    },
  );
}

function isHeader(value: unknown): value is JournalHeader {
  const header = value as Partial<JournalHeader> | undefined;
  return (
    header?.type === "header" &&
    typeof header.format === "number" &&
    typeof header.seed === "number" &&
    typeof header.createdAt === "number"
  );
}

function isEntry(value: unknown): value is JournalEntry {
  const entry = value as
    | { type?: unknown; at?: unknown; service?: unknown; operation?: unknown; fault?: unknown }
    | undefined;
  if (typeof entry?.at !== "number") return false;
  switch (entry.type) {
    case "call":
      return typeof entry.service === "string" && typeof entry.operation === "string";
    case "arrange":
      return typeof entry.fault === "string";
    case "http-fault-taken":
      return typeof entry.service === "string";
    default:
      return false;
  }
}

/**
 * Appends lines to a state file, each with one synchronous write: once `append` returns, the line is in the
 * file (the operating system's cache), so a process killed right after loses nothing before it.
 */
export class JournalWriter {
  #fd: number | undefined;

  /** Opens `stateFile` for appending (created with mode 0600), dropping anything after `completeLength`. */
  constructor(stateFile: string, completeLength: number) {
    this.#fd = openSync(stateFile, "a", 0o600);
    // A file made by something else may be readable by others; the journal holds the inputs as sent.
    fchmodSync(this.#fd, 0o600);
    truncateSync(stateFile, completeLength);
  }

  append(value: JournalHeader | JournalEntry): void {
    if (this.#fd === undefined) throw new Error("the sandbox account is closed");
    writeSync(this.#fd, `${encodeLine(value)}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

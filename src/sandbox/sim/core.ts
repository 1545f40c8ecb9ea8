/**
 * Shared machinery for the simulated AWS services: a discrete-event clock, deterministic ids, the call
 * log record, pagination and output helpers. Nothing in here knows about a particular AWS service.
 */

/** Something that will happen inside the simulation at a given (simulated) time. */
interface ScheduledEvent {
  readonly at: number;
  readonly seq: number;
  readonly label: string;
  readonly run: () => void;
}

/**
 * Discrete-event clock. Time is read from a time source, by default `Date.now()` (so vitest fake timers drive
 * it); state is advanced lazily: `advance()` runs every scheduled event whose time has come, in time order,
 * each one at its own timestamp, and runs the settle hooks (service schedulers) after each event.
 */
export class SimClock {
  /** Guards against an event loop that never lets time pass (e.g. zero timings and failing tasks). */
  maxEventsPerAdvance = 100_000;

  /**
   * Where "now" comes from outside event processing. The sandbox account replaces Date.now with its own
   * source so that it can hold time at each journaled call's recorded time while it replays the journal.
   */
  readonly #timeSource: () => number;
  readonly #queue: ScheduledEvent[] = [];
  readonly #settleHooks: Array<() => void> = [];
  #seq = 0;
  #processingAt: number | undefined;
  #advancing = false;

  /** `timeSource`: what "now" is outside event processing; read on every call, default `Date.now()`. */
  constructor(timeSource: () => number = () => Date.now()) {
    this.#timeSource = timeSource;
  }

  /** Simulated "now": the timestamp of the event being processed, otherwise the time source's (wall clock). */
  now(): number {
    return this.#processingAt ?? this.#timeSource();
  }

  /** A `Date` for `now()`. */
  date(): Date {
    return new Date(this.now());
  }

  /** Schedules `run` at simulated time `at` (never earlier than now). Same-time events run in schedule order. */
  at(at: number, label: string, run: () => void): void {
    const event: ScheduledEvent = { at: Math.max(at, this.now()), seq: this.#seq++, label, run };
    const index = this.#queue.findIndex((queued) => queued.at > event.at);
    this.#queue.splice(index === -1 ? this.#queue.length : index, 0, event);
  }

  /** Schedules `run` `delayMs` after now. */
  after(delayMs: number, label: string, run: () => void): void {
    this.at(this.now() + delayMs, label, run);
  }

  /** Registers a hook run after every processed event, at that event's time (e.g. a service scheduler). */
  onSettle(hook: () => void): void {
    this.#settleHooks.push(hook);
  }

  /** What is still scheduled, earliest first (for debugging a test). */
  pending(): ReadonlyArray<{ at: number; label: string }> {
    return this.#queue.map(({ at, label }) => ({ at, label }));
  }

  /** Processes every scheduled event whose time is ≤ the time source's now. Re-entrant calls are no-ops. */
  advance(): void {
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      const until = this.#timeSource();
      let processed = 0;
      for (let next = this.#queue[0]; next !== undefined && next.at <= until; next = this.#queue[0]) {
        this.#queue.shift();
        if (++processed > this.maxEventsPerAdvance) {
          throw new Error(`simulated AWS: more than ${this.maxEventsPerAdvance} events at once (livelock?)`);
        }
        this.#processingAt = next.at;
        next.run();
        for (const hook of this.#settleHooks) hook();
      }
    } finally {
      this.#processingAt = undefined;
      this.#advancing = false;
    }
  }
}

/** Deterministic pseudo-random ids (mulberry32), so that runs and snapshots are reproducible. */
export class IdSource {
  #state: number;

  constructor(seed = 0x5eed) {
    this.#state = seed >>> 0;
  }

  /** `length` lowercase hex digits. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += this.#next().toString(16).padStart(8, "0");
    return out.slice(0, length);
  }

  /** `length` decimal digits, not starting with 0. */
  digits(length: number): string {
    let out = String(1 + (this.#next() % 9));
    while (out.length < length) out += String(this.#next() % 10);
    return out;
  }

  /** An RFC 4122-looking version 4 UUID. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  #next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/** Account-wide facts every simulated service needs. */
export interface SimContext {
  readonly accountId: string;
  readonly region: string;
  /** The identity making the calls, e.g. `arn:aws:iam::123456789012:user/test`. */
  readonly principalArn: string;
  readonly clock: SimClock;
  readonly ids: IdSource;
}

export function createSimContext(
  options: {
    accountId?: string;
    region?: string;
    principalArn?: string;
    seed?: number;
    /** The clock's time source (see SimClock); default `Date.now()`. */
    now?: () => number;
  } = {},
): SimContext {
  const accountId = options.accountId ?? "123456789012";
  return {
    accountId,
    region: options.region ?? "eu-west-1",
    principalArn: options.principalArn ?? `arn:aws:iam::${accountId}:user/test`,
    clock: new SimClock(options.now),
    ids: new IdSource(options.seed),
  };
}

/** `$metadata` as the SDK fills it in on responses and service errors. */
export interface AwsResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  cfId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

export function responseMetadata(httpStatusCode: number, requestId: string): AwsResponseMetadata {
  return { httpStatusCode, requestId, attempts: 1, totalRetryDelay: 0 };
}

/** One API call seen by the simulated AWS (including calls that failed or were faulted). */
export interface CallRecord<Input = unknown> {
  /** Service name as in the SDK, e.g. "ECS". */
  readonly service: string;
  /** Operation name without the `Command` suffix, e.g. "UpdateService". */
  readonly command: string;
  /** A copy of the input as sent. */
  readonly input: Input;
  /** The simulated time (the clock's time source, by default `Date.now()`) when the call was made. */
  readonly at: number;
  /** The output returned (without `$metadata`), when the call succeeded. */
  output?: unknown;
  /** The error the call rejected with, when it failed. */
  error?: unknown;
}

/** Deep copy (Dates survive); falls back to the value itself for inputs that cannot be cloned. */
export function clone<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/** Recursively drops `undefined` and `null` members of plain objects, like an AWS JSON response omits them. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => compact(item)) as T;
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined && member !== null) out[key] = compact(member);
  }
  return out as T;
}

/** Opaque `nextToken` pagination over an in-memory list. */
export function paginate<T>(
  items: readonly T[],
  input: { maxResults?: number | undefined; nextToken?: string | undefined },
  options: { defaultMax: number; invalidToken: (message: string) => Error },
): { page: T[]; nextToken: string | undefined } {
  const start = input.nextToken === undefined ? 0 : decodeToken(input.nextToken, options.invalidToken);
  const size = input.maxResults ?? options.defaultMax;
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return { page, nextToken: end < items.length ? encodeToken(end) : undefined };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ simulatedOffset: offset })).toString("base64");
}

function decodeToken(token: string, invalid: (message: string) => Error): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
    const offset = (parsed as { simulatedOffset?: unknown }).simulatedOffset;
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalid("Invalid nextToken.");
}

/** What a simulator may learn about the SDK client a call came through (passed as a method's second argument). */
export interface SimRequest {
  /** The calling client's configuration, e.g. S3's `followRegionRedirects`. Async providers are not resolved. */
  readonly clientConfig?: Readonly<Record<string, unknown>>;
}

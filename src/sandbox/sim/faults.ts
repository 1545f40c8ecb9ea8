/**
 * Fault injection for the simulated AWS: make the next matching call(s) fail with throttling, a 5xx,
 * access denied, a dropped connection, or any error you construct.
 */
import type { FaultKind } from "./errors.js";

/** The call a fault is being considered for. */
export interface FaultCall {
  readonly service: string;
  readonly command: string;
  readonly input: unknown;
}

export interface FaultSpec<Input = unknown> {
  /** SDK service name, e.g. "ECS". Omitted: any service. */
  service?: string;
  /** Operation name without `Command`, e.g. "DescribeServices". Omitted: any operation of the service. */
  command?: string;
  /** Narrows the matching calls further, e.g. `(input) => input.desiredCount === 1` for "UpdateService". */
  match?: (input: Input) => boolean;
  /** A named fault, an error to throw as is, or a function building the error for the call. */
  error: FaultKind | Error | ((call: FaultCall) => Error);
  /** How many matching calls fail. Default 1; `Infinity` for every one. */
  times?: number;
  /** Let this many matching calls through first. Default 0. */
  after?: number;
  /**
   * The request reaches AWS and takes effect; only the response is lost (the caller sees the error).
   * Useful with "connection-reset" to test retrying non-idempotent calls. Default false.
   */
  applied?: boolean;
}

/** Handle on an injected fault. */
export interface InjectedFault {
  readonly spec: Readonly<FaultSpec<never>>;
  /** Matching calls that failed because of this fault so far. */
  readonly fired: number;
  /** Failures still to come. */
  readonly remaining: number;
  cancel(): void;
}

/** The decision for one call: which error to throw, and whether the call still takes effect. */
export interface FaultHit {
  readonly error: Error;
  readonly applied: boolean;
}

class Fault implements InjectedFault {
  fired = 0;
  seen = 0;
  cancelled = false;

  constructor(readonly spec: Readonly<FaultSpec<never>>) {}

  get remaining(): number {
    return this.cancelled ? 0 : Math.max(0, (this.spec.times ?? 1) - this.fired);
  }

  cancel(): void {
    this.cancelled = true;
  }

  matches(call: FaultCall): boolean {
    const { service, command, match } = this.spec;
    if (service !== undefined && service !== call.service) return false;
    if (command !== undefined && command !== call.command) return false;
    return match === undefined || match(call.input as never);
  }
}

/**
 * Holds injected faults. For each call, every live fault that matches counts the call; the first one (in
 * injection order) that has let its `after` calls through fires. Faults are dropped once used up.
 *
 * `Inputs` maps operation names to input types, so that `match` gets a typed input for known commands.
 */
export class FaultInjector<Inputs extends object = Record<string, unknown>> {
  #faults: Fault[] = [];

  constructor(private readonly buildError: (kind: FaultKind, call: FaultCall) => Error) {}

  inject<N extends keyof Inputs & string>(spec: FaultSpec<Inputs[N]> & { command: N }): InjectedFault;
  inject(spec: FaultSpec): InjectedFault;
  inject(spec: FaultSpec<never>): InjectedFault {
    const fault = new Fault({ ...spec });
    this.#faults.push(fault);
    return fault;
  }

  /** Removes every injected fault. */
  clear(): void {
    for (const fault of this.#faults) fault.cancel();
    this.#faults = [];
  }

  /** Faults that still have failures to deliver, in injection order. */
  pending(): readonly InjectedFault[] {
    return this.#faults.filter((fault) => fault.remaining > 0);
  }

  /** Decides whether `call` fails. Called by the dispatcher once per call. */
  take(call: FaultCall): FaultHit | undefined {
    this.#faults = this.#faults.filter((fault) => fault.remaining > 0);
    let hit: FaultHit | undefined;
    for (const fault of this.#faults) {
      if (!fault.matches(call)) continue;
      fault.seen += 1;
      if (hit === undefined && fault.seen > (fault.spec.after ?? 0)) {
        fault.fired += 1;
        hit = { error: this.#errorFor(fault.spec.error, call), applied: fault.spec.applied ?? false };
      }
    }
    return hit;
  }

  #errorFor(error: FaultSpec<never>["error"], call: FaultCall): Error {
    if (typeof error === "string") return this.buildError(error, call);
    if (typeof error === "function") return error(call);
    return error;
  }
}

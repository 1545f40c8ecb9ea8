/**
 * The sandbox account: the simulated AWS as a persistent practice account that separate mcctl processes share.
 *
 *   const account = openSandboxAccount("~/.mcctl/sandbox/account.jsonl");
 *   serveSimulatedAws(account.sim);          // every request: account.sim.send(service, operation, input)
 *   …
 *   account.close();
 *
 * Persistence is event sourcing (account-journal.ts): every call, fault arrangement and HTTP fault taken is
 * appended to the state file as it happens; opening the account replays them on a fresh simulator with its
 * clock held at each entry's recorded time, then lets the clock follow real time. Whatever fell due in
 * between (an RDS instance becoming available while the operator was away) has happened by the time the next
 * call looks. The simulator is deterministic (seeded ids, simulated time only), so the replay rebuilds the
 * very account the last process left.
 */
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import {
  arrangeFault,
  checkArrangement,
  type PendingHttpFault,
  type SandboxFaultName,
  type SandboxServiceName,
  takeHttpFault,
} from "./account-faults.js";
import {
  type CallEntry,
  decodeLine,
  encodeLine,
  JOURNAL_FORMAT,
  type JournalEntry,
  type JournalHeader,
  JournalWriter,
  readJournal,
} from "./account-journal.js";
import { acquireAccountLock } from "./account-lock.js";
import { createSandboxSimulator, furnishNewAccount } from "./account-world.js";
import type { SimulatedAws } from "./sim/index.js";

export {
  DEFAULT_FAULT_SERVICE,
  isSandboxFaultName,
  type PendingHttpFault,
  SANDBOX_FAULTS,
  SANDBOX_SERVICES,
  type SandboxFaultName,
  type SandboxServiceName,
} from "./account-faults.js";
export { lockFileOf, SandboxAccountBusyError } from "./account-lock.js";
export { SANDBOX_IDENTITY, SANDBOX_TIMINGS } from "./account-world.js";

export interface SandboxAccountOptions {
  /** The wall clock the account follows once replayed (default `Date.now()`, read afresh each time). */
  now?: () => number;
  /** Seed of a new account's ids (default: random); an existing account keeps the one in its journal. */
  seed?: number;
  /**
   * Replay every call in full and keep its output in `sim.calls` (tests prove the replay exact with it). Off by
   * default: running every read again and copying the outputs doubles the cost of opening.
   */
  keepReplayedOutputs?: boolean;
}

export interface SandboxAccount {
  /** The state file. */
  readonly stateFile: string;
  /** When the account was created (ms since the epoch). */
  readonly createdAt: number;
  /**
   * The simulated AWS. `send` journals each call as soon as it has run (before its answer can be awaited); serve
   * the account through `send` only: what the other members change (a test's `sim.ecs.addCluster`) is not
   * journaled, so the next open has not got it. `sim.calls` lists the calls of this process (replayed ones
   * without their outputs, unless `keepReplayedOutputs`).
   */
  readonly sim: SimulatedAws;
  /** Journal entries replayed when the account was opened. */
  readonly replayed: number;
  /** How long opening took (reading, replaying), in milliseconds. */
  readonly openedInMs: number;
  /**
   * Arranges a fault for the next time it can happen, journals it, and says what will happen. `service`, for
   * "throttling" and "endpoint-hang" only, is the simulator's service name (default ECS). Throws a UsageError
   * for an unknown fault or service.
   */
  arrange(fault: SandboxFaultName, options?: { service?: SandboxServiceName }): string;
  /** HTTP faults still to apply, by service (the server's inject/onRequest). */
  pendingHttpFaults(): PendingHttpFault[];
  /** The server left one request to `service` unanswered: journaled, and one fewer is pending. */
  httpFaultTaken(service: string): void;
  /** Closes the journal and releases the lock. Idempotent; `send` fails afterwards. */
  close(): void;
}

/**
 * Opens (or creates) the sandbox account kept in `stateFile`: takes its lock (SandboxAccountBusyError naming
 * the pid if another live process holds it), creates the file with mode 0600 and its directory if missing,
 * and replays the journal. Throws an McctlError for a journal it cannot read (damaged, another format).
 */
export function openSandboxAccount(stateFile: string, options: SandboxAccountOptions = {}): SandboxAccount {
  const started = performance.now();
  const wallClock = options.now ?? (() => Date.now());
  mkdirSync(dirname(stateFile), { recursive: true, mode: 0o700 });
  const release = acquireAccountLock(stateFile);
  try {
    const contents = readJournal(stateFile);
    const writer = new JournalWriter(stateFile, contents.completeLength);
    try {
      const header: JournalHeader = contents.header ?? {
        type: "header",
        format: JOURNAL_FORMAT,
        seed: options.seed ?? randomInt(2 ** 31),
        createdAt: wallClock(),
      };
      if (!contents.header) writer.append(header);
      const account = new Account(stateFile, header, wallClock, writer, release);
      account.keepReplayedOutputs = options.keepReplayedOutputs ?? false;
      account.replay(contents.entries);
      account.openedInMs = performance.now() - started;
      return account;
    } catch (error) {
      writer.close();
      throw error;
    }
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Deletes the sandbox account kept in `stateFile` (the next open starts a new one). Refuses, with
 * SandboxAccountBusyError, while another live process has it open. Returns whether there was one.
 */
export function resetSandboxAccount(stateFile: string): boolean {
  if (!existsSync(dirname(stateFile))) return false;
  const release = acquireAccountLock(stateFile);
  try {
    unlinkSync(stateFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  } finally {
    release();
  }
}

class Account implements SandboxAccount {
  readonly sim: SimulatedAws;
  readonly createdAt: number;
  replayed = 0;
  openedInMs = 0;
  keepReplayedOutputs = false;
  readonly #httpFaults: PendingHttpFault[] = [];
  /** The time the simulator sees while a journaled event runs; undefined: the wall clock. */
  #heldAt: number | undefined;
  /** The last journaled time: simulated time never runs backwards, even if the wall clock does. */
  #lastAt: number;
  #closed = false;
  /** Why the journal could not be written, if it could not. */
  #writeFailure: unknown;

  constructor(
    readonly stateFile: string,
    header: JournalHeader,
    private readonly wallClock: () => number,
    private readonly writer: JournalWriter,
    private readonly release: () => void,
  ) {
    this.createdAt = header.createdAt;
    this.#lastAt = header.createdAt;
    this.#heldAt = header.createdAt;
    const sim = createSandboxSimulator({ seed: header.seed, now: () => this.#heldAt ?? this.#now() });
    furnishNewAccount(sim);
    this.#heldAt = undefined;
    const send = sim.send.bind(sim);
    this.sim = Object.assign(sim, {
      send: (service: string, operation: string, input: unknown, clientConfig?: Record<string, unknown>) => {
        let entry: CallEntry;
        try {
          this.#checkWritable();
          // The simulator gets the call as the journal has it (Dates, bytes and all, but nothing JSON cannot
          // say), so that the replay of the line is exactly this call.
          entry = decodeLine(
            encodeLine({
              type: "call",
              at: this.#now(),
              service,
              operation,
              input: input ?? {},
              ...journaledConfig(clientConfig),
            }),
          ) as CallEntry;
        } catch (error) {
          return Promise.reject(error);
        }
        const logged = sim.calls.length;
        const response = this.#heldAtEntry(entry, () =>
          send(service, operation, entry.input, entry.clientConfig),
        );
        // Journaled as soon as it has run (the simulator answers synchronously: nothing else runs in between),
        // with its outcome, which tells the replay whether a read must be run in full.
        const failed = sim.calls[logged]?.error !== undefined;
        try {
          this.#record(failed ? { ...entry, failed: true } : entry);
        } catch (error) {
          response.catch(() => {});
          return Promise.reject(error);
        }
        return response;
      },
    });
  }

  /** Applies journaled entries, each at its recorded time. */
  replay(entries: readonly JournalEntry[]): void {
    for (const entry of entries) {
      this.#lastAt = Math.max(this.#lastAt, entry.at);
      this.#apply(entry);
      this.replayed += 1;
    }
  }

  arrange(fault: SandboxFaultName, options: { service?: SandboxServiceName } = {}): string {
    const service = checkArrangement(fault, options.service);
    const entry = { type: "arrange" as const, at: this.#now(), fault, ...(service ? { service } : {}) };
    this.#record(entry);
    return this.#apply(entry) as string;
  }

  pendingHttpFaults(): PendingHttpFault[] {
    return this.#httpFaults.map((entry) => ({ ...entry }));
  }

  httpFaultTaken(service: string): void {
    const entry = { type: "http-fault-taken" as const, at: this.#now(), service };
    this.#record(entry);
    this.#apply(entry);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writer.close();
    this.release();
  }

  /** Runs one entry again at its time, or an arrangement or HTTP fault as it is made; an arrangement says what it did. */
  #apply(entry: JournalEntry): string | undefined {
    switch (entry.type) {
      case "call":
        // The caller saw a failed call's error at the time; replaying only rebuilds the state it left.
        this.#heldAtEntry(entry, () =>
          this.sim.replay(entry.service, entry.operation, entry.input, {
            ...(entry.clientConfig ? { clientConfig: entry.clientConfig } : {}),
            recordOutput: this.keepReplayedOutputs,
            succeeded: entry.failed !== true,
          }),
        );
        return undefined;
      case "arrange":
        return this.#heldAtEntry(entry, () => {
          // What was due before the arrangement happened before it: the fault is for what comes next.
          this.sim.advance();
          const service = checkArrangement(entry.fault, entry.service);
          return arrangeFault(this.sim, this.#httpFaults, entry.fault as SandboxFaultName, service);
        });
      case "http-fault-taken":
        takeHttpFault(this.#httpFaults, entry.service);
        return undefined;
    }
  }

  /** The wall clock, never before the last journaled time. */
  #now(): number {
    return Math.max(this.#lastAt, this.wallClock());
  }

  #checkWritable(): void {
    if (this.#closed) throw new Error(`the sandbox account ${this.stateFile} is closed`);
    if (this.#writeFailure) {
      throw new Error(`the sandbox account's journal ${this.stateFile} could not be written`, {
        cause: this.#writeFailure,
      });
    }
  }

  /**
   * Appends the entry to the journal. If that fails, the account in memory is ahead of its journal: every
   * later change is refused, so that nothing builds on what the next process will not have.
   */
  #record(entry: JournalEntry): void {
    this.#checkWritable();
    try {
      this.writer.append(entry);
    } catch (error) {
      this.#writeFailure = error;
      throw error;
    }
    this.#lastAt = entry.at;
  }

  /** Runs `action` with the simulator's clock held at the entry's time, so that replay sees the very same time. */
  #heldAtEntry<T>(entry: JournalEntry, action: () => T): T {
    this.#heldAt = entry.at;
    try {
      return action();
    } finally {
      this.#heldAt = undefined;
    }
  }
}

/**
 * The client configuration values a simulator may read (S3's followRegionRedirects): plain values only, the
 * same live and in replay. The SDK's resolved configuration also holds functions and providers.
 */
function journaledConfig(clientConfig: Record<string, unknown> | undefined): Pick<CallEntry, "clientConfig"> {
  if (clientConfig === undefined) return {};
  const plain = Object.entries(clientConfig).filter((member): member is [string, string | number | boolean] =>
    ["string", "number", "boolean"].includes(typeof member[1]),
  );
  return plain.length > 0 ? { clientConfig: Object.fromEntries(plain) } : {};
}

import type * as z from "zod/mini";
import type { CommandContext } from "../context.js";
import type { Reporter } from "../operations/reporter.js";
import type { InterruptMessages } from "../ui/interrupt.js";

/**
 * What a verb's module gives the driver. A verb that can change AWS gives `plan`; the driver owns the
 * rest (missing input, the dry run, the one confirmation, the interrupt trap, the failure screen, the
 * result), so that no verb can change anything before the operator said yes. A read-only verb gives
 * `read`, which the driver runs with every change to AWS refused.
 */
export interface VerbModule {
  /** The verb's options (made from its flags' declarations, src/driver/options.ts) and arguments. */
  readonly options: z.ZodMiniType;
  readonly verb: ChangingVerb<unknown> | ReadingVerb<unknown>;
}

export interface ChangingVerb<O, R = unknown, S extends Summary = Summary> {
  /**
   * Reads AWS and asks, prints what it found, and returns the plan: never changes anything (the
   * driver refuses an AWS call that would).
   */
  plan(context: CommandContext, options: O): Promise<Plan<R, S>>;
  /**
   * What can be checked without AWS (missing secrets, say), so that without a terminal and without
   * --yes the operator sees every missing input in one list with the confirmation.
   */
  localCheck?(context: CommandContext, options: O): Promise<unknown>;
}

export interface ReadingVerb<O> {
  read(context: CommandContext, options: O): Promise<unknown>;
}

/** One step of the apply, as the plan prints it and as the apply runs it. */
export interface Step {
  /** What the step does, as the numbered plan shows it. */
  readonly title: string;
  /** Lines under the title: the parts of a step that runs as one (the restart sequence's phases). */
  readonly details?: readonly string[];
  run(apply: ApplyRun): Promise<void>;
}

/** What the steps get from the driver once the operator said yes. */
export interface ApplyRun {
  reporter: Reporter;
  /** Aborted at Ctrl-C, SIGTERM or SIGHUP when the plan asked for the interrupt trap. */
  signal?: AbortSignal | undefined;
}

/** What --json prints for a plan that changed nothing. */
export type Summary = Record<string, unknown>;

export interface Plan<R = unknown, S extends Summary = Summary> {
  /** The line over the numbered steps: "Restart of mc (model-catalogue:3) in cluster default:". */
  readonly title: string;
  /** The apply, in order; empty when there is nothing to do. */
  readonly steps: readonly Step[];
  /** Said instead of asking anything when `steps` is empty (a reason, e.g. "mcctl.json already says so"). */
  readonly nothingToDo?: string | undefined;
  /** The one question before the apply (asked on a terminal; --yes answers it). */
  readonly question: string;
  /** On a terminal the operator types this (the service name) instead of answering y/N. */
  readonly typeToConfirm?: string | undefined;
  /** How the question and a wrong answer name it: "the service name (mc)". */
  readonly typeToConfirmLabel?: string | undefined;
  /**
   * What a dry run prints on stdout instead of its closing line, for a plan whose dry run is a product
   * in itself (`register-task --dry-run --offline`: the task definition, to pipe); the line goes to stderr.
   */
  readonly dryRunOutput?: { readonly json: unknown; readonly text: string } | undefined;
  /** What --json prints for a dry run or a plan with nothing to do (and what the driver returns then). */
  readonly summary: S;
  /**
   * Set when the apply must never be cut short silently (the restart sequence): the driver traps
   * Ctrl-C, SIGTERM and SIGHUP around the steps, saying these, and shows a stopped task's last log
   * lines when a step fails on it.
   */
  readonly interrupts?: InterruptMessages | undefined;
  /** After the last step: what --json prints, the closing line and what the driver returns. */
  outcome(): Outcome<R>;
}

export interface Outcome<R> {
  readonly value: R;
  readonly json: Record<string, unknown>;
  readonly message: string;
}

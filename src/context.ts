import { AwsClients } from "./aws/clients.js";
import { resolveAwsConfig, sandboxAwsConfig } from "./aws/config.js";
import { type GlobalOptions, resolveGlobals } from "./config/globals.js";
import type { Asker } from "./config/questions.js";
import type { LoadedSettings } from "./config/settings.js";
import { McctlError, MissingInputError } from "./errors.js";
import type { RunningSandbox } from "./sandbox/index.js";
import { Output } from "./ui/output.js";
import * as prompts from "./ui/prompts.js";

export { DEFAULT_CLUSTER, DEFAULT_SERVICE } from "./config/defaults.js";
export type { GlobalOptions } from "./config/globals.js";

/** Everything a command needs from the outside world, built once per run. */
export interface CommandContext {
  options: GlobalOptions;
  output: Output;
  /** Questions may be asked: stdin is a terminal and --yes was not given. */
  interactive: boolean;
  settings: LoadedSettings;
  env: NodeJS.ProcessEnv;
  cluster: string;
  service: string;
  aws: AwsClients;
  /** Every question goes through here; tests put a scripted Asker in its place. */
  ask: Asker;
  /**
   * With --yes, when the command's --timeout runs out (epoch ms), counted from its start: the plan's AWS
   * calls end by then, and so does the apply where --timeout bounds the command (restart, create-service…;
   * setup's and destroy's bound each wait). Undefined on a terminal, where the operator's reading time
   * does not count (the plan's calls have their per-call limit and --timeout counts from the
   * confirmation), and for commands without --timeout.
   */
  deadline?: number | undefined;
  /** The sandbox account the clients talk to, in sandbox mode (`--sandbox`). */
  sandbox?: RunningSandbox | undefined;
}

/**
 * In the sandbox, the secrets a new deployment (no mcctl.json yet) or a rebuild after destroy (the names
 * `secrets.deleted` keeps) would ask for get practice values; the operator's own, in the environment, still win.
 * Never the others: a practice value in the environment would overwrite a secret the operator set.
 */
function practiceSecretsWanted(sandbox: RunningSandbox, settings: LoadedSettings): Record<string, string> {
  const wanted = settings.exists ? (settings.settings.secrets?.deleted ?? []) : undefined;
  return Object.fromEntries(
    Object.entries(sandbox.practiceSecrets()).filter(
      ([name]) => wanted === undefined || wanted.includes(name),
    ),
  );
}

/** What bounds the command as a whole: its --timeout, for the commands that have one. */
export interface CommandTimeLimit {
  timeoutMs?: number | undefined;
}

export interface ContextDependencies {
  env?: NodeJS.ProcessEnv;
  stdinIsTTY?: boolean;
  output?: Output;
}

export async function createContext(
  options: GlobalOptions,
  timeLimit: CommandTimeLimit = {},
  deps: ContextDependencies = {},
): Promise<CommandContext> {
  const startedAt = Date.now();
  const env = deps.env ?? process.env;
  const output =
    deps.output ??
    new Output({ json: options.json ?? false, color: options.color ?? true, debug: options.debug ?? false });
  const globals = await resolveGlobals(options, env);
  const deadline =
    options.yes && timeLimit.timeoutMs !== undefined ? startedAt + timeLimit.timeoutMs : undefined;
  // Loaded only in sandbox mode: the simulator and its server are no part of a real run's start-up.
  const sandbox = globals.sandbox
    ? await (await import("./sandbox/index.js")).startSandbox(globals.settings.path)
    : undefined;
  return {
    options,
    output,
    interactive: (deps.stdinIsTTY ?? Boolean(process.stdin.isTTY)) && !options.yes,
    settings: globals.settings,
    env: sandbox ? { ...practiceSecretsWanted(sandbox, globals.settings), ...env } : env,
    cluster: globals.cluster,
    service: globals.service,
    // The plan's calls end by the deadline; the apply derives its own limits (withCallLimits).
    aws: new AwsClients(sandbox ? sandboxAwsConfig(sandbox, globals) : resolveAwsConfig(globals), {
      deadline,
    }),
    ask: prompts,
    deadline,
    sandbox,
  };
}

/**
 * When the apply must be over: with --yes the command's deadline (the plan counted too); on a
 * terminal `timeoutMs` from now, the confirmation.
 */
export function applyDeadline(context: Pick<CommandContext, "deadline">, timeoutMs: number): number {
  return context.deadline ?? Date.now() + timeoutMs;
}

const CONFIRMATION = "confirmation (--yes)";

/** True when a change could not be confirmed: no terminal to ask and no --yes. */
export function confirmationImpossible(context: CommandContext): boolean {
  return !context.options.yes && !context.interactive;
}

/**
 * Without a terminal and without --yes a change can never be confirmed, so the command stops before its
 * first AWS call. `localCheck` (what can be checked without AWS) runs first, so the operator sees every
 * missing input in one list with the confirmation.
 */
export async function requireConfirmable(
  context: CommandContext,
  needsConfirmation: boolean,
  localCheck: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  if (!needsConfirmation || !confirmationImpossible(context)) return;
  try {
    await localCheck();
  } catch (error) {
    if (error instanceof MissingInputError) throw new MissingInputError([...error.missing, CONFIRMATION]);
    throw error;
  }
  throw new MissingInputError([CONFIRMATION], "stdin is not a terminal: pass --yes to confirm the change.");
}

/**
 * Whether a confirmation is to be asked: false with --yes (confirmed already); without a terminal there
 * is nobody to ask, so the command stops rather than guess.
 */
export function confirmationToAsk(context: CommandContext): boolean {
  if (context.options.yes) return false;
  if (!context.interactive) {
    throw new MissingInputError([CONFIRMATION], "stdin is not a terminal: pass --yes to confirm the change.");
  }
  return true;
}

/** The sandbox account of this run; the verbs of `mcctl sandbox` imply --sandbox, so they always have one. */
export function sandboxOf(context: Pick<CommandContext, "sandbox">): RunningSandbox {
  if (!context.sandbox) {
    throw new McctlError("no sandbox account in this run", { suggestion: "Run the command with --sandbox." });
  }
  return context.sandbox;
}

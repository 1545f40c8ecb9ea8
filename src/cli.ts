import { Command, CommanderError, Option } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { SANDBOX_BANNER, SANDBOX_ENV } from "./config/defaults.js";
import { capitalized, oneLine, quote } from "./domain/formats.js";
import { type FlagUse, GROUPS, VERBS, type VerbDeclaration, type VerbName } from "./driver/catalogue.js";
import { FLAGS, type FlagDeclaration, type FlagKey, GLOBAL_FLAGS } from "./driver/flags.js";
import { fullName, verbAction } from "./driver/run.js";
import type { VerbModule } from "./driver/verb.js";
import { ExitCode, McctlError, UsageError } from "./errors.js";

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (AWS refused, a deployment failed, a wait timed out, cancelled at a confirmation)
  2    usage error or missing input (a bad flag, environment variable or mcctl.json value, checked
       before any AWS call; a value that cannot be asked for)
  129  hung up (SIGHUP: the terminal or ssh session went away)
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)`;

/** Where each verb's code is: imported only when the verb runs (src/driver/run.ts). */
export const VERB_MODULES: Record<VerbName, () => Promise<VerbModule>> = {
  setup: () => import("./commands/setup.js"),
  "register-task": () => import("./commands/register-task.js"),
  "create-service": () => import("./commands/create-service.js"),
  restart: () => import("./commands/restart.js"),
  upgrade: () => import("./commands/upgrade.js"),
  rollback: () => import("./commands/rollback.js"),
  restore: () => import("./commands/restore.js"),
  status: () => import("./commands/status.js"),
  logs: () => import("./commands/logs.js"),
  "secrets list": () => import("./commands/secrets-list.js"),
  "secrets set": () => import("./commands/secrets-set.js"),
  "secrets rm": () => import("./commands/secrets-rm.js"),
  "secrets purge-plaintext": () => import("./commands/secrets-purge-plaintext.js"),
  "backup create": () => import("./commands/backup.js"),
  "backup list": () => import("./commands/backup-list.js"),
  destroy: () => import("./commands/destroy.js"),
  permissions: () => import("./commands/permissions.js"),
  "sandbox reset": () => import("./commands/sandbox-reset.js"),
  "sandbox fail": () => import("./commands/sandbox-fail.js"),
};

export function buildProgram(): Command {
  const program = new Command("mcctl")
    .description("Install and operate Model Catalogue (metadata/registry) on Amazon ECS.")
    .version(packageJson.version)
    // Before the subcommands are added, so that they inherit them: commander then throws instead of
    // printing and calling process.exit, and main() reports usage errors on one line with exit code 2.
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    // Every verb's help shows the global options too.
    .configureHelp({ showGlobalOptions: true })
    // Surplus arguments are reported by the verb's action, which can name them.
    .allowExcessArguments()
    // Replaced below by a help command that reports an unknown command like any other usage error.
    .helpCommand(false)
    .addHelpText("after", EXIT_CODES_HELP);
  for (const declaration of Object.values(GLOBAL_FLAGS)) program.addOption(optionOf(declaration));

  // A group (`secrets`, `backup`) is listed where its first command is.
  const groups = new Map<string, Command>();
  const groupOf = (name: string): Command => {
    const known = groups.get(name);
    if (known) return known;
    const description = GROUPS.find((group) => group.name === name)?.description ?? "";
    const group = program.command(name).description(description);
    groups.set(name, group);
    return group;
  };
  for (const verb of VERBS) {
    const words = verb.name.split(" ");
    const parent = words.length > 1 ? groupOf(words[0] ?? "") : program;
    const name = `${words.at(-1)}${"args" in verb ? ` ${verb.args}` : ""}`;
    const command = parent
      .command(name, "isDefault" in verb ? { isDefault: verb.isDefault } : {})
      .description(verb.description);
    for (const [key, use] of Object.entries(verb.flags) as [FlagKey, FlagUse][]) {
      for (const option of optionsOf(FLAGS[key], use)) command.addOption(option);
    }
    command.addHelpText("after", verbHelp(verb));
    command.action(verbAction(verb, VERB_MODULES[verb.name]));
  }

  program
    .command("help [command...]")
    .description("display help for command (e.g. mcctl help secrets set)")
    .action((names: string[] | undefined) => {
      let current: Command = program;
      for (const name of names ?? []) {
        const next = current.commands.find((candidate) => candidate.name() === name);
        if (!next) throw unknownCommand(current, name);
        current = next;
      }
      current.help();
    });

  return program;
}

/** Commander's option for a declared flag, with the default the verb gives it. */
function optionOf(declaration: FlagDeclaration, use: FlagUse = {}): Option {
  const option = new Option(declaration.spelling, use.help ?? declaration.help);
  return use.default === undefined ? option : option.default(use.default);
}

/**
 * A flag with an opposite has both (`--restart`, `--no-restart`); where the verb gives the pair a
 * default (`on`), the help shows only the one that changes it, as the README does.
 */
function optionsOf(declaration: FlagDeclaration, use: FlagUse): Option[] {
  const option = optionOf(declaration, use);
  if (declaration.negation === undefined) return [option];
  const opposite = new Option(
    `--no-${declaration.spelling.replace(/^--/, "")}`,
    use.negationHelp ?? declaration.negation,
  );
  if (use.on === true) option.hideHelp();
  if (use.on === false) opposite.hideHelp();
  return [option, opposite];
}

/** A verb's notes and examples, after its options. */
function verbHelp(verb: VerbDeclaration): string {
  const notes = verb.notes ? `\n${verb.notes}\n` : "";
  return `${notes}\nExamples:\n${verb.examples.map((example) => `  $ ${example}`).join("\n")}`;
}

function commandNames(program: Command): string[] {
  return program.commands.map((command) => command.name()).filter((name) => name !== "help");
}

function unknownCommand(program: Command, name: string): UsageError {
  const group = program.parent ? ` ${fullName(program)}` : "";
  return new UsageError(`unknown command ${quote(name)}`, {
    suggestion: `The commands${group ? ` of mcctl${group}` : ""} are ${commandNames(program).join(", ")}; see \`mcctl${group} --help\`.`,
  });
}

/** The command the words of argv name, e.g. `secrets set` in `mcctl --json secrets set X`. */
function commandIn(program: Command, argv: readonly string[]): Command | undefined {
  let current: Command = program;
  for (const word of argv) {
    const next = current.commands.find((command) => command.name() === word && command.name() !== "help");
    if (next) current = next;
  }
  return current === program ? undefined : current;
}

/** Runs mcctl and returns the exit code; the only place that decides how an error is shown. */
export async function main(argv: readonly string[]): Promise<number> {
  // The prompts and spinners (loaded with the command, after this) colour by NO_COLOR, not by our flag.
  if (argv.includes("--no-color")) process.env.NO_COLOR = "1";
  const program = buildProgram();
  if (inSandbox(program, argv)) process.stderr.write(`${SANDBOX_BANNER}\n`);
  const stdout = watchStdout();
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    // A command that answered on stdout before it failed (`status --check`) keeps that one JSON answer.
    return reportError(asUsageError(error, program, argv), argv.includes("--debug"), process.stderr, {
      json: argv.includes("--json") && !stdout.written(),
    });
  } finally {
    stdout.stop();
  }
}

/**
 * Whether the run uses the sandbox: --sandbox, MCCTL_SANDBOX=1 or a `sandbox` verb. Read before commander parses,
 * so that the banner is the first line of every screen, help and usage errors included; a bad MCCTL_SANDBOX is
 * reported later by the command.
 */
function inSandbox(program: Command, argv: readonly string[]): boolean {
  const words = argv.slice(2);
  const end = words.indexOf("--");
  const options = end === -1 ? words : words.slice(0, end);
  const env = process.env[SANDBOX_ENV]?.toLowerCase();
  const command = commandIn(program, options);
  return (
    options.includes("--sandbox") ||
    env === "1" ||
    env === "true" ||
    command?.name() === "sandbox" ||
    command?.parent?.name() === "sandbox"
  );
}

/** Notes whether anything is written to stdout while a command runs. */
function watchStdout(): { written(): boolean; stop(): void } {
  const stream = process.stdout;
  const write = stream.write;
  let written = false;
  stream.write = function (this: NodeJS.WriteStream, ...args: Parameters<typeof write>) {
    written = true;
    return write.apply(this, args);
  } as typeof write;
  return {
    written: () => written,
    stop: () => {
      stream.write = write;
    },
  };
}

/** Commander errors that are the help or the version, already printed: nothing to report. */
const PRINTED = new Set(["commander.help", "commander.helpDisplayed", "commander.version"]);

/**
 * Commander's parse errors (unknown option or command, missing value) in mcctl's own form: one line
 * naming the bad value, cut short, and one suggestion line.
 */
export function asUsageError(error: unknown, program: Command, argv: readonly string[]): unknown {
  if (!(error instanceof CommanderError) || PRINTED.has(error.code)) return error;
  const similar = /\n\(Did you mean (.+)\?\)$/.exec(error.message);
  const message = (similar ? error.message.slice(0, similar.index) : error.message).replace(/^error: /, "");
  // Commander quotes the offending word in '…'; a word typed by the operator may be long or multi-line.
  const quoted = /^([^']*)'([\s\S]*)'([^']*)$/.exec(message);
  const line = quoted ? `${quoted[1]}${quote(quoted[2] ?? "")}${quoted[3]}` : message;
  const command = commandIn(program, argv);
  if (error.code === "commander.unknownCommand" && !similar) {
    return unknownCommand(command ?? program, quoted?.[2] ?? "");
  }
  const help = `see \`mcctl${command ? ` ${fullName(command)}` : ""} --help\``;
  return new UsageError(oneLine(line), {
    suggestion: similar ? `Did you mean ${similar[1]}? Or ${help}.` : `${capitalized(help)}.`,
    cause: error,
  });
}

export function reportError(
  error: unknown,
  debug: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
  options: { json?: boolean; stdout?: NodeJS.WritableStream } = {},
): number {
  if (error instanceof CommanderError) {
    // The help or the version, which commander has printed (main turns its other errors into UsageErrors).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  // With --json, a script reading stdout gets the failure too, never an empty answer.
  const json = (code: number, message: string, advice: string | undefined) => {
    if (!options.json) return;
    (options.stdout ?? process.stdout).write(`${JSON.stringify({ error: { code, message, advice } })}\n`);
  };
  if (error instanceof McctlError) {
    stderr.write(`mcctl: ${error.message}\n`);
    if (error.suggestion) stderr.write(`  ${error.suggestion}\n`);
    if (debug) stderr.write(`${describeForDebug(error)}\n`);
    json(error.exitCode, error.message, error.suggestion);
    return error.exitCode;
  }
  const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  stderr.write(`mcctl: ${message}\n`);
  stderr.write(
    debug ? `${describeForDebug(error)}\n` : "  Run again with --debug for details, and report it.\n",
  );
  json(ExitCode.failure, message, "Run again with --debug for details, and report it.");
  return ExitCode.failure;
}

function describeForDebug(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(current.stack ?? String(current));
    current = current.cause;
  }
  return parts.join("\nCaused by: ");
}

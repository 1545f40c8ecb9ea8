import type { Command } from "commander";
import type { GlobalOptions } from "./context.js";
import { quote } from "./domain/formats.js";
import { UsageError } from "./errors.js";

export const KMS_KEY_HELP =
  "customer KMS key (ARN or id) for the secrets' SecureStrings (default: mcctl.json, then alias/aws/ssm)";

type CommandModule = { run(globals: GlobalOptions, options: Record<string, unknown>): Promise<void> };

/**
 * Commands are imported only when they run, so `mcctl --help` loads neither the AWS SDK nor prompts (nor
 * zod). Flag values, and for the commands that gather the task's inputs (register-task, setup) the
 * Model Catalogue variables, are checked before the command starts: a bad value never reaches AWS.
 */
export function lazyAction(load: () => Promise<CommandModule>, gathersInputs = false) {
  return async (...args: unknown[]) => {
    // Commander passes the declared arguments, then the options, then the command.
    const command = args.at(-1) as Command;
    const options = args.at(-2) as Record<string, unknown>;
    const declared = command.registeredArguments.map((argument) => argument.name());
    const name = fullName(command);
    const variadic = command.registeredArguments.some((argument) => argument.variadic);
    const [surplus] = variadic ? [] : command.args.slice(declared.length);
    const group = command.parent;
    // `mcctl backup lst` runs the group's default command (`backup create`) with "lst" as its argument:
    // the operator meant a command of the group.
    if (surplus !== undefined && group?.parent && defaultCommandOf(group) === command.name()) {
      const commands = group.commands.map((candidate) => candidate.name());
      throw new UsageError(`unknown command ${quote(surplus)} for mcctl ${fullName(group)}`, {
        suggestion: `The commands of mcctl ${fullName(group)} are ${commands.join(", ")}; see \`mcctl ${fullName(group)} --help\`.`,
      });
    }
    if (surplus !== undefined && declared.length === 0) {
      throw new UsageError(`too many arguments for ${name}: ${quote(surplus)} (it takes none)`, {
        suggestion: `Options start with --; see \`mcctl ${name} --help\`.`,
      });
    }
    if (surplus !== undefined) {
      // After `secrets set NAME` the extra word is likely the value: it is never echoed.
      throw new UsageError(
        `too many arguments for ${name} (it takes ${declared.join(" ").toUpperCase()} only)`,
        {
          suggestion:
            "A secret's value comes from the environment variable of its name or a masked prompt, never an argument.",
        },
      );
    }
    const globals = command.optsWithGlobals<GlobalOptions>();
    // The checks run before the command does (loading a command calls nothing: its SDK clients and
    // prompts load on first use), so both load at once.
    const [{ checkFlagValues }, { checkVariables }, { requireSettingsFile }, module] = await Promise.all([
      import("./commands/options.js"),
      import("./config/globals.js"),
      import("./config/settings.js"),
      load(),
    ]);
    checkFlagValues(name, options);
    if (gathersInputs) {
      checkVariables(process.env);
    } else if (globals.config !== undefined && globals.config !== "") {
      // Only the commands that gather inputs create the file: for the others a missing one is a typo.
      await requireSettingsFile(globals.config);
    }
    const named = Object.fromEntries(declared.map((argument, index) => [argument, args[index]]));
    await module.run(globals, { ...options, ...named });
  };
}

/** The command a group runs when none is named (commander keeps it in a field of its own). */
function defaultCommandOf(group: Command): string | undefined {
  return (group as unknown as { _defaultCommandName?: string })._defaultCommandName;
}

/** "secrets set", as the operator types it after `mcctl`. */
export function fullName(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(" ");
}

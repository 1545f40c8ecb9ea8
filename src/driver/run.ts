import type { Command } from "commander";
import type { GlobalOptions } from "../config/globals.js";
import { quote } from "../domain/formats.js";
import { UsageError } from "../errors.js";
import type { VerbDeclaration } from "./catalogue.js";
import type { VerbModule } from "./verb.js";

/**
 * Commander's action for a verb. The verb's module is imported only when it runs, so `mcctl --help`
 * loads neither the AWS SDK nor prompts (nor zod). Its flags (and for the verbs that gather the task's
 * inputs, the Model Catalogue variables) are checked once, before anything else: a bad value never
 * reaches AWS. Then the driver runs it.
 */
export function verbAction(declaration: VerbDeclaration, load: () => Promise<VerbModule>) {
  return async (...args: unknown[]) => {
    // Commander passes the declared arguments, then the options, then the command.
    const command = args.at(-1) as Command;
    const flags = args.at(-2) as Record<string, unknown>;
    const declared = command.registeredArguments.map((argument) => argument.name());
    refuseSurplusArguments(command, declared);
    const globals = command.optsWithGlobals<GlobalOptions>();
    // Loading a verb calls nothing (its SDK clients and prompts load on first use), so all load at once.
    const [
      { parseOptions },
      { checkVariables, sandboxFromEnv, sandboxFlags },
      { requireSettingsFile },
      { createContext },
      driver,
      module,
    ] = await Promise.all([
      import("./options.js"),
      import("../config/globals.js"),
      import("../config/settings.js"),
      import("../context.js"),
      import("./drive.js"),
      load(),
    ]);
    if (declaration.sandbox || sandboxFromEnv(process.env)) globals.sandbox = true;
    if (globals.sandbox) {
      Object.assign(
        flags,
        sandboxFlags(flags, (key) => command.getOptionValueSource(key) === "default"),
      );
    }
    const named = Object.fromEntries(declared.map((argument, index) => [argument, args[index]]));
    const options = parseOptions(
      module.options,
      { ...flags, ...named, family: globals.family },
      declaration.name,
    ) as Record<string, unknown>;
    if (declaration.gathersInputs) {
      checkVariables(process.env);
    } else if (globals.config !== undefined && globals.config !== "") {
      // Only the verbs that gather inputs create the file: for the others a missing one is a typo.
      await requireSettingsFile(globals.config);
    }
    const timeoutMs = typeof options.timeout === "number" ? options.timeout : undefined;
    const context = await createContext(globals, { timeoutMs });
    const verb = module.verb;
    await ("plan" in verb ? driver.drive(context, verb, options) : driver.read(context, verb, options));
  };
}

function refuseSurplusArguments(command: Command, declared: readonly string[]): void {
  const name = fullName(command);
  const variadic = command.registeredArguments.some((argument) => argument.variadic);
  const [surplus] = variadic ? [] : command.args.slice(declared.length);
  if (surplus === undefined) return;
  const group = command.parent;
  // `mcctl backup lst` runs the group's default command (`backup create`) with "lst" as its argument:
  // the operator meant a command of the group.
  if (group?.parent && defaultCommandOf(group) === command.name()) {
    const commands = group.commands.map((candidate) => candidate.name());
    throw new UsageError(`unknown command ${quote(surplus)} for mcctl ${fullName(group)}`, {
      suggestion: `The commands of mcctl ${fullName(group)} are ${commands.join(", ")}; see \`mcctl ${fullName(group)} --help\`.`,
    });
  }
  if (declared.length === 0) {
    throw new UsageError(`too many arguments for ${name}: ${quote(surplus)} (it takes none)`, {
      suggestion: `Options start with --; see \`mcctl ${name} --help\`.`,
    });
  }
  // After `secrets set NAME` the extra word is likely the value: it is never echoed.
  throw new UsageError(`too many arguments for ${name} (it takes ${declared.join(" ").toUpperCase()} only)`, {
    suggestion:
      "A secret's value comes from the environment variable of its name or a masked prompt, never an argument.",
  });
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

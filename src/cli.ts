import { Command, CommanderError, Option } from "commander";
import packageJson from "../package.json" with { type: "json" };
import {
  CREATE_SERVICE_DEFAULTS,
  DEFAULT_SETTINGS_PATH,
  RESTART_DEFAULTS,
  SETUP_DEFAULTS,
  UPGRADE_DEFAULTS,
} from "./config/defaults.js";
import type { GlobalOptions } from "./context.js";
import { oneLine, quote } from "./domain/formats.js";
import { ExitCode, McctlError, UsageError } from "./errors.js";

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (AWS refused, a deployment failed, a wait timed out, cancelled at a confirmation)
  2    usage error or missing input (a bad flag, environment variable or mcctl.json value, checked
       before any AWS call; a value that cannot be asked for)
  130  interrupted (Ctrl-C)`;

const KMS_KEY_HELP =
  "customer KMS key (ARN or id) for the secrets' SecureStrings (default: mcctl.json, then alias/aws/ssm)";

type CommandModule = { run(globals: GlobalOptions, options: Record<string, unknown>): Promise<void> };

/**
 * Commands are imported only when they run, so `mcctl --help` loads neither the AWS SDK nor prompts (nor
 * zod). Flag values, and for the commands that gather the task's inputs (register-task, setup) the
 * Model Catalogue variables, are checked before the command starts: a bad value never reaches AWS.
 */
function lazyAction(load: () => Promise<CommandModule>, gathersInputs = false) {
  return async (...args: unknown[]) => {
    // Commander passes the declared arguments, then the options, then the command.
    const command = args.at(-1) as Command;
    const options = args.at(-2) as Record<string, unknown>;
    const declared = command.registeredArguments.map((argument) => argument.name());
    const name = fullName(command);
    const [surplus] = command.args.slice(declared.length);
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

/** "secrets set", as the operator types it after `mcctl`. */
function fullName(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(" ");
}

export function buildProgram(): Command {
  const program = new Command("mcctl")
    .description("Install and operate Model Catalogue (metadata/registry) on Amazon ECS.")
    .version(packageJson.version)
    .option("--region <region>", "AWS region (default: AWS_REGION, then mcctl.json)")
    .option("--profile <name>", "AWS shared-config profile (default: AWS_PROFILE)")
    .option("--endpoint-url <url>", "custom AWS endpoint, e.g. LocalStack (default: AWS_ENDPOINT_URL)")
    .option("--cluster <name>", 'ECS cluster (default: MCCTL_CLUSTER, mcctl.json, then "default")')
    .option("--service <name>", 'ECS service (default: MCCTL_SERVICE, mcctl.json, then "mc")')
    // No commander default: a --config that was given must exist, the default one may not (first run).
    .option("--config <path>", `settings file (default: ${DEFAULT_SETTINGS_PATH}, if it exists)`)
    .option("-y, --yes", "answer yes to confirmations and never prompt (missing answers are an error)")
    .option("--json", "print the result as JSON on stdout")
    .option("--debug", "print stack traces and AWS details")
    .option("--no-color", "disable colours (also NO_COLOR)")
    // Before the subcommands are added, so that they inherit them: commander then throws instead of
    // printing and calling process.exit, and main() reports usage errors on one line with exit code 2.
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    // Surplus arguments are reported by lazyAction, which can name them.
    .allowExcessArguments()
    // Replaced below by a help command that reports an unknown command like any other usage error.
    .helpCommand(false)
    .addHelpText("after", EXIT_CODES_HELP);

  program
    .command("setup")
    .description(
      "first install: S3 bucket, MySQL on RDS, network access, ECS cluster and instance, task, service",
    )
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .option("--dry-run", "show what exists and what would be created; change nothing")
    .option("--kms-key <arn|id>", KMS_KEY_HELP)
    .option("--no-wait", "do not wait for the database or a new instance; run setup again later to finish")
    .option(
      "--timeout <duration>",
      "bound for each long wait (database, instance, service)",
      SETUP_DEFAULTS.timeout,
    )
    .option("--poll-interval <duration>", "how often to look while waiting", SETUP_DEFAULTS.pollInterval)
    .addHelpText(
      "after",
      "\nIdempotent and resumable: every step looks first and creates only what is missing, so a setup that\n" +
        "stopped half-way is finished by running it again. With --yes, every answer comes from mcctl.json and\n" +
        "the environment (secrets: METADATA_PASSWORD, MC_SUPERVISOR_PASSWORD, MC_S3_KEY, MC_S3_SECRET, …).",
    )
    .action(lazyAction(() => import("./commands/setup.js"), true));

  program
    .command("register-task")
    .description("render the two-container Model Catalogue task definition and register it as a new revision")
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .option(
      "--dry-run",
      "print the plan: account, region and what would change (secrets masked); change nothing",
    )
    .option(
      "--offline",
      "with --dry-run: print the task definition from mcctl.json and the environment, no AWS call",
    )
    .option("--force", "register a new revision even when nothing changed")
    .option("--kms-key <arn|id>", KMS_KEY_HELP)
    .addHelpText(
      "after",
      "\nSecrets (METADATA_PASSWORD, MC_SUPERVISOR_PASSWORD, MC_MAIL_PASSWORD, MC_S3_KEY, MC_S3_SECRET,\n" +
        "MC_GOOGLE_SECRET) are read from the environment variable of the same name or asked with a masked prompt,\n" +
        "stored as SSM SecureStrings under /mcctl/<family> and referenced from the task definition; a re-run\n" +
        "uses the stored ones without asking. See `mcctl secrets --help`.",
    )
    .action(lazyAction(() => import("./commands/register-task.js"), true));

  program
    .command("create-service")
    .description(
      "create the ECS service (desired count 1) from the latest task definition and wait until steady",
    )
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .option("--task-definition <family:revision|arn>", "use this revision instead of the family's latest")
    .option("--dry-run", "check the cluster and print what would be created, without creating it")
    .option("--no-wait", "return once ECS accepted the service")
    .addOption(
      new Option("--timeout <duration>", "how long to wait for a steady service").default(
        CREATE_SERVICE_DEFAULTS.timeout,
      ),
    )
    .option("--poll-interval <duration>", "how often to look at ECS", CREATE_SERVICE_DEFAULTS.pollInterval)
    .action(lazyAction(() => import("./commands/create-service.js")));

  addRestartFlags(
    program
      .command("restart")
      .description(
        "scale the service to 0, wait until every task has stopped, scale back and wait until steady",
      )
      .option(
        "--count <n>",
        "desired count to restore when the service is already at 0",
        String(RESTART_DEFAULTS.count),
      ),
  ).action(lazyAction(() => import("./commands/restart.js")));

  addRestartFlags(
    program
      .command("upgrade")
      .description(
        "deploy another image tag as a new task definition revision, then restart; or pull and restart",
      )
      .option("--tag <tag>", "new tag for the mc container's image (repository kept)")
      .option("--image <repository:tag>", "new image for the mc container")
      .option("--es-tag <tag>", "new tag for the mc-es (Elasticsearch) container's image")
      .option(
        "--rollback-on-failure",
        "go back to the previous revision when the upgrade fails (asked in the plan on a terminal)",
      )
      .option("--no-rollback-on-failure", "leave the failed revision in service and print how to roll back")
      .option("--skip-pull", "without --tag: restart only, do not pull over ssh first")
      .option("--ssh-key <path>", "without --tag: private key for ssh to the container instances")
      .option("--ssh-user <user>", "without --tag: ssh user", UPGRADE_DEFAULTS.sshUser)
      .option(
        "--ssh-private-ip",
        "without --tag: connect to the instances' private IPs instead of public DNS names",
      )
      .addHelpText(
        "after",
        "\nWithout --tag/--image/--es-tag (floating tags such as :2) mcctl pulls each image on the hosts running\n" +
          "the service with the system ssh, then restarts. Current ECS agents pull images when a task starts\n" +
          "unless ECS_IMAGE_PULL_BEHAVIOR=prefer-cached/once, so --skip-pull is often enough.\n" +
          "Old revisions are never deregistered.",
      ),
  ).action(lazyAction(() => import("./commands/upgrade.js")));

  addRestartFlags(
    program
      .command("rollback")
      .description("point the service back at the previous ACTIVE revision (or --to) and restart")
      .option("--to <revision>", "revision number, family:revision or ARN to go back to"),
  ).action(lazyAction(() => import("./commands/rollback.js")));

  program
    .command("status")
    .description(
      "show the service, its deployments, tasks, container instances, recent events and the app URL",
    )
    .option("--check", "exit 1 when fewer tasks run than desired or more than one deployment is active")
    .action(lazyAction(() => import("./commands/status.js")));

  addSecretsCommands(program);

  program
    .command("help [command]")
    .description("display help for command")
    .action((name: string | undefined) => {
      if (name === undefined) program.help();
      const command = program.commands.find((candidate) => candidate.name() === name);
      if (!command) throw unknownCommand(program, name ?? "");
      command.help();
    });

  return program;
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

/** `mcctl secrets …`: where the secrets live, and changing one without ever showing it. */
function addSecretsCommands(program: Command): void {
  const secrets = program
    .command("secrets")
    .description(
      "the secrets in SSM Parameter Store: list, set, rm, purge-plaintext (values are never shown)",
    );
  secrets
    .command("list")
    .description("each secret: where it is stored, its SSM version and when it last changed (never a value)")
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .action(lazyAction(() => import("./commands/secrets-list.js")));
  secrets
    .command("set <name>")
    .description("store a new value for one secret (from the environment variable NAME, or a masked prompt)")
    .option("--dry-run", "print the plan and change nothing")
    .option(
      "--restart",
      "restart the service afterwards, so that it reads the new value (asked on a terminal)",
    )
    .option("--no-restart", "do not restart; the running task keeps the old value until it restarts")
    .option("--kms-key <arn|id>", KMS_KEY_HELP)
    .option("--timeout <duration>", "bound for the restart, e.g. 15m", RESTART_DEFAULTS.timeout)
    .option("--poll-interval <duration>", "how often to look at ECS", RESTART_DEFAULTS.pollInterval)
    .addHelpText(
      "after",
      "\nThe value is never taken from a flag. A value the task definition does not reference yet is\n" +
        "referenced from a new revision (put it in service with `mcctl rollback --to N`).",
    )
    .action(lazyAction(() => import("./commands/secrets-set.js"), true));
  secrets
    .command("rm <name>")
    .description(
      "stop using an optional secret and delete its SSM parameter (MC_MAIL_PASSWORD, MC_S3_KEY, …)",
    )
    .option("--dry-run", "print the plan and change nothing")
    .action(lazyAction(() => import("./commands/secrets-rm.js"), true));
  secrets
    .command("purge-plaintext")
    .description("deregister and delete the older revisions that still hold secrets in plain text")
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .option("--dry-run", "list the revisions that would be deleted; change nothing")
    .addHelpText(
      "after",
      "\nDeleted revisions can never be rolled back to. The revision in service and the one mcctl.json\n" +
        "describes are never deleted.",
    )
    .action(lazyAction(() => import("./commands/secrets-purge-plaintext.js")));
}

/** The flags of every command that ends with the restart sequence. */
function addRestartFlags(command: Command): Command {
  return command
    .option("--dry-run", "print the plan and change nothing")
    .option("--timeout <duration>", "bound for the whole command, e.g. 15m", RESTART_DEFAULTS.timeout)
    .option("--poll-interval <duration>", "how often to look at ECS", RESTART_DEFAULTS.pollInterval)
    .option("--health-url <url>", "after the service is steady, wait until this URL answers HTTP 200")
    .option(
      "--check-health",
      "like --health-url, with METADATA_SCHEME://METADATA_HOST/ from the task definition",
    )
    .addHelpText(
      "after",
      "\nCtrl-C while the service is at 0 puts the desired count back before exiting (exit 130); a second\n" +
        "Ctrl-C quits at once and prints the command that restores it.",
    );
}

/** Runs mcctl and returns the exit code; the only place that decides how an error is shown. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    return reportError(asUsageError(error, program, argv), argv.includes("--debug"));
  }
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
    suggestion: similar
      ? `Did you mean ${similar[1]}? Or ${help}.`
      : `${help[0]?.toUpperCase()}${help.slice(1)}.`,
    cause: error,
  });
}

export function reportError(
  error: unknown,
  debug: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
): number {
  if (error instanceof CommanderError) {
    // The help or the version, which commander has printed (main turns its other errors into UsageErrors).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof McctlError) {
    stderr.write(`mcctl: ${error.message}\n`);
    if (error.suggestion) stderr.write(`  ${error.suggestion}\n`);
    if (debug) stderr.write(`${describeForDebug(error)}\n`);
    return error.exitCode;
  }
  stderr.write(`mcctl: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  stderr.write(
    debug ? `${describeForDebug(error)}\n` : "  Run again with --debug for details, and report it.\n",
  );
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

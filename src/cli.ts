import { Command, CommanderError, Option } from "commander";
import packageJson from "../package.json" with { type: "json" };
import {
  addBackupCommands,
  addDestroyCommand,
  addLogsCommand,
  addSecretsCommands,
} from "./command-groups.js";
import {
  CREATE_SERVICE_DEFAULTS,
  DEFAULT_SETTINGS_PATH,
  RESTART_DEFAULTS,
  SETUP_DEFAULTS,
  UPGRADE_DEFAULTS,
} from "./config/defaults.js";
import { capitalized, oneLine, quote } from "./domain/formats.js";
import { ExitCode, McctlError, UsageError } from "./errors.js";
import { fullName, KMS_KEY_HELP, lazyAction } from "./lazy-action.js";

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (AWS refused, a deployment failed, a wait timed out, cancelled at a confirmation)
  2    usage error or missing input (a bad flag, environment variable or mcctl.json value, checked
       before any AWS call; a value that cannot be asked for)
  129  hung up (SIGHUP: the terminal or ssh session went away)
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)`;

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
      .option("--kms-key <arn|id>", KMS_KEY_HELP)
      .option("--no-snapshot", "do not take an RDS snapshot of the database first (a warning in the plan)")
      .option(
        "--snapshot-timeout <duration>",
        "bound for the snapshot taken before the upgrade",
        UPGRADE_DEFAULTS.snapshotTimeout,
      )
      .addHelpText(
        "after",
        "\nWithout --tag/--image/--es-tag (floating tags such as :2) mcctl pulls each image on the hosts running\n" +
          "the service with the system ssh, then restarts. Current ECS agents pull images when a task starts\n" +
          "unless ECS_IMAGE_PULL_BEHAVIOR=prefer-cached/once, so --skip-pull is often enough.\n" +
          "First, a manual RDS snapshot of the database METADATA_JDBC_URL points at is taken (a new version may\n" +
          "migrate the schema, which no image rollback undoes); --timeout counts after it.\n" +
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

  addLogsCommand(program);
  addSecretsCommands(program);
  addBackupCommands(program);
  addDestroyCommand(program);

  program
    .command("permissions [commands...]")
    .description("print the least-privilege IAM policy the named commands need (all by default)")
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .option("--account <id>", "AWS account id for the ARNs (default: the caller's, from STS)")
    .addHelpText(
      "after",
      "\nResources are scoped to this deployment (cluster, service, family, bucket, database, secrets path,\n" +
        "roles, log group) wherever IAM allows; `*` only where AWS requires it. --json prints the document\n" +
        "(a list of documents when it exceeds IAM's 6,144-character limit for one managed policy).\n" +
        "Examples: mcctl permissions restart --json; mcctl permissions setup destroy",
    )
    .action(lazyAction(() => import("./commands/permissions.js")));

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
  // The prompts and spinners (loaded with the command, after this) colour by NO_COLOR, not by our flag.
  if (argv.includes("--no-color")) process.env.NO_COLOR = "1";
  const program = buildProgram();
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

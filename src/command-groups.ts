import type { Command } from "commander";
import { DESTROY_DEFAULTS, RESTART_DEFAULTS } from "./config/defaults.js";
import { KMS_KEY_HELP, lazyAction } from "./lazy-action.js";

/** `mcctl secrets …`: where the secrets live, and changing one without ever showing it. */
export function addSecretsCommands(program: Command): void {
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

/** `mcctl backup` (take a snapshot now) and `mcctl backup list`. */
export function addBackupCommands(program: Command): void {
  const backup = program
    .command("backup")
    .description("a manual RDS snapshot of the deployment's database now; `backup list` lists them");
  backup
    .command("create", { isDefault: true })
    .description("take a snapshot of the RDS instance METADATA_JDBC_URL points at (the default)")
    .option("--dry-run", "print the snapshot that would be taken; change nothing")
    .option("--wait", "wait until RDS reports the snapshot available")
    .option("--timeout <duration>", "bound for --wait", "60m")
    .option("--poll-interval <duration>", "how often to look at RDS", "10s")
    .action(lazyAction(() => import("./commands/backup.js")));
  backup
    .command("list")
    .description("the database's manual snapshots, newest first, with status, time and size")
    .action(lazyAction(() => import("./commands/backup-list.js")));
}

/** `mcctl logs`: the containers' output from CloudWatch Logs. */
export function addLogsCommand(program: Command): void {
  program
    .command("logs")
    .description("the service's container output from CloudWatch Logs, with timestamps")
    .option("--container <name>", "mc or mc-es", "mc")
    .option("--since <when>", "how far back: 10m, 2h, 1d or an ISO time", "10m")
    .option("--follow", "keep printing new lines, across restarts, until Ctrl-C")
    .option("--grep <text>", "only lines that hold this text")
    .option("--task <id>", "one task instead of the service's running ones")
    .option("--previous", "the newest stopped task (why did it die?)")
    .option("--poll-interval <duration>", "with --follow: how often to look", "5s")
    .action(lazyAction(() => import("./commands/logs.js")));
}

/** `mcctl destroy`: the way out, for what mcctl created. */
export function addDestroyCommand(program: Command): void {
  program
    .command("destroy")
    .description(
      "delete what mcctl created for this deployment: service, instances, security groups, database, secrets, role, logs",
    )
    .option("--family <name>", 'task definition family (default: mcctl.json, then "model-catalogue")')
    .option("--dry-run", "print the plan (what goes, what stays and why); change nothing")
    .option(
      "--skip-final-snapshot",
      "delete the database without a final snapshot (its data is gone for good)",
    )
    .option("--delete-bucket", "delete the S3 bucket too (only when mcctl created it, and empty)")
    .option("--force", "with --delete-bucket: delete the objects in it first")
    .option(
      "--timeout <duration>",
      "bound for each wait (tasks, instances, database)",
      DESTROY_DEFAULTS.timeout,
    )
    .option("--poll-interval <duration>", "how often to look while waiting", DESTROY_DEFAULTS.pollInterval)
    .addHelpText(
      "after",
      "\nOnly resources tagged managed-by=mcctl are deleted, plus the service, the family's task definitions\n" +
        "and the log group; everything else is listed as kept. On a terminal you type the service name to\n" +
        "confirm; --yes confirms in scripts. Resumable: a second run finishes what a stopped one left.",
    )
    .action(lazyAction(() => import("./commands/destroy.js")));
}

// The verbs of mcctl as data: what each does, the flags it takes (with their defaults) and its
// examples. src/cli.ts builds commander from this, each verb's options are validated with the schema
// made from it (src/driver/options.ts), and the README's tables are checked against it. Plain data:
// `mcctl --help` loads no command.
import {
  CREATE_SERVICE_DEFAULTS,
  DESTROY_DEFAULTS,
  RESTART_DEFAULTS,
  RESTORE_DEFAULTS,
  SANDBOX_FAULTS,
  SETUP_DEFAULTS,
  UPGRADE_DEFAULTS,
} from "../config/defaults.js";
import type { FlagKey } from "./flags.js";

/** How a verb takes one flag: its default (shown in the help) and, when it says more, its own help. */
export interface FlagUse {
  readonly default?: string;
  readonly help?: string;
  /** A flag with an opposite (`--wait`, `--no-wait`): on or off when neither is given; unsaid if absent. */
  readonly on?: boolean;
  /** The opposite's help, when this verb says more than the declaration. */
  readonly negationHelp?: string;
}

export interface VerbDeclaration {
  /** As typed after `mcctl`: "restart", "secrets set". */
  readonly name: string;
  /** Commander's arguments: "<name>", "[commands...]". */
  readonly args?: string;
  readonly description: string;
  /** Whether it can change the AWS account (then: a plan, one confirmation, --dry-run). */
  readonly changes: boolean;
  readonly flags: Readonly<Partial<Record<FlagKey, FlagUse>>>;
  readonly examples: readonly string[];
  /** More help, after the options. */
  readonly notes?: string;
  /** It gathers the task's inputs (Model Catalogue variables are checked before it starts). */
  readonly gathersInputs?: boolean;
  /** Run when its group is named alone (`mcctl backup` is `mcctl backup create`). */
  readonly isDefault?: boolean;
  /** It acts on the sandbox account only (implies --sandbox). */
  readonly sandbox?: boolean;
}

export interface GroupDeclaration {
  readonly name: string;
  readonly description: string;
}

const RESTART_NOTE =
  "Ctrl-C while the service is at 0 puts the desired count back before exiting (exit 130); a second\n" +
  "Ctrl-C quits at once and prints the command that restores it.";

/** The flags of every verb that ends with the restart sequence. */
const RESTART_FLAGS = {
  dryRun: {},
  timeout: { default: RESTART_DEFAULTS.timeout },
  pollInterval: { default: RESTART_DEFAULTS.pollInterval },
  healthUrl: {},
  checkHealth: {},
} as const satisfies Partial<Record<FlagKey, FlagUse>>;

export const GROUPS: readonly GroupDeclaration[] = [
  {
    name: "secrets",
    description:
      "the secrets in SSM Parameter Store: list, set, rm, purge-plaintext (values are never shown)",
  },
  {
    name: "backup",
    description: "a manual RDS snapshot of the deployment's database now; `backup list` lists them",
  },
  {
    name: "sandbox",
    description: "the practice account (--sandbox): reset starts it over, fail arranges a fault to rehearse",
  },
];

export const VERBS = [
  {
    name: "setup",
    description:
      "first install: S3 bucket, MySQL on RDS, network access, ECS cluster and instance, task, service",
    changes: true,
    gathersInputs: true,
    flags: {
      dryRun: { help: "show what exists and what would be created; change nothing" },
      kmsKey: {},
      wait: {
        on: true,
        negationHelp: "do not wait for the database or a new instance; run setup again later to finish",
      },
      timeout: {
        default: SETUP_DEFAULTS.timeout,
        help: "bound for each long wait (database, instance, service)",
      },
      pollInterval: { default: SETUP_DEFAULTS.pollInterval },
    },
    examples: [
      "mcctl setup",
      "mcctl setup --dry-run",
      "METADATA_PASSWORD=… mcctl setup --yes --region eu-west-1",
    ],
    notes:
      "Idempotent and resumable: every step looks first and creates only what is missing, so a setup that\n" +
      "stopped half-way is finished by running it again. With --yes, every answer comes from mcctl.json and\n" +
      "the environment (secrets: METADATA_PASSWORD, MC_SUPERVISOR_PASSWORD, MC_S3_KEY, MC_S3_SECRET, …).",
  },
  {
    name: "register-task",
    description: "render the two-container Model Catalogue task definition and register it as a new revision",
    changes: true,
    gathersInputs: true,
    flags: {
      dryRun: {
        help: "print the plan: account, region and what would change (secrets masked); change nothing",
      },
      offline: {},
      force: {},
      kmsKey: {},
    },
    examples: [
      "mcctl register-task --dry-run --offline",
      "MC_MAIL_HOST=smtp.example.org mcctl register-task",
    ],
    notes:
      "Secrets (METADATA_PASSWORD, MC_SUPERVISOR_PASSWORD, MC_MAIL_PASSWORD, MC_S3_KEY, MC_S3_SECRET,\n" +
      "MC_GOOGLE_SECRET) are read from the environment variable of the same name or asked with a masked prompt,\n" +
      "stored as SSM SecureStrings under /mcctl/<family> and referenced from the task definition; a re-run\n" +
      "uses the stored ones without asking. See `mcctl secrets --help`.",
  },
  {
    name: "create-service",
    description:
      "create the ECS service (desired count 1) from the latest task definition and wait until steady",
    changes: true,
    flags: {
      taskDefinition: {},
      dryRun: { help: "check the cluster and print what would be created, without creating it" },
      wait: { on: true, negationHelp: "return once ECS accepted the service" },
      timeout: { default: CREATE_SERVICE_DEFAULTS.timeout, help: "how long to wait for a steady service" },
      pollInterval: { default: CREATE_SERVICE_DEFAULTS.pollInterval },
    },
    examples: ["mcctl create-service", "mcctl create-service --task-definition model-catalogue:3 --yes"],
  },
  {
    name: "restart",
    description:
      "scale the service to 0, wait until every task has stopped, scale back and wait until steady",
    changes: true,
    flags: { ...RESTART_FLAGS, count: { default: String(RESTART_DEFAULTS.count) } },
    examples: [
      "mcctl restart",
      "mcctl restart --yes --check-health",
      "mcctl restart --dry-run --service mc-test",
    ],
    notes: RESTART_NOTE,
  },
  {
    name: "upgrade",
    description:
      "deploy another image tag as a new task definition revision, then restart; or pull and restart",
    changes: true,
    flags: {
      ...RESTART_FLAGS,
      tag: {},
      image: {},
      esTag: {},
      rollbackOnFailure: {},
      prepull: {},
      skipPull: {},
      sshKey: {},
      sshUser: { default: UPGRADE_DEFAULTS.sshUser },
      sshPrivateIp: {},
      kmsKey: {},
      snapshot: {},
      snapshotTimeout: { default: UPGRADE_DEFAULTS.snapshotTimeout },
    },
    examples: [
      "mcctl upgrade --tag 2.0.1",
      "mcctl upgrade --tag 2.0.1 --es-tag 2.0.1 --yes",
      "mcctl upgrade --dry-run",
    ],
    notes:
      "Before anything stops, a one-off task of <family>-prepull (the new images, a command that exits at\n" +
      "once, 64 MiB) runs on each container instance that could run the new revision, so that the restart's\n" +
      "outage holds no image pull; a tag that does not exist ends the upgrade there, the service untouched.\n" +
      "Without --tag/--image/--es-tag (floating tags such as :2) the same pre-pull fetches the tags' new\n" +
      "digests (the agent's default pull behaviour); with --ssh-key, `docker pull` over ssh instead, for an\n" +
      "agent set to ECS_IMAGE_PULL_BEHAVIOR=prefer-cached/once, which never fetches a tag it has.\n" +
      "First, a manual RDS snapshot of the database METADATA_JDBC_URL points at is taken (a new version may\n" +
      "migrate the schema, which no image rollback undoes); --timeout counts after it.\n" +
      "Old revisions are never deregistered.\n\n" +
      RESTART_NOTE,
  },
  {
    name: "rollback",
    description: "point the service back at the previous ACTIVE revision (or --to) and restart",
    changes: true,
    flags: {
      ...RESTART_FLAGS,
      to: {},
      withDatabase: {},
      databaseTimeout: { default: RESTORE_DEFAULTS.databaseTimeout },
    },
    examples: ["mcctl rollback", "mcctl rollback --to 4 --yes", "mcctl rollback --with-database"],
    notes:
      "--with-database undoes an upgrade with its database: the snapshot taken before the upgrade that\n" +
      "introduced the current revision is restored into a new instance, and the previous revision runs on it.\n" +
      "What was written since that snapshot stays in the old instance, which is kept.\n\n" +
      RESTART_NOTE,
  },
  {
    name: "restore",
    args: "[snapshot]",
    description:
      "restore a database snapshot into a new RDS instance and move the service onto it (the old one is kept)",
    changes: true,
    flags: {
      ...RESTART_FLAGS,
      timeout: {
        default: RESTART_DEFAULTS.timeout,
        help: "bound for the restart onto the restored database, from its start (RDS's waits: --database-timeout)",
      },
      deleteOld: {},
      databaseTimeout: { default: RESTORE_DEFAULTS.databaseTimeout },
    },
    examples: [
      "mcctl restore",
      "mcctl restore mcctl-model-catalogue-final-20261201t030405z --yes",
      "mcctl restore --dry-run",
    ],
    notes:
      "Without SNAPSHOT: the newest mcctl made for this deployment (a list to choose from on a terminal).\n" +
      "The service keeps running on the old database while RDS restores; the outage is one restart.\n" +
      "--timeout bounds that restart; --database-timeout each of RDS's waits. An interrupted restore is\n" +
      "resumed by running the same command again.\n\n" +
      RESTART_NOTE,
  },
  {
    name: "status",
    description:
      "show the service, its deployments, tasks, container instances, recent events and the app URL",
    changes: false,
    flags: { check: {} },
    examples: ["mcctl status", "mcctl status --json", "mcctl status --check || page-someone"],
  },
  {
    name: "logs",
    description: "the service's container output from CloudWatch Logs, with timestamps",
    changes: false,
    flags: {
      container: { default: "mc" },
      since: { default: "10m" },
      follow: {},
      grep: {},
      task: {},
      previous: {},
      pollInterval: { default: "5s", help: "with --follow: how often to look" },
    },
    examples: ["mcctl logs --since 1h", "mcctl logs --follow --grep ERROR", "mcctl logs --previous"],
  },
  {
    name: "secrets list",
    description: "each secret: where it is stored, its SSM version and when it last changed (never a value)",
    changes: false,
    flags: {},
    examples: ["mcctl secrets list", "mcctl secrets list --json"],
  },
  {
    name: "secrets set",
    args: "<name>",
    description: "store a new value for one secret (from the environment variable NAME, or a masked prompt)",
    changes: true,
    flags: {
      dryRun: {},
      restart: {},
      kmsKey: {},
      timeout: { default: RESTART_DEFAULTS.timeout, help: "bound for the restart, e.g. 15m" },
      pollInterval: { default: RESTART_DEFAULTS.pollInterval },
    },
    examples: [
      "mcctl secrets set MC_MAIL_PASSWORD",
      "MC_S3_SECRET=… mcctl secrets set MC_S3_SECRET --restart --yes",
    ],
    notes:
      "The value is never taken from a flag. A value the task definition does not reference yet is\n" +
      "referenced from a new revision (put it in service with `mcctl rollback --to N`).",
    gathersInputs: true,
  },
  {
    name: "secrets rm",
    args: "<name>",
    description:
      "stop using an optional secret and delete its SSM parameter (MC_MAIL_PASSWORD, MC_S3_KEY, …)",
    changes: true,
    flags: { dryRun: {} },
    examples: ["mcctl secrets rm MC_GOOGLE_SECRET --dry-run"],
  },
  {
    name: "secrets purge-plaintext",
    description: "deregister and delete the older revisions that still hold secrets in plain text",
    changes: true,
    flags: { dryRun: { help: "list the revisions that would be deleted; change nothing" } },
    examples: ["mcctl secrets purge-plaintext --dry-run"],
    notes:
      "Deleted revisions can never be rolled back to. The revision in service and the one mcctl.json\n" +
      "describes are never deleted.",
  },
  {
    name: "backup create",
    description: "take a snapshot of the RDS instance METADATA_JDBC_URL points at (the default)",
    changes: true,
    isDefault: true,
    flags: {
      dryRun: { help: "print the snapshot that would be taken; change nothing" },
      wait: { on: false, help: "wait until RDS reports the snapshot available" },
      timeout: { default: "60m", help: "bound for --wait" },
      pollInterval: { default: "10s" },
    },
    examples: ["mcctl backup", "mcctl backup --wait --yes"],
  },
  {
    name: "backup list",
    description:
      "the snapshots mcctl made of the deployment's databases (final ones too, instance or not), newest first, with status, time, size and why",
    changes: false,
    flags: {},
    examples: ["mcctl backup list"],
  },
  {
    name: "destroy",
    description:
      "delete what mcctl created for this deployment: service, instances, security groups, database, secrets, role, logs",
    changes: true,
    flags: {
      dryRun: { help: "print the plan (what goes, what stays and why); change nothing" },
      skipFinalSnapshot: {},
      deleteBucket: {},
      force: { help: "with --delete-bucket: delete the objects in it first" },
      timeout: {
        default: DESTROY_DEFAULTS.timeout,
        help: "bound for each wait (tasks, instances, database)",
      },
      pollInterval: { default: DESTROY_DEFAULTS.pollInterval },
    },
    examples: ["mcctl destroy --dry-run", "mcctl destroy", "mcctl destroy --delete-bucket --force --yes"],
    notes:
      "Only resources tagged managed-by=mcctl are deleted, plus the service, the family's task definitions\n" +
      "and the log group; everything else is listed as kept. On a terminal you type the service name to\n" +
      "confirm; --yes confirms in scripts. Resumable: a second run finishes what a stopped one left.",
  },
  {
    name: "permissions",
    args: "[commands...]",
    description: "print the least-privilege IAM policy the named commands need (all by default)",
    changes: false,
    flags: { account: {} },
    examples: ["mcctl permissions restart --json", "mcctl permissions setup destroy"],
    notes:
      "Resources are scoped to this deployment (cluster, service, family, bucket, database, secrets path,\n" +
      "roles, log group) wherever IAM allows; `*` only where AWS requires it. --json prints the document\n" +
      "(a list of documents when it exceeds IAM's 6,144-character limit for one managed policy).",
  },
  {
    name: "sandbox reset",
    description: "start the sandbox account over: everything made in it, and its mcctl.json, are forgotten",
    changes: true,
    sandbox: true,
    flags: { dryRun: {} },
    examples: ["mcctl sandbox reset", "mcctl sandbox reset --yes"],
    notes:
      "Acts on the sandbox account only (.mcctl/sandbox.jsonl beside mcctl.json), never on AWS; --sandbox is implied.",
  },
  {
    name: "sandbox fail",
    args: "<fault>",
    description: `arrange a fault in the sandbox account, to rehearse an incident: ${Object.keys(SANDBOX_FAULTS).join(", ")}`,
    changes: true,
    sandbox: true,
    flags: { dryRun: {} },
    examples: [
      "mcctl sandbox fail task-fails-to-start && mcctl --sandbox restart --yes",
      "mcctl sandbox fail out-of-memory",
    ],
    notes: `Faults (each for the next occurrence; --sandbox is implied):\n${Object.entries(SANDBOX_FAULTS)
      .map(([name, help]) => `  ${name.padEnd(20)} ${help}`)
      .join("\n")}`,
  },
] as const satisfies readonly VerbDeclaration[];

export type VerbName = (typeof VERBS)[number]["name"];

/** A verb's declaration, with its flags' types (for its options' schema, src/driver/options.ts). */
export function verbNamed<N extends VerbName>(name: N): Extract<(typeof VERBS)[number], { name: N }> {
  const found = VERBS.find((verb) => verb.name === name);
  if (!found) throw new Error(`no verb ${name}`);
  return found as Extract<(typeof VERBS)[number], { name: N }>;
}

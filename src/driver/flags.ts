// Every flag of mcctl, declared once: its spelling, its help, what its value must be and the
// environment variable that can stand for it. Commander's options, the validation of the values, the
// help and the README's flag tables are all made from these declarations (the defaults are set where
// a verb takes the flag: src/driver/catalogue.ts). Plain data: `mcctl --help` loads no validation.

/** What a flag's value must be; each kind is a schema of src/config/values.ts (src/driver/options.ts). */
export type ValueKind =
  | "family"
  | "taskDefinition"
  | "revision"
  | "duration"
  | "pollInterval"
  | "count"
  | "url"
  | "tag"
  | "image"
  | "path"
  | "sshUser"
  | "kmsKey"
  | "text"
  | "container"
  | "since";

export interface FlagDeclaration {
  /** As commander spells it: "--timeout <duration>", "--dry-run", "--no-wait", "-y, --yes". */
  readonly spelling: string;
  readonly help: string;
  /** What the value must be; absent for an on/off flag. */
  readonly value?: ValueKind;
  /**
   * An on/off flag that may also be left unsaid (the plan then asks, or decides): `--restart` and its
   * opposite `--no-restart`, whose help this is.
   */
  readonly negation?: string;
  /** The environment variable read when the flag is not given. */
  readonly env?: string;
}

const KMS_KEY_HELP =
  "customer KMS key (ARN or id) for the secrets' SecureStrings (default: mcctl.json, then alias/aws/ssm)";

/** The options every command takes, before or after the command's name. */
export const GLOBAL_FLAGS = {
  region: {
    spelling: "--region <region>",
    help: "AWS region (default: AWS_REGION, then mcctl.json)",
    env: "AWS_REGION",
  },
  profile: {
    spelling: "--profile <name>",
    help: "AWS shared-config profile (default: AWS_PROFILE)",
    env: "AWS_PROFILE",
  },
  endpointUrl: {
    spelling: "--endpoint-url <url>",
    help: "custom AWS endpoint, e.g. LocalStack (default: AWS_ENDPOINT_URL)",
    env: "AWS_ENDPOINT_URL",
  },
  cluster: {
    spelling: "--cluster <name>",
    help: 'ECS cluster (default: MCCTL_CLUSTER, mcctl.json, then "default")',
    env: "MCCTL_CLUSTER",
  },
  service: {
    spelling: "--service <name>",
    help: 'ECS service (default: MCCTL_SERVICE, mcctl.json, then "mc")',
    env: "MCCTL_SERVICE",
  },
  family: {
    spelling: "--family <name>",
    help: 'task definition family (default: MCCTL_TASK_FAMILY, mcctl.json, then "model-catalogue")',
    value: "family",
    env: "MCCTL_TASK_FAMILY",
  },
  // No default: a --config that was given must exist, the default one may not (first run).
  config: { spelling: "--config <path>", help: "settings file (default: mcctl.json, if it exists)" },
  yes: {
    spelling: "-y, --yes",
    help: "answer yes to confirmations and never prompt (missing answers are an error)",
  },
  json: { spelling: "--json", help: "print the result as JSON on stdout (a failure too)" },
  debug: { spelling: "--debug", help: "print stack traces and AWS details" },
  color: { spelling: "--no-color", help: "disable colours (also NO_COLOR)", env: "NO_COLOR" },
  sandbox: {
    spelling: "--sandbox",
    help: "use the sandbox: a simulated AWS account on this machine, for practice (also MCCTL_SANDBOX=1)",
    env: "MCCTL_SANDBOX",
  },
} as const satisfies Record<string, FlagDeclaration>;

/** The options of the commands, by commander's attribute name; a flag means the same in every command. */
export const FLAGS = {
  dryRun: { spelling: "--dry-run", help: "print the plan and change nothing" },
  timeout: {
    spelling: "--timeout <duration>",
    help: "bound for the whole command, e.g. 15m",
    value: "duration",
  },
  pollInterval: {
    spelling: "--poll-interval <duration>",
    help: "how often to look while waiting",
    value: "pollInterval",
  },
  wait: {
    spelling: "--wait",
    help: "wait until the change is complete",
    negation: "return once AWS accepted the change; do not wait",
  },
  kmsKey: { spelling: "--kms-key <arn|id>", help: KMS_KEY_HELP, value: "kmsKey" },
  offline: {
    spelling: "--offline",
    help: "with --dry-run: print the task definition from mcctl.json and the environment, no AWS call",
  },
  force: { spelling: "--force", help: "register a new revision even when nothing changed" },
  taskDefinition: {
    spelling: "--task-definition <family:revision|arn>",
    help: "use this revision instead of the family's latest",
    value: "taskDefinition",
  },
  count: {
    spelling: "--count <n>",
    help: "desired count to restore when the service is already at 0",
    value: "count",
  },
  healthUrl: {
    spelling: "--health-url <url>",
    help: "after the service is steady, wait until this URL answers HTTP 200",
    value: "url",
  },
  checkHealth: {
    spelling: "--check-health",
    help: "like --health-url, with METADATA_SCHEME://METADATA_HOST/ from the task definition",
  },
  tag: {
    spelling: "--tag <tag>",
    help: "new tag for the mc container's image (repository kept)",
    value: "tag",
  },
  image: { spelling: "--image <repository:tag>", help: "new image for the mc container", value: "image" },
  esTag: {
    spelling: "--es-tag <tag>",
    help: "new tag for the mc-es (Elasticsearch) container's image",
    value: "tag",
  },
  rollbackOnFailure: {
    spelling: "--rollback-on-failure",
    help: "go back to the previous revision when the upgrade fails (asked in the plan on a terminal)",
    negation: "leave the failed revision in service and print how to roll back",
  },
  skipPull: {
    spelling: "--skip-pull",
    help: "without --tag: restart only, pull nothing first",
  },
  prepull: {
    spelling: "--no-prepull",
    help: "do not pull the new images through ECS before anything stops (a warning: the pull is then in the outage)",
  },
  sshKey: {
    spelling: "--ssh-key <path>",
    help: "without --tag: docker pull over ssh with this key instead of the pre-pull (for ECS_IMAGE_PULL_BEHAVIOR=once/prefer-cached)",
    value: "path",
  },
  sshUser: { spelling: "--ssh-user <user>", help: "without --tag: ssh user", value: "sshUser" },
  sshPrivateIp: {
    spelling: "--ssh-private-ip",
    help: "without --tag: connect to the instances' private IPs instead of public DNS names",
  },
  snapshot: {
    spelling: "--no-snapshot",
    help: "do not take an RDS snapshot of the database first (a warning in the plan)",
  },
  snapshotTimeout: {
    spelling: "--snapshot-timeout <duration>",
    help: "bound for the snapshot taken before the upgrade",
    value: "duration",
  },
  deleteOld: {
    spelling: "--delete-old",
    help: "once the service runs on the restored database, delete the instance it replaced (final snapshot first)",
  },
  databaseTimeout: {
    spelling: "--database-timeout <duration>",
    help: "bound for each of RDS's waits: the restore into a new instance, then its new password",
    value: "duration",
  },
  withDatabase: {
    spelling: "--with-database",
    help: "also restore the snapshot taken before the upgrade that introduced the current revision",
  },
  to: {
    spelling: "--to <revision>",
    help: "revision number, family:revision or ARN to go back to",
    value: "revision",
  },
  check: {
    spelling: "--check",
    help: "exit 1 when fewer tasks run than desired or more than one deployment is active",
  },
  container: { spelling: "--container <name>", help: "mc or mc-es", value: "container" },
  since: { spelling: "--since <when>", help: "how far back: 10m, 2h, 1d or an ISO time", value: "since" },
  follow: { spelling: "--follow", help: "keep printing new lines, across restarts, until Ctrl-C" },
  grep: { spelling: "--grep <text>", help: "only lines that hold this text", value: "text" },
  task: { spelling: "--task <id>", help: "one task instead of the service's running ones", value: "text" },
  previous: { spelling: "--previous", help: "the newest stopped task (why did it die?)" },
  restart: {
    spelling: "--restart",
    help: "restart the service afterwards, so that it reads the new value (asked on a terminal)",
    negation: "do not restart; the running task keeps the old value until it restarts",
  },
  skipFinalSnapshot: {
    spelling: "--skip-final-snapshot",
    help: "delete the database without a final snapshot (its data is gone for good)",
  },
  deleteBucket: {
    spelling: "--delete-bucket",
    help: "delete the S3 bucket too (only when mcctl created it, and empty)",
  },
  account: {
    spelling: "--account <id>",
    help: "AWS account id for the ARNs (default: the caller's, from STS)",
    value: "text",
  },
} as const satisfies Record<string, FlagDeclaration>;

export type FlagKey = keyof typeof FLAGS;
export type GlobalFlagKey = keyof typeof GLOBAL_FLAGS;

/** `pollInterval` → `--poll-interval`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * The defaults mcctl falls back on. Each verb's flags take theirs from here in their one declaration
 * (src/driver/catalogue.ts), from which commander shows them in --help and the schemas apply them.
 * Setup's own defaults (the instance type, the database) are here too.
 * Plain constants only: the catalogue is loaded on every start, --help included.
 */

export const DEFAULT_SETTINGS_PATH = "mcctl.json";
export const DEFAULT_CLUSTER = "default";
export const DEFAULT_SERVICE = "mc";
/** The instance profile of the ECS guide, which setup launches the container instance with. */
export const DEFAULT_INSTANCE_PROFILE = "ecsInstanceRole";

export const SETUP_DEFAULTS = { timeout: "30m", pollInterval: "5s" } as const;
export const CREATE_SERVICE_DEFAULTS = { timeout: "10m", pollInterval: "3s" } as const;
/** restart, upgrade and rollback. */
export const RESTART_DEFAULTS = { timeout: "15m", pollInterval: "3s", count: 1 } as const;
/** The snapshot before an upgrade has its own bound: RDS takes minutes per few GiB. */
export const UPGRADE_DEFAULTS = { sshUser: "ec2-user", snapshotTimeout: "60m" } as const;
/** RDS restores a snapshot in 10–30 minutes, more for a large database; each of its waits has this bound. */
export const RESTORE_DEFAULTS = { databaseTimeout: "60m" } as const;
/** Each of destroy's waits (tasks stopped, instances terminated, the database deleted) is bounded by this. */
export const DESTROY_DEFAULTS = { timeout: "30m", pollInterval: "10s" } as const;

/** The old guide's type. A previous generation: many regions no longer offer it. */
export const DEFAULT_INSTANCE_TYPE = "m3.xlarge";
/** 4 vCPUs and 16 GiB, what the guide's m3.xlarge offered, in the current generation. */
export const SUGGESTED_INSTANCE_TYPE = "m5.xlarge";
/** Setup's answers for a database it creates, when mcctl.json and the environment give none. */
export const DATABASE_DEFAULTS = {
  identifier: "model-catalogue",
  /** As the original guide says; a previous generation that RDS offers only for MySQL 5.7 and older. */
  instanceClass: "db.t2.small",
  /** The current class suggested when the region or engine version does not offer the guide's class. */
  currentClass: "db.t3.small",
  storageGiB: 20,
  masterUsername: "mcadmin",
  databaseName: "mc",
  backupRetentionDays: 7,
} as const;

/** The variable that turns the sandbox on, like --sandbox (src/config/sandbox-mode.ts). */
export const SANDBOX_ENV = "MCCTL_SANDBOX";

/** The first line of every screen in sandbox mode (stderr, so that --json keeps stdout to its answer). */
export const SANDBOX_BANNER =
  "SANDBOX: a simulated AWS account on this machine, its waits cut to seconds; no real AWS account is used.";

/**
 * The faults `mcctl sandbox fail` arranges in the sandbox account, to rehearse an incident before a real one.
 * Here, with the plain constants, because the catalogue lists them; src/sandbox/ makes them happen.
 */
export const SANDBOX_FAULTS = {
  "task-fails-to-start":
    "The next task a service starts exits right after it starts: its essential container logs why and exits with code 1.",
  "out-of-memory":
    "The next task a service starts is OOM-killed moments after it is RUNNING (exit code 137, OutOfMemoryError).",
  "placement-failure":
    "The next time ECS places a task, no container instance has room for 25 s; ECS's own retry then places it.",
  throttling: "The next 3 requests to ECS get its throttling error; the SDK retries them.",
  "endpoint-hang":
    "The next request to ECS gets no answer: the SDK's request timeout ends it and the SDK retries.",
} as const;

export type SandboxFaultName = keyof typeof SANDBOX_FAULTS;

export function isSandboxFault(name: string): name is SandboxFaultName {
  return Object.hasOwn(SANDBOX_FAULTS, name);
}

/** How a simulated AWS is made (`createSimulatedAws(options)`): identity, timings, seed, clock and caller policies. */
import type { CallerPolicies } from "./authorization.js";
import type { Ec2Timings } from "./ec2.js";
import type { TaskTimings } from "./ecs.js";
import type { IamTimings } from "./iam.js";
import type { LogsSimulatorOptions } from "./logs.js";
import type { RdsEngineVersionSpec, RdsOrderableRule, RdsTimings } from "./rds.js";

export interface SimulatedAwsOptions {
  accountId?: string;
  region?: string;
  /** Identity named in access-denied messages. Default `arn:aws:iam::<account>:user/test`. */
  principalArn?: string;
  /** ECS task lifecycle timings. */
  timings?: Partial<TaskTimings>;
  /** Force the ECS deployment circuit breaker on for every service, and/or set its threshold. */
  circuitBreaker?: { enabled?: boolean; threshold?: number };
  /** Seed for the deterministic ids. */
  seed?: number;
  /**
   * Where simulated time comes from, read afresh on every use. Default `Date.now()` (vitest's fake timers drive
   * it); the sandbox account (src/sandbox/account.ts) holds it at each recorded call's time while it replays.
   */
  now?: () => number;
  /**
   * EC2: how long launched instances take to run, to register in ECS and to terminate (`timings.terminateMs`); which
   * instance types are offered.
   */
  ec2?: {
    timings?: Partial<Ec2Timings>;
    offeredInstanceTypes?: readonly string[] | ((instanceType: string) => boolean);
  };
  /**
   * RDS: lifecycle timings (creating, the first backup, manual snapshots, deletion), the MySQL versions offered and
   * which classes each can be ordered with.
   */
  rds?: {
    timings?: Partial<RdsTimings>;
    engineVersions?: readonly RdsEngineVersionSpec[];
    orderable?: readonly RdsOrderableRule[];
  };
  /** CloudWatch Logs: FilterLogEvents' rate limit (off by default) and the events on a page (default 50). */
  logs?: LogsSimulatorOptions;
  /** IAM: how long a role or policy change takes to reach ECS (`timings.propagationMs`, default 0: at once). */
  iam?: { timings?: Partial<IamTimings> };
  /**
   * The caller's identity-based policies (documents or JSON text): every call is then authorized against them as
   * IAM would, before the simulator acts on it. Default: none, and nothing is authorized.
   */
  callerPolicies?: CallerPolicies;
}

import type { Ec2Api } from "../../aws/ec2.js";
import type { EcsApi } from "../../aws/ecs.js";
import type { IamApi } from "../../aws/iam.js";
import type { RdsApi } from "../../aws/rds.js";
import type { S3Api } from "../../aws/s3.js";
import type { Settings } from "../../config/settings.js";
import type { Output } from "../../ui/output.js";
import type { Asker } from "../../ui/prompts.js";

/** The AWS services `mcctl setup` works with. */
export interface SetupAws {
  s3: S3Api;
  rds: RdsApi;
  ec2: Ec2Api;
  ecs: EcsApi;
  iam: IamApi;
}

/** What a plan line says about one resource. */
export type PlanState = "exists" | "create" | "pending" | "skip";

export interface PlanLine {
  step: string;
  state: PlanState;
  detail: string;
}

/**
 * Everything a setup step needs besides AWS: how to ask, what is already known, where to report.
 * Steps look before they change anything, and with `dryRun` they only look.
 */
export interface SetupIo {
  output: Output;
  ask: Asker;
  /** Questions may be asked (a terminal, no --yes). Otherwise answers come from `settings()` and `env`. */
  interactive: boolean;
  dryRun: boolean;
  /** Do not wait for slow resources (RDS, a new instance): a later `mcctl setup` picks them up. */
  noWait: boolean;
  env: NodeJS.ProcessEnv;
  region: string;
  accountId: string;
  /** Tag put on everything setup creates, so a re-run can find it. */
  tags: Record<string, string>;
  pollIntervalMs: number;
  /** Bound for each long wait (DB available, instance registered). */
  waitTimeoutMs: number;
  signal?: AbortSignal;
  /** The settings as they are now, including answers given earlier in this run. */
  settings(): Settings;
  /** Merges non-secret answers into mcctl.json right away (never in a dry run), so a re-run asks nothing known. */
  remember(update: Settings): Promise<void>;
  /** Records one line of the plan / of what was done. */
  plan(line: PlanLine): void;
}

import type { Ec2Api } from "../../aws/ec2.js";
import type { EcsApi } from "../../aws/ecs.js";
import type { IamApi } from "../../aws/iam.js";
import type { LogsApi } from "../../aws/logs.js";
import type { RdsApi } from "../../aws/rds.js";
import type { S3Api } from "../../aws/s3.js";
import type { SsmApi } from "../../aws/ssm.js";
import type { Asker } from "../../config/questions.js";
import type { Settings } from "../../config/settings.js";

/** The AWS services `mcctl setup` works with. */
export interface SetupAws {
  s3: S3Api;
  rds: RdsApi;
  ec2: Ec2Api;
  ecs: EcsApi;
  iam: IamApi;
  ssm: SsmApi;
  logs: LogsApi;
}

/** What a plan line says about one resource. */
export type PlanState = "exists" | "create" | "pending" | "skip";

export interface PlanLine {
  step: string;
  state: PlanState;
  detail: string;
}

/**
 * Everything a setup planner needs besides AWS: how to ask, what is already known, where to show a
 * warning beside the question it concerns. Planners only look and ask; they change nothing.
 */
export interface PlanIo {
  ask: Asker;
  /** Questions may be asked (a terminal, no --yes). Otherwise answers come from `settings` and `env`. */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  region: string;
  accountId: string;
  /** mcctl.json as it is: read, never written, while planning. */
  settings: Settings;
  /** Secrets ECS already holds in the revision mcctl.json describes (planSetup looks them up). */
  knownSecrets?: Readonly<Record<string, string>>;
  /** --no-wait: the task definition is not registered in this run. */
  noWait: boolean;
  tags: Record<string, string>;
  warn(message: string): void;
  info(message: string): void;
}

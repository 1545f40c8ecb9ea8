import type { Ec2Api } from "../../aws/ec2.js";
import type { EcsApi } from "../../aws/ecs.js";
import type { IamApi } from "../../aws/iam.js";
import type { LogsApi } from "../../aws/logs.js";
import type { RdsApi } from "../../aws/rds.js";
import type { S3Api } from "../../aws/s3.js";
import type { SsmApi } from "../../aws/ssm.js";
import type { Settings } from "../../config/settings.js";
import type { Reporter } from "../reporter.js";

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

/**
 * What applying a setup plan needs besides AWS. Nothing here asks a question: every answer is in the
 * plan. `save` merges what a step created into mcctl.json at once, so an interrupted setup resumes.
 */
export interface ApplyIo {
  reporter: Reporter;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: setup stops before its next change. */
  signal?: AbortSignal | undefined;
  /** Put on everything setup creates, so a re-run can find it. */
  tags: Record<string, string>;
  region: string;
  pollIntervalMs: number;
  /** Bound for each long wait (database available, instance registered, service steady). */
  waitTimeoutMs: number;
  save(update: Settings): Promise<void>;
}

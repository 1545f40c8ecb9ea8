import type { IpPermission } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../../aws/ec2.js";
import type { EcsApi } from "../../aws/ecs.js";
import type { IamApi } from "../../aws/iam.js";
import type { LogsApi } from "../../aws/logs.js";
import type { RdsApi } from "../../aws/rds.js";
import type { S3Api } from "../../aws/s3.js";
import type { SsmApi } from "../../aws/ssm.js";
import type { Settings } from "../../config/settings.js";
import { MANAGED_BY } from "../../domain/tags.js";

/** The AWS services `mcctl destroy` works with. */
export interface DestroyAws {
  ecs: EcsApi;
  ec2: Ec2Api;
  rds: RdsApi;
  s3: S3Api;
  iam: IamApi;
  ssm: SsmApi;
  logs: LogsApi;
}

/** An EC2 instance mcctl launched for the cluster, with the container instance it registered as. */
export interface OwnInstance {
  instanceId: string;
  /** EC2's state when the plan looked: pending, running, stopping, stopped or shutting-down. */
  state: string;
  containerInstanceArn?: string | undefined;
}

/** An ingress rule mcctl added that lets a group about to be deleted in; revoked first. */
export interface RuleToRevoke {
  groupId: string;
  permission: IpPermission;
}

/**
 * What `mcctl destroy` deletes, in the terms of the resources, after the plan found each one, checked
 * that mcctl made it and that nothing else uses it. Anything absent here is kept.
 */
export interface DatabaseStep {
  identifier: string;
  deleting: boolean;
  finalSnapshot?: string | undefined;
}

export interface DestroySteps {
  cluster: string;
  /** The service to scale to 0 and delete; undefined when it is gone already. */
  service?: { name: string; desiredCount: number } | undefined;
  instances: OwnInstance[];
  /** Delete the cluster once its instances are gone. */
  deleteCluster: boolean;
  rules: RuleToRevoke[];
  /** Security groups deleted once the instances are terminated. */
  instanceGroups: string[];
  /** The database; `deleting`: RDS is deleting it already (an earlier run), so only wait. */
  database?: DatabaseStep | undefined;
  /** Instances a restore replaced (setup.database.replaced), deleted the same way. */
  replacedDatabases: DatabaseStep[];
  /** Security groups deleted once the database is gone. */
  databaseGroups: string[];
  /** Deleted only with --delete-bucket; its objects first (only with --force). */
  bucket?: { name: string; objects: number } | undefined;
  /** ACTIVE revisions of the family, deregistered. */
  revisions: string[];
  /** SSM parameter names. */
  parameters: string[];
  role?: string | undefined;
  logGroup?: string | undefined;
}

/** The plan's groups, in the order destroy works through them. */
export const DESTROY_GROUPS = [
  "Service",
  "Compute",
  "Network",
  "Database",
  "Storage",
  "Task definitions",
  "Secrets",
  "Logs",
] as const;
export type DestroyGroup = (typeof DESTROY_GROUPS)[number];

/** delete: goes in this run; wait: AWS is deleting it already; keep: stays, and why. */
export interface DestroyLine {
  group: DestroyGroup;
  action: "delete" | "wait" | "keep";
  text: string;
}

export interface DestroyRequest {
  cluster: string;
  service: string;
  family: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  deleteBucket: boolean;
  force: boolean;
  skipFinalSnapshot: boolean;
  now: Date;
}

export interface DestroyPlan {
  steps: DestroySteps;
  lines: DestroyLine[];
  /** Nothing is left to delete or wait for: what mcctl made is gone. */
  nothingToDo: boolean;
}

/** EC2 states of an instance that is not terminated (yet): it can still be, and still uses its groups. */
export const LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"];

/** Why a resource without the tag is kept. */
export const NOT_OURS = `not tagged ${MANAGED_BY.key}=${MANAGED_BY.value} (mcctl did not create it)`;

/** Adds the plan's lines of one group. */
export function lineWriter(lines: DestroyLine[], group: DestroyGroup) {
  return (action: DestroyLine["action"], text: string): void => {
    lines.push({ group, action, text });
  };
}

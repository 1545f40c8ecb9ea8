import type { CreateDBInstanceCommandInput, DBInstance } from "@aws-sdk/client-rds";
import { awsErrorName } from "../../aws/errors.js";
import { unusableStatus } from "../../domain/rds-rules.js";
import { formatDuration } from "../../durations.js";
import { McctlError } from "../../errors.js";
import { poll } from "../poll.js";
import type { ApplyIo, SetupAws } from "./types.js";

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

/**
 * The security group of an instance setup creates, in the default VPC. A re-run finds it by this name
 * and the VPC, so no run ever makes a second one.
 */
export const DATABASE_SECURITY_GROUP = "model-catalogue-db";
const DATABASE_SECURITY_GROUP_DESCRIPTION = "Model Catalogue MySQL, managed by mcctl";

/** What setup needs to know of a MySQL instance. */
export interface DatabaseFacts {
  /** The DB instance identifier, as RDS stores it (lowercase). */
  identifier: string;
  /** mcctl created it (its tags, or mcctl.json, say so). */
  created: boolean;
  /** RDS's DBInstanceStatus: "creating", "backing-up", "available"… */
  status: string;
  /** Known once RDS has given the instance one: METADATA_JDBC_URL is built from it. */
  endpoint?: { host: string; port: number } | undefined;
  masterUsername: string;
  databaseName: string;
  /** The instance's VPC security groups. */
  securityGroupIds: string[];
  engineVersion?: string | undefined;
}

export function describeInstance(
  instance: DBInstance,
  options: { created: boolean; databaseName: string | undefined },
): DatabaseFacts {
  const address = instance.Endpoint?.Address;
  const port = instance.Endpoint?.Port;
  return {
    identifier: instance.DBInstanceIdentifier ?? "",
    created: options.created,
    status: instance.DBInstanceStatus ?? "unknown",
    endpoint: address && port ? { host: address, port } : undefined,
    masterUsername: instance.MasterUsername ?? "",
    databaseName: options.databaseName || instance.DBName || "",
    securityGroupIds: (instance.VpcSecurityGroups ?? []).flatMap((group) =>
      group.VpcSecurityGroupId && group.Status !== "removing" ? [group.VpcSecurityGroupId] : [],
    ),
    engineVersion: instance.EngineVersion,
  };
}

export async function lookUpDatabaseSecurityGroup(aws: SetupAws, vpcId: string): Promise<string | undefined> {
  const groups = await aws.ec2.securityGroups([
    { Name: "group-name", Values: [DATABASE_SECURITY_GROUP] },
    { Name: "vpc-id", Values: [vpcId] },
  ]);
  return groups[0]?.GroupId;
}

/** Creates the database's security group without rules (the database-access step lets the instances in). */
export async function createDatabaseSecurityGroup(
  io: ApplyIo,
  aws: SetupAws,
  vpcId: string,
): Promise<string> {
  let id: string;
  try {
    id = await aws.ec2.createSecurityGroup({
      name: DATABASE_SECURITY_GROUP,
      description: DATABASE_SECURITY_GROUP_DESCRIPTION,
      vpcId,
      tags: { ...io.tags, Name: DATABASE_SECURITY_GROUP },
    });
  } catch (error) {
    // Made meanwhile (another run, or a create whose answer was lost): that one, never a second.
    const code = awsErrorName(error instanceof McctlError ? error.cause : error);
    const existing =
      code === "InvalidGroup.Duplicate" ? await lookUpDatabaseSecurityGroup(aws, vpcId) : undefined;
    if (!existing) throw error;
    return existing;
  }
  io.reporter.success(`Created security group ${DATABASE_SECURITY_GROUP} (${id}) in ${vpcId}`);
  return id;
}

export interface NewDatabase {
  identifier: string;
  engineVersion: string;
  instanceClass: string;
  storageGiB: number;
  masterUsername: string;
  databaseName: string;
  securityGroupId: string;
}

/** Asks RDS for the planned instance. It returns at once: RDS needs 5–15 minutes (see waitForDatabase). */
export async function createDatabase(
  io: ApplyIo,
  aws: SetupAws,
  planned: NewDatabase,
  password: string,
): Promise<DatabaseFacts> {
  const input: CreateDBInstanceCommandInput = {
    DBInstanceIdentifier: planned.identifier,
    DBInstanceClass: planned.instanceClass,
    Engine: "mysql",
    EngineVersion: planned.engineVersion,
    AllocatedStorage: planned.storageGiB,
    MasterUsername: planned.masterUsername,
    MasterUserPassword: password,
    DBName: planned.databaseName,
    VpcSecurityGroupIds: [planned.securityGroupId],
    PubliclyAccessible: false,
    StorageEncrypted: true,
    BackupRetentionPeriod: DATABASE_DEFAULTS.backupRetentionDays,
    CopyTagsToSnapshot: true,
    Tags: Object.entries(io.tags).map(([Key, Value]) => ({ Key, Value })),
  };
  let instance: DBInstance;
  try {
    instance = await aws.rds.createInstance(input);
  } catch (error) {
    const cause = error instanceof McctlError ? error.cause : error;
    const code = awsErrorName(cause);
    if (code === "InvalidParameterCombination") {
      throw new McctlError(
        `RDS refused ${planned.instanceClass} for MySQL ${planned.engineVersion} in ${io.region}: ${(cause as Error).message}`,
        {
          suggestion: `Set setup.database.instanceClass in mcctl.json to a current class such as ${DATABASE_DEFAULTS.currentClass} and run \`mcctl setup\` again.`,
          cause,
        },
      );
    }
    // The SDK retried a create whose answer was lost: the instance is this run's, with this password.
    const existing =
      code === "DBInstanceAlreadyExistsFault" || code === "DBInstanceAlreadyExists"
        ? await aws.rds.findInstance(planned.identifier)
        : undefined;
    if (!existing) throw error;
    instance = existing;
  }
  io.reporter.success(
    `Asked RDS for MySQL instance ${planned.identifier} (status ${instance.DBInstanceStatus ?? "unknown"}; available in 5–15 minutes)`,
  );
  const facts = describeInstance(instance, { created: true, databaseName: planned.databaseName });
  // RDS lists the new instance's groups (status "adding"); should it not, the group asked for is it.
  if (facts.securityGroupIds.length === 0) facts.securityGroupIds = [planned.securityGroupId];
  return facts;
}

/**
 * Waits until the instance is `available` with its endpoint, showing its status and the time spent.
 * Fails at once on a status it cannot leave by itself (failed, storage-full, deleting, stopped…), and
 * after io.waitTimeoutMs. Throttling and dropped connections are retried.
 */
export async function waitForDatabase(
  io: ApplyIo,
  aws: SetupAws,
  target: DatabaseFacts,
): Promise<DatabaseFacts> {
  const label = `MySQL instance ${target.identifier}`;
  const started = Date.now();
  const elapsed = () => formatDuration(Date.now() - started);
  let status = target.status;
  return io.reporter.wait(`Waiting for ${label} to become available`, async (progress) => {
    const ready = await poll({
      deadline: started + io.waitTimeoutMs,
      intervalMs: io.pollIntervalMs,
      signal: io.signal,
      attempt: async () => {
        const instance = await aws.rds.findInstance(target.identifier);
        if (!instance) {
          throw new McctlError(`${label} no longer exists`, {
            suggestion:
              "Someone deleted it while mcctl was waiting: run `mcctl setup` again to create it anew.",
          });
        }
        status = instance.DBInstanceStatus ?? "unknown";
        const facts = describeInstance(instance, {
          created: target.created,
          databaseName: target.databaseName,
        });
        if (status === "available" && facts.endpoint) return facts;
        const unusable = unusableStatus(target.identifier, status);
        if (unusable) throw unusable;
        progress.progress(`${label}: ${status}`, started);
        return undefined;
      },
      onRetry: (error) => {
        progress.retrying?.(error);
        progress.progress(`${label}: ${status}, AWS did not answer, trying again`, started);
      },
      onTimeout: () =>
        new McctlError(
          `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for ${label} (status ${status})`,
          { suggestion: "RDS is still creating it; run `mcctl setup` again later (it picks it up)." },
        ),
    });
    const endpoint = ready.endpoint as { host: string; port: number };
    return {
      value: ready,
      done: `${label} is available at ${endpoint.host}:${endpoint.port} (${elapsed()})`,
    };
  });
}

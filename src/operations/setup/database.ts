import type { CreateDBInstanceCommandInput, DBInstance } from "@aws-sdk/client-rds";
import { awsErrorName } from "../../aws/errors.js";
import { DATABASE_DEFAULTS } from "../../config/defaults.js";
import { type DatabaseFacts, describeInstance, unusableStatus } from "../../domain/rds-rules.js";
import { DATABASE_SECURITY_GROUP } from "../../domain/setup-resources.js";
import { formatDuration } from "../../durations.js";
import { McctlError } from "../../errors.js";
import { lookUpDatabaseSecurityGroup, type NewDatabase } from "../../plan/setup/database.js";
import type { SetupAws } from "../../plan/setup/types.js";
import { poll } from "../../queries/poll.js";
import type { ApplyIo } from "./types.js";

const DATABASE_SECURITY_GROUP_DESCRIPTION = "Model Catalogue MySQL, managed by mcctl";

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

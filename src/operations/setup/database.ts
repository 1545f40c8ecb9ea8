import type { CreateDBInstanceCommandInput, DBInstance } from "@aws-sdk/client-rds";
import { awsErrorName } from "../../aws/errors.js";
import { DATABASE_DEFAULTS } from "../../config/defaults.js";
import { type DatabaseFacts, describeInstance } from "../../domain/rds-rules.js";
import { DATABASE_SECURITY_GROUP } from "../../domain/setup-resources.js";
import { McctlError } from "../../errors.js";
import { lookUpDatabaseSecurityGroup, type NewDatabase } from "../../plan/setup/database.js";
import type { SetupAws } from "../../plan/setup/types.js";
import { waitForInstance } from "../rds-wait.js";
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
export function waitForDatabase(io: ApplyIo, aws: SetupAws, target: DatabaseFacts): Promise<DatabaseFacts> {
  return waitForInstance(aws.rds, io.reporter, {
    identifier: target.identifier,
    status: target.status,
    title: "to become available",
    deadline: Date.now() + io.waitTimeoutMs,
    timeoutMs: io.waitTimeoutMs,
    intervalMs: io.pollIntervalMs,
    signal: io.signal,
    ready: (instance) => {
      const facts = describeInstance(instance, {
        created: target.created,
        databaseName: target.databaseName,
      });
      return instance.DBInstanceStatus === "available" && facts.endpoint ? facts : undefined;
    },
    goneAdvice: "Someone deleted it while mcctl was waiting: run `mcctl setup` again to create it anew.",
    timeoutAdvice: "RDS is still creating it; run `mcctl setup` again later (it picks it up).",
    done: (ready, took) => {
      const endpoint = ready.endpoint as { host: string; port: number };
      return `MySQL instance ${target.identifier} is available at ${endpoint.host}:${endpoint.port} (${took})`;
    },
  });
}

/**
 * What RestoreDBInstanceFromDBSnapshot creates (RDS API Reference, RestoreDBInstanceFromDBSnapshot, and the
 * `@aws-sdk/client-rds` model docs of its message): a new instance "from the source database restore point with most
 * of the source's original configuration". From the snapshot: engine, engine version, allocated storage and storage
 * type, encryption (StorageEncrypted and KmsKeyId), master username, database name, backup retention, and the
 * master password the instance had when the snapshot was taken. From the request, with the defaults the reference
 * gives: DBInstanceClass ("Default: The same DBInstanceClass as the original DB instance"), Port ("Default: The
 * same port as the original DB instance"), DBSubnetGroupName, VpcSecurityGroupIds ("Default: The default EC2 VPC
 * security group for the DB subnet group's VPC"), MultiAZ (Single-AZ "by default"), PubliclyAccessible, Tags,
 * CopyTagsToSnapshot, DeletionProtection.
 */
import type {
  CreateDBInstanceCommandInput,
  RestoreDBInstanceFromDBSnapshotCommandInput,
} from "@aws-sdk/client-rds";
import { compact } from "./core.js";
import type { SnapshotContents } from "./rds-snapshots.js";

/** Parameters of RestoreDBInstanceFromDBSnapshot the simulator models; any other one is refused loudly. */
const MODELLED = new Set([
  "DBInstanceIdentifier",
  "DBSnapshotIdentifier",
  "DBInstanceClass",
  "Port",
  "AvailabilityZone",
  "DBSubnetGroupName",
  "MultiAZ",
  "PubliclyAccessible",
  "AutoMinorVersionUpgrade",
  "Tags",
  "VpcSecurityGroupIds",
  "CopyTagsToSnapshot",
  "DeletionProtection",
]);

/** The parameters of a restore request the simulator does not model (it refuses them rather than ignore them). */
export function unmodelledRestoreParameters(input: RestoreDBInstanceFromDBSnapshotCommandInput): string[] {
  return Object.entries(input)
    .filter(([key, value]) => value !== undefined && !MODELLED.has(key))
    .map(([key]) => key);
}

/** The CreateDBInstance-shaped record of a restored instance (password included: never rendered). */
export function restoredInstanceInput(
  input: RestoreDBInstanceFromDBSnapshotCommandInput,
  snapshot: SnapshotContents,
): CreateDBInstanceCommandInput {
  const source = snapshot.source;
  return compact({
    DBInstanceIdentifier: input.DBInstanceIdentifier,
    DBInstanceClass: input.DBInstanceClass ?? source.DBInstanceClass,
    Engine: source.Engine,
    EngineVersion: source.EngineVersion,
    AllocatedStorage: source.AllocatedStorage,
    StorageType: source.StorageType,
    StorageEncrypted: source.StorageEncrypted ?? false,
    KmsKeyId: source.StorageEncrypted ? source.KmsKeyId : undefined,
    MasterUsername: source.MasterUsername,
    MasterUserPassword: snapshot.masterPassword,
    DBName: source.DBName,
    BackupRetentionPeriod: source.BackupRetentionPeriod,
    Port: input.Port ?? source.Endpoint?.Port,
    AvailabilityZone: input.AvailabilityZone,
    DBSubnetGroupName: input.DBSubnetGroupName,
    VpcSecurityGroupIds: input.VpcSecurityGroupIds,
    MultiAZ: input.MultiAZ ?? false,
    PubliclyAccessible: input.PubliclyAccessible ?? false,
    AutoMinorVersionUpgrade: input.AutoMinorVersionUpgrade,
    Tags: input.Tags ?? [],
    CopyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
    DeletionProtection: input.DeletionProtection ?? false,
  }) as CreateDBInstanceCommandInput;
}

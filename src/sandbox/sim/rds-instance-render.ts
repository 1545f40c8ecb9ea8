/** A DB instance of the simulated RDS as DescribeDBInstances (and every call that returns one) renders it. */
import type { DBInstance } from "@aws-sdk/client-rds";
import { clone, compact } from "./core.js";
import { majorOf } from "./rds-engine-versions.js";
import type { DbInstanceRecord, RdsState } from "./rds-state.js";

export function renderDbInstance(state: RdsState, record: DbInstanceRecord): DBInstance {
  const input = record.input;
  const major = majorOf(record.engineVersion);
  const port = input.Port ?? 3306;
  const created = record.instanceCreateTime !== undefined;
  return compact({
    DBInstanceIdentifier: record.id,
    DBInstanceClass: input.DBInstanceClass,
    Engine: input.Engine,
    DBInstanceStatus: record.status,
    MasterUsername: input.MasterUsername,
    DBName: input.DBName,
    // The API reference (DBInstance.Endpoint): "The endpoint might not be shown for instances with the status
    // of creating." RDS assigns it when the instance exists, so it shows during "backing-up" already.
    Endpoint: created
      ? {
          Address: `${record.id}.${state.endpointInfix}.${state.ctx.region}.rds.amazonaws.com`,
          Port: port,
          HostedZoneId: "Z29XKXDKYMONMX",
        }
      : undefined,
    AllocatedStorage: input.AllocatedStorage,
    InstanceCreateTime: record.instanceCreateTime,
    PreferredBackupWindow: input.PreferredBackupWindow ?? "03:00-03:30",
    BackupRetentionPeriod: input.BackupRetentionPeriod ?? 1,
    DBSecurityGroups: [],
    VpcSecurityGroups: record.securityGroupIds.map((id) => ({ VpcSecurityGroupId: id, Status: "active" })),
    DBParameterGroups: [
      {
        DBParameterGroupName: input.DBParameterGroupName ?? `default.mysql${major}`,
        ParameterApplyStatus: "in-sync",
      },
    ],
    AvailabilityZone: record.availabilityZone,
    DBSubnetGroup: record.subnetGroup && clone(record.subnetGroup),
    PreferredMaintenanceWindow: input.PreferredMaintenanceWindow ?? "sun:04:00-sun:04:30",
    // RDS shows the password as pending (masked) until the instance exists.
    PendingModifiedValues: created && !record.passwordPending ? {} : { MasterUserPassword: "****" },
    MultiAZ: input.MultiAZ ?? false,
    EngineVersion: record.engineVersion,
    AutoMinorVersionUpgrade: input.AutoMinorVersionUpgrade ?? true,
    ReadReplicaDBInstanceIdentifiers: [],
    LicenseModel: "general-public-license",
    OptionGroupMemberships: [
      {
        OptionGroupName: input.OptionGroupName ?? `default:mysql-${major.replace(".", "-")}`,
        Status: "in-sync",
      },
    ],
    PubliclyAccessible: input.PubliclyAccessible ?? false,
    StorageType: input.StorageType ?? "gp2",
    DbInstancePort: 0,
    StorageEncrypted: input.StorageEncrypted ?? false,
    KmsKeyId: input.StorageEncrypted
      ? (input.KmsKeyId ?? `arn:aws:kms:${state.ctx.region}:${state.ctx.accountId}:key/aws-rds-default`)
      : undefined,
    DbiResourceId: record.resourceId,
    CACertificateIdentifier: "rds-ca-rsa2048-g1",
    CopyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
    MonitoringInterval: input.MonitoringInterval ?? 0,
    DBInstanceArn: state.arn(record.id),
    IAMDatabaseAuthenticationEnabled: input.EnableIAMDatabaseAuthentication ?? false,
    PerformanceInsightsEnabled: input.EnablePerformanceInsights ?? false,
    DeletionProtection: input.DeletionProtection ?? false,
    TagList: clone(input.Tags ?? []),
    CustomerOwnedIpEnabled: false,
    BackupTarget: "region",
    NetworkType: "IPV4",
    StorageThroughput: 0,
    DedicatedLogVolume: false,
    EngineLifecycleSupport: "open-source-rds-extended-support",
  } satisfies DBInstance);
}

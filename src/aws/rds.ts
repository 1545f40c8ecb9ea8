import {
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  CreateDBSnapshotCommand,
  type DBInstance,
  type DBSnapshot,
  DeleteDBInstanceCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  paginateDescribeDBEngineVersions,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
  paginateDescribeOrderableDBInstanceOptions,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from "@aws-sdk/client-rds";
import type { AwsConfig } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { RDS_PERMISSIONS } from "./rds-permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of RdsApi without a declaration. */
const DECLARED: PermissionTable<RdsApi> = RDS_PERMISSIONS;

export interface RdsApi {
  findInstance(identifier: string): Promise<DBInstance | undefined>;
  listMysqlInstances(): Promise<DBInstance[]>;
  /** MySQL engine versions the region offers. */
  mysqlVersions(): Promise<string[]>;
  /** Instance classes offered for this MySQL version. */
  mysqlClasses(version: string): Promise<string[]>;
  createInstance(input: CreateDBInstanceCommandInput): Promise<DBInstance>;
  /** Every DB instance of the region (any engine), e.g. to find the one an endpoint belongs to. */
  listInstances(): Promise<DBInstance[]>;
  createSnapshot(snapshot: string, instance: string, tags: Record<string, string>): Promise<DBSnapshot>;
  /** The snapshot, or undefined when RDS does not know it. */
  findSnapshot(snapshot: string): Promise<DBSnapshot | undefined>;
  /** The instance's manual snapshots, newest first. */
  listManualSnapshots(instance: string): Promise<DBSnapshot[]>;
  /**
   * Starts deleting the instance, with a final snapshot of that name unless it is undefined (then none,
   * and the automated backups go too). False when RDS has no such instance (any more).
   */
  deleteInstance(identifier: string, finalSnapshot: string | undefined): Promise<boolean>;
  /** Restores a snapshot into a new instance (RestoreDBInstanceFromDBSnapshot); RDS goes on creating it. */
  restoreFromSnapshot(input: {
    instance: string;
    snapshot: string;
    instanceClass?: string | undefined;
    subnetGroup?: string | undefined;
    securityGroupIds: readonly string[];
    publiclyAccessible?: boolean | undefined;
    multiAz?: boolean | undefined;
    port?: number | undefined;
    deletionProtection?: boolean | undefined;
    tags: Record<string, string>;
  }): Promise<DBInstance>;
  /** Gives the master user this password (ModifyDBInstance, applied at once). The password is never logged. */
  setMasterPassword(instance: string, password: string): Promise<DBInstance>;
  /** Every manual snapshot of the region (of any instance, deleted ones included), newest first, with its tags. */
  listRegionSnapshots(): Promise<DBSnapshot[]>;
}

export function createRdsApi(config: AwsConfig, limits: AwsLimits = {}): RdsApi {
  const client = new RDSClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  const describe = async (identifier?: string) => {
    const instances: DBInstance[] = [];
    const pages = paginateDescribeDBInstances({ client }, { DBInstanceIdentifier: identifier });
    for await (const page of pages) instances.push(...(page.DBInstances ?? []));
    return instances;
  };
  const manualSnapshots = async (instance?: string) => {
    const snapshots: DBSnapshot[] = [];
    const pages = paginateDescribeDBSnapshots(
      { client },
      { DBInstanceIdentifier: instance, SnapshotType: "manual" },
    );
    for await (const page of pages) snapshots.push(...(page.DBSnapshots ?? []));
    return snapshots.sort(newestFirst);
  };
  return {
    findInstance: (identifier) =>
      call({ declared: DECLARED.findInstance }, async () => {
        try {
          return (await describe(identifier))[0];
        } catch (error) {
          if (
            awsErrorName(error) === "DBInstanceNotFoundFault" ||
            awsErrorName(error) === "DBInstanceNotFound"
          ) {
            return undefined;
          }
          throw error;
        }
      }),

    listMysqlInstances: () =>
      call({ declared: DECLARED.listMysqlInstances }, async () =>
        (await describe()).filter((instance) => instance.Engine === "mysql"),
      ),

    mysqlVersions: () =>
      call({ declared: DECLARED.mysqlVersions }, async () => {
        const versions: string[] = [];
        for await (const page of paginateDescribeDBEngineVersions({ client }, { Engine: "mysql" })) {
          versions.push(...(page.DBEngineVersions ?? []).flatMap((version) => version.EngineVersion ?? []));
        }
        return versions;
      }),

    mysqlClasses: (version) =>
      call({ declared: DECLARED.mysqlClasses }, async () => {
        const classes = new Set<string>();
        const pages = paginateDescribeOrderableDBInstanceOptions(
          { client },
          { Engine: "mysql", EngineVersion: version },
        );
        for await (const page of pages) {
          for (const option of page.OrderableDBInstanceOptions ?? []) {
            if (option.DBInstanceClass) classes.add(option.DBInstanceClass);
          }
        }
        return [...classes];
      }),

    listInstances: () => call({ declared: DECLARED.listInstances }, () => describe()),

    createSnapshot: (snapshot, instance, tags) =>
      call({ declared: DECLARED.createSnapshot }, async () => {
        const output = await client.send(
          new CreateDBSnapshotCommand({
            DBSnapshotIdentifier: snapshot,
            DBInstanceIdentifier: instance,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
        if (!output.DBSnapshot) throw new Error("RDS returned no snapshot after creating it");
        return output.DBSnapshot;
      }),

    findSnapshot: (snapshot) =>
      call({ declared: DECLARED.findSnapshot }, async () => {
        try {
          const output = await client.send(
            new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshot }),
          );
          return output.DBSnapshots?.[0];
        } catch (error) {
          if (/^DBSnapshotNotFound/.test(awsErrorName(error) ?? "")) return undefined;
          throw error;
        }
      }),

    listManualSnapshots: (instance) =>
      call({ declared: DECLARED.listManualSnapshots }, () => manualSnapshots(instance)),

    listRegionSnapshots: () => call({ declared: DECLARED.listRegionSnapshots }, () => manualSnapshots()),

    restoreFromSnapshot: (input) =>
      call({ declared: DECLARED.restoreFromSnapshot }, async () => {
        const output = await client.send(
          new RestoreDBInstanceFromDBSnapshotCommand({
            DBInstanceIdentifier: input.instance,
            DBSnapshotIdentifier: input.snapshot,
            DBInstanceClass: input.instanceClass,
            DBSubnetGroupName: input.subnetGroup,
            VpcSecurityGroupIds: [...input.securityGroupIds],
            PubliclyAccessible: input.publiclyAccessible,
            MultiAZ: input.multiAz,
            Port: input.port,
            DeletionProtection: input.deletionProtection,
            CopyTagsToSnapshot: true,
            Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
        if (!output.DBInstance) throw new Error("RDS returned no DB instance after restoring it");
        return output.DBInstance;
      }),

    setMasterPassword: (instance, password) =>
      call({ declared: DECLARED.setMasterPassword }, async () => {
        try {
          const output = await client.send(
            new ModifyDBInstanceCommand({
              DBInstanceIdentifier: instance,
              MasterUserPassword: password,
              ApplyImmediately: true,
            }),
          );
          if (!output.DBInstance) throw new Error("RDS returned no DB instance after modifying it");
          return output.DBInstance;
        } catch (error) {
          throw withoutSecret(error, password);
        }
      }),

    createInstance: (input) =>
      call({ declared: DECLARED.createInstance }, async () => {
        const output = await client.send(new CreateDBInstanceCommand(input));
        if (!output.DBInstance) throw new Error("RDS returned no DB instance after creating it");
        return output.DBInstance;
      }),

    deleteInstance: (identifier, finalSnapshot) =>
      call({ declared: DECLARED.deleteInstance }, async () => {
        try {
          await client.send(
            new DeleteDBInstanceCommand({
              DBInstanceIdentifier: identifier,
              ...(finalSnapshot === undefined
                ? { SkipFinalSnapshot: true, DeleteAutomatedBackups: true }
                : { SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: finalSnapshot }),
            }),
          );
          return true;
        } catch (error) {
          if (/^DBInstanceNotFound/.test(awsErrorName(error) ?? "")) return false;
          throw error;
        }
      }),
  };
}

function newestFirst(a: DBSnapshot, b: DBSnapshot): number {
  const time = (snapshot: DBSnapshot) => snapshot.SnapshotCreateTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return time(b) - time(a);
}

/**
 * The error with every trace of `secret` masked, down its chain of causes: the message of an AWS error (or of a
 * proxy's answer) is what mcctl prints, and --debug prints the causes' stacks too.
 */
function withoutSecret(error: unknown, secret: string): unknown {
  if (!secret) return error;
  const mask = (text: string) => text.split(secret).join("****");
  const maskFields = (target: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(target)) {
      if (typeof value === "string" && value.includes(secret)) target[key] = mask(value);
    }
  };
  for (let current = error; current instanceof Error; current = current.cause) {
    current.message = mask(current.message);
    if (current.stack) current.stack = mask(current.stack);
    // Query-protocol errors also carry the answer's Error { Code, Message, Type }.
    maskFields(current as unknown as Record<string, unknown>);
    const detail = (current as { Error?: unknown }).Error;
    if (detail && typeof detail === "object") maskFields(detail as Record<string, unknown>);
  }
  return error;
}

/**
 * DB instances in the simulated RDS: CreateDBInstance, RestoreDBInstanceFromDBSnapshot, ModifyDBInstance
 * and DescribeDBInstances, with RDS's checks, and the test set-up that adds instances or moves one to another
 * status. Their lifecycle is rds-lifecycle.ts's; their snapshots rds-instance-snapshots.ts's; DeleteDBInstance
 * rds-teardown.ts's.
 */
import {
  type CreateDBInstanceCommandInput,
  type CreateDBInstanceResult,
  type DBInstance,
  DBInstanceAlreadyExistsFault,
  type DBInstanceMessage,
  type DescribeDBInstancesCommandInput,
  type Filter,
  InvalidDBSnapshotStateFault,
  type ModifyDBInstanceCommandInput,
  type ModifyDBInstanceResult,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
  type RestoreDBInstanceFromDBSnapshotResult,
} from "@aws-sdk/client-rds";
import { clone, compact } from "./core.js";
import type { RdsEngineVersions } from "./rds-engine-versions.js";
import { renderDbInstance } from "./rds-instance-render.js";
import { addAutomatedSnapshot, finishCreating, scheduleBackup, scheduleLifecycle } from "./rds-lifecycle.js";
import { securityGroupIdsFor, subnetGroupFor } from "./rds-network.js";
import { restoredInstanceInput, unmodelledRestoreParameters } from "./rds-restore.js";
import type { DbInstanceRecord, RdsState } from "./rds-state.js";

/** `sim.rds.addInstance(...)`: a DB instance that already exists, in any status. */
export type AddDbInstanceOptions = Partial<CreateDBInstanceCommandInput> & {
  DBInstanceIdentifier: string;
  /**
   * Default "available". "creating" or "backing-up" continue RDS's lifecycle from there; any other status
   * ("stopped", "deleting", "failed"…) stays until `setInstanceStatus`.
   */
  status?: string;
};

const IDENTIFIER = /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/;
const PASSWORD_CHARACTERS = /^[\x21-\x7e]*$/;
/** The ModifyDBInstance parameters the simulator models. */
const MODIFIABLE = [
  "DBInstanceIdentifier",
  "MasterUserPassword",
  "ApplyImmediately",
  "DeletionProtection",
  "CopyTagsToSnapshot",
];

export class RdsInstances {
  readonly #state: RdsState;
  readonly #engineVersions: RdsEngineVersions;

  constructor(state: RdsState, engineVersions: RdsEngineVersions) {
    this.#state = state;
    this.#engineVersions = engineVersions;
  }

  /** A DB subnet group other than "default" (which is the default VPC's subnets). */
  addDBSubnetGroup(name: string, subnetIds: readonly string[], description = name): void {
    this.#state.subnetGroups.set(name.toLowerCase(), { subnetIds: [...subnetIds], description });
  }

  /** Adds a DB instance without going through the API or its checks (only the identifier must be free). */
  addInstance(options: AddDbInstanceOptions): DBInstance {
    this.#state.ctx.clock.advance();
    const { status = "available", ...given } = options;
    const id = given.DBInstanceIdentifier.toLowerCase();
    if (this.#state.instances.has(id)) throw new Error(`simulated RDS: DB instance ${id} exists already`);
    const input: CreateDBInstanceCommandInput = {
      DBInstanceClass: "db.t3.small",
      Engine: "mysql",
      AllocatedStorage: 20,
      MasterUsername: "admin",
      MasterUserPassword: "simulated-password",
      ...given,
    };
    const engineVersion =
      this.#engineVersions.resolveVersion(input.EngineVersion)?.version ?? input.EngineVersion ?? "8.0.39";
    const record = this.#newRecord(id, input, engineVersion);
    this.#state.instances.set(id, record);
    if (status === "creating") {
      scheduleLifecycle(this.#state, record);
    } else if (status === "backing-up") {
      finishCreating(this.#state, record);
      scheduleBackup(this.#state, record);
    } else {
      finishCreating(this.#state, record);
      record.status = status;
      addAutomatedSnapshot(this.#state, record);
    }
    return renderDbInstance(this.#state, record);
  }

  /** Moves an instance to another status at once (e.g. "stopped"); pending lifecycle steps are dropped. */
  setInstanceStatus(identifier: string, status: string): DBInstance {
    this.#state.ctx.clock.advance();
    const record = this.#state.instances.get(identifier.toLowerCase());
    if (!record) throw new Error(`simulated RDS: no DB instance ${identifier}`);
    record.generation += 1;
    const finishing = record.instanceCreateTime === undefined && status !== "creating";
    if (finishing) finishCreating(this.#state, record);
    record.status = status;
    if (finishing) addAutomatedSnapshot(this.#state, record);
    return renderDbInstance(this.#state, record);
  }

  /** A DB instance as DescribeDBInstances renders it, or undefined. */
  instance(identifier: string): DBInstance | undefined {
    this.#state.ctx.clock.advance();
    const record = this.#state.instances.get(identifier.toLowerCase());
    return record && renderDbInstance(this.#state, record);
  }

  /** Every DB instance, as DescribeDBInstances renders them. */
  instances(): DBInstance[] {
    this.#state.ctx.clock.advance();
    return [...this.#state.instances.values()].map((record) => renderDbInstance(this.#state, record));
  }

  /** Everything CreateDBInstance (or `addInstance`) was given, the master password included. */
  createInput(identifier: string): CreateDBInstanceCommandInput | undefined {
    const record = this.#state.instances.get(identifier.toLowerCase());
    return record && clone(record.input);
  }

  /** The master password the instance has now (RDS never returns it; tests only). */
  masterPassword(identifier: string): string | undefined {
    this.#state.ctx.clock.advance();
    return this.#state.instances.get(identifier.toLowerCase())?.input.MasterUserPassword;
  }

  /** The snapshot an instance was restored from (lowercase identifier), or undefined. */
  restoredFrom(identifier: string): string | undefined {
    return this.#state.instances.get(identifier.toLowerCase())?.restoredFrom;
  }

  createDBInstance(input: CreateDBInstanceCommandInput): CreateDBInstanceResult {
    this.#state.ctx.clock.advance();
    const id = this.#checkNewIdentifier(input.DBInstanceIdentifier);
    if (input.Engine !== "mysql") throw this.#state.invalidValue("Invalid DB engine");
    if (!input.MasterUsername) {
      throw this.#state.invalidValue("The parameter MasterUsername must be provided and must not be blank.");
    }
    if (!input.ManageMasterUserPassword) this.#checkPassword(input.MasterUserPassword);
    const version = this.#engineVersions.resolveVersion(input.EngineVersion);
    if (!version) {
      throw this.#state.combination(`Cannot find version ${input.EngineVersion} for ${input.Engine}`);
    }
    const instanceClass = input.DBInstanceClass ?? "";
    if (!this.#engineVersions.classesFor(version.version).includes(instanceClass)) {
      throw this.#state.combination(
        `RDS does not support creating a DB instance with the following combination: DBInstanceClass=${instanceClass}, ` +
          `Engine=${input.Engine}, EngineVersion=${version.version}, LicenseModel=general-public-license. ` +
          "For supported combinations of instance class and database engine version, see the documentation.",
      );
    }
    const record = this.#newRecord(id, clone(input), version.version);
    this.#state.instances.set(id, record);
    scheduleLifecycle(this.#state, record);
    return { DBInstance: renderDbInstance(this.#state, record) };
  }

  /**
   * A new instance from an "available" snapshot: "creating" for `restoringMs`, then as a created instance. It keeps
   * the snapshot's master password (rds-restore.ts says what else it takes from where).
   */
  restoreDBInstanceFromDBSnapshot(
    input: RestoreDBInstanceFromDBSnapshotCommandInput,
  ): RestoreDBInstanceFromDBSnapshotResult {
    this.#state.ctx.clock.advance();
    const unmodelled = unmodelledRestoreParameters(input);
    if (unmodelled.length > 0) {
      throw new Error(
        `simulated RDS does not implement RestoreDBInstanceFromDBSnapshot's ${unmodelled.join(", ")}`,
      );
    }
    const id = this.#checkNewIdentifier(input.DBInstanceIdentifier);
    const snapshotId = input.DBSnapshotIdentifier;
    if (!snapshotId) {
      throw this.#state.invalidValue(
        "The parameter DBSnapshotIdentifier must be provided and must not be blank.",
      );
    }
    const snapshot = this.#state.snapshots.contents(snapshotId);
    if (!snapshot) throw this.#state.snapshots.notFound(snapshotId);
    if (snapshot.status !== "available") {
      throw this.#state.modeled(
        InvalidDBSnapshotStateFault,
        "InvalidDBSnapshotState",
        `Snapshot ${snapshot.id} is not in available state.`,
        400,
      );
    }
    const created = restoredInstanceInput(input, snapshot);
    const version = created.EngineVersion ?? "";
    const instanceClass = created.DBInstanceClass ?? "";
    if (!this.#engineVersions.classesFor(version).includes(instanceClass)) {
      throw this.#state.combination(
        `RDS does not support creating a DB instance with the following combination: DBInstanceClass=${instanceClass}, ` +
          `Engine=${created.Engine}, EngineVersion=${version}, LicenseModel=general-public-license. ` +
          "For supported combinations of instance class and database engine version, see the documentation.",
      );
    }
    const record = this.#newRecord(id, created, version);
    record.restoredFrom = snapshot.id;
    this.#state.instances.set(id, record);
    scheduleLifecycle(this.#state, record, this.#state.timings.restoringMs);
    return { DBInstance: renderDbInstance(this.#state, record) };
  }

  /**
   * Only MasterUserPassword (with ApplyImmediately or not: RDS applies it "as soon as possible" either way),
   * DeletionProtection and CopyTagsToSnapshot. A new password: "resetting-master-credentials" for `resettingMs`,
   * then "available" with the new password.
   */
  modifyDBInstance(input: ModifyDBInstanceCommandInput): ModifyDBInstanceResult {
    this.#state.ctx.clock.advance();
    const others = Object.entries(input).filter(
      ([key, value]) => value !== undefined && !MODIFIABLE.includes(key),
    );
    if (others.length > 0) {
      const names = others.map(([key]) => key).join(", ");
      throw new Error(`simulated RDS does not implement ModifyDBInstance's ${names}`);
    }
    const given = input.DBInstanceIdentifier ?? "";
    const record = this.#state.instances.get(this.#state.idOf(given));
    if (!record) throw this.#state.instanceNotFound(given);
    if (record.status !== "available") {
      throw this.#state.invalidInstanceState("Database instance is not in available state.");
    }
    const password = input.MasterUserPassword;
    if (password !== undefined) this.#checkPassword(password);
    if (input.DeletionProtection !== undefined) record.input.DeletionProtection = input.DeletionProtection;
    if (input.CopyTagsToSnapshot !== undefined) record.input.CopyTagsToSnapshot = input.CopyTagsToSnapshot;
    if (password !== undefined) {
      record.passwordPending = true;
      record.status = "resetting-master-credentials";
      const generation = record.generation;
      this.#state.ctx.clock.after(
        this.#state.timings.resettingMs,
        `RDS ${record.id} credentials reset`,
        () => {
          if (!this.#state.current(record, generation)) return;
          record.input.MasterUserPassword = password;
          record.passwordPending = false;
          if (record.status === "resetting-master-credentials") record.status = "available";
        },
      );
    }
    return { DBInstance: renderDbInstance(this.#state, record) };
  }

  describeDBInstances(input: DescribeDBInstancesCommandInput = {}): DBInstanceMessage {
    this.#state.ctx.clock.advance();
    let selected = [...this.#state.instances.values()];
    if (input.DBInstanceIdentifier !== undefined) {
      const id = this.#state.idOf(input.DBInstanceIdentifier);
      const record = this.#state.instances.get(id);
      if (!record) throw this.#state.instanceNotFound(input.DBInstanceIdentifier);
      selected = [record];
    }
    for (const filter of input.Filters ?? []) selected = selected.filter(this.#instanceFilter(filter));
    const { page, nextToken } = this.#state.page(selected, input);
    return compact({
      DBInstances: page.map((record) => renderDbInstance(this.#state, record)),
      Marker: nextToken,
    });
  }

  #newRecord(id: string, input: CreateDBInstanceCommandInput, engineVersion: string): DbInstanceRecord {
    const subnetGroup = subnetGroupFor(this.#state, input.DBSubnetGroupName);
    const securityGroupIds = securityGroupIdsFor(this.#state, input.VpcSecurityGroupIds, subnetGroup?.VpcId);
    return {
      id,
      input: { ...input, DBInstanceIdentifier: id },
      engineVersion,
      status: "creating",
      availabilityZone: undefined,
      instanceCreateTime: undefined,
      resourceId: `db-${this.#state.ctx.ids.hex(26).toUpperCase()}`,
      subnetGroup,
      securityGroupIds,
      generation: 0,
    };
  }

  /** The lowercase identifier of a new instance, or RDS's InvalidParameterValue / DBInstanceAlreadyExists. */
  #checkNewIdentifier(given = ""): string {
    if (!IDENTIFIER.test(given) || given.length > 63) {
      throw this.#state.invalidValue(
        "The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; " +
          "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two " +
          "consecutive hyphens.",
      );
    }
    const id = given.toLowerCase();
    if (this.#state.instances.has(id)) {
      throw this.#state.modeled(
        DBInstanceAlreadyExistsFault,
        "DBInstanceAlreadyExists",
        "DB instance already exists",
        400,
      );
    }
    return id;
  }

  #checkPassword(password: string | undefined): void {
    if (!password) {
      throw this.#state.invalidValue(
        "The parameter MasterUserPassword must be provided and must not be blank.",
      );
    }
    if (password.length < 8) {
      throw this.#state.invalidValue(
        "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.",
      );
    }
    if (password.length > 41) {
      throw this.#state.invalidValue(
        "The parameter MasterUserPassword is not a valid password because it is longer than 41 characters.",
      );
    }
    if (!PASSWORD_CHARACTERS.test(password) || /[/"@]/.test(password)) {
      throw this.#state.invalidValue(
        "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides " +
          "'/', '@', '\"', ' ' may be used.",
      );
    }
  }

  #instanceFilter(filter: Filter): (record: DbInstanceRecord) => boolean {
    const values = filter.Values ?? [];
    switch (filter.Name) {
      case "engine":
        return (record) => values.includes(record.input.Engine ?? "");
      case "db-instance-id": {
        const ids = values.map((value) => this.#state.idOf(value));
        return (record) => ids.includes(record.id);
      }
      case "dbi-resource-id":
        return (record) => values.includes(record.resourceId);
      case "db-cluster-id":
        return () => false;
      default:
        throw new Error(`simulated RDS does not implement the DescribeDBInstances filter "${filter.Name}"`);
    }
  }
}

/**
 * Simulated Amazon RDS for MySQL: DB instances with RDS's lifecycle (creating → backing-up → available, the
 * endpoint appearing as soon as the instance leaves "creating", before it is "available"; deleting → gone), the
 * engine versions a region offers and which instance classes each version can be ordered with. Only the `mysql`
 * engine is simulated. DB snapshots (manual, final and automated) live in `rds-snapshots.ts`.
 *
 * Errors are shaped as the SDK (query protocol) hands them over: modeled faults such as
 * `DBInstanceNotFoundFault` (wire code `DBInstanceNotFound` in `Code`), unmodeled ones such as
 * `InvalidParameterCombination` as `RDSServiceException` named after the code; all with `Type`, `Code`, `Error`.
 *
 * Networking comes from the EC2 simulator (`network`): the default VPC's subnets form the "default" DB subnet
 * group, its default security group is the default `VpcSecurityGroupIds`, and given groups must exist there.
 */

import { createHash } from "node:crypto";
import type { SecurityGroup, Subnet, Vpc } from "@aws-sdk/client-ec2";
import {
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  type CreateDBInstanceResult,
  CreateDBSnapshotCommand,
  type CreateDBSnapshotCommandInput,
  type CreateDBSnapshotResult,
  type DBEngineVersion,
  type DBEngineVersionMessage,
  type DBInstance,
  DBInstanceAlreadyExistsFault,
  type DBInstanceMessage,
  DBInstanceNotFoundFault,
  type DBSnapshot,
  type DBSnapshotMessage,
  type DBSubnetGroup,
  DBSubnetGroupNotFoundFault,
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  type DeleteDBInstanceResult,
  DeleteDBSnapshotCommand,
  type DeleteDBSnapshotCommandInput,
  type DeleteDBSnapshotResult,
  DescribeDBEngineVersionsCommand,
  type DescribeDBEngineVersionsCommandInput,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  DescribeDBSnapshotsCommand,
  type DescribeDBSnapshotsCommandInput,
  DescribeOrderableDBInstanceOptionsCommand,
  type DescribeOrderableDBInstanceOptionsCommandInput,
  type Filter,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
  type ModifyDBInstanceResult,
  type OrderableDBInstanceOption,
  type OrderableDBInstanceOptionsMessage,
  RDSServiceException,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
  type RestoreDBInstanceFromDBSnapshotResult,
} from "@aws-sdk/client-rds";
import { clone, compact, createSimContext, paginate, type SimContext } from "./core.js";
import {
  type ModeledExceptionClass,
  queryModeledError,
  queryProtocolFaultError,
  queryUnmodeledError,
  type ServiceErrorProfile,
} from "./errors.js";
import { restoredInstanceInput, unmodelledRestoreParameters } from "./rds-restore.js";
import {
  type AddDbSnapshotOptions,
  automatedSnapshotId,
  type RdsSnapshotFailureMatch,
  RdsSnapshots,
  type RdsSnapshotType,
} from "./rds-snapshots.js";

/** How long each step of a DB instance's life takes. */
export interface RdsTimings {
  /** "creating", default 8 min. */
  creatingMs: number;
  /**
   * "backing-up" (the first automated backup, which is the automated snapshot; skipped when BackupRetentionPeriod
   * is 0), default 2 min.
   */
  backingUpMs: number;
  /** A manual snapshot (CreateDBSnapshot, a final snapshot): "creating" → "available", default 4 min. */
  snapshotMs: number;
  /** "deleting" until the instance is gone (after its final snapshot, if any), default 5 min. */
  deletingMs: number;
  /**
   * "creating" of an instance restored from a snapshot (RestoreDBInstanceFromDBSnapshot), before its "backing-up";
   * default as `creatingMs` (AWS documents no figure; it grows with the data).
   */
  restoringMs: number;
  /** "resetting-master-credentials" after ModifyDBInstance sets MasterUserPassword, default 1 min. */
  resettingMs: number;
}

export const defaultRdsTimings: Readonly<RdsTimings> = {
  creatingMs: 8 * 60_000,
  backingUpMs: 2 * 60_000,
  snapshotMs: 4 * 60_000,
  deletingMs: 5 * 60_000,
  restoringMs: 8 * 60_000,
  resettingMs: 60_000,
};

/** An engine version the region offers: "8.0.39", or with details. */
export type RdsEngineVersionSpec =
  | string
  | { version: string; default?: boolean; status?: "available" | "deprecated" };

/**
 * Which instance classes can be ordered for which versions: `engineVersion` matches a version or a prefix of it
 * on a dot boundary ("5.7" matches "5.7.44"); omitted, it matches every version.
 */
export interface RdsOrderableRule {
  engineVersion?: string;
  classes: readonly string[];
}

/** MySQL versions offered by default. 8.0.39 is the default version, as RDS marks one per engine. */
export const defaultMysqlVersions: readonly RdsEngineVersionSpec[] = [
  "5.7.44",
  "8.0.35",
  { version: "8.0.39", default: true },
  "8.4.3",
];

/** By default db.t2.small only for 5.7, and db.t3.small / db.t3.medium / db.m5.large for every version. */
export const defaultOrderableRules: readonly RdsOrderableRule[] = [
  { engineVersion: "5.7", classes: ["db.t2.small"] },
  { classes: ["db.t3.small", "db.t3.medium", "db.m5.large"] },
];

/** What the RDS simulator needs to know about EC2 networking (the EC2 simulator provides it). */
export interface RdsNetwork {
  vpcs(): Vpc[];
  subnets(): Subnet[];
  securityGroups(): SecurityGroup[];
}

export interface RdsSimulatorOptions {
  timings?: Partial<RdsTimings>;
  engineVersions?: readonly RdsEngineVersionSpec[];
  orderable?: readonly RdsOrderableRule[];
  network?: RdsNetwork;
}

/** `sim.rds.addInstance(...)`: a DB instance that already exists, in any status. */
export type AddDbInstanceOptions = Partial<CreateDBInstanceCommandInput> & {
  DBInstanceIdentifier: string;
  /**
   * Default "available". "creating" or "backing-up" continue RDS's lifecycle from there; any other status
   * ("stopped", "deleting", "failed"…) stays until `setInstanceStatus`.
   */
  status?: string;
};

interface EngineVersionRecord {
  version: string;
  isDefault: boolean;
  status: "available" | "deprecated";
}

interface DbInstanceRecord {
  /** Lowercase, as RDS stores identifiers. */
  id: string;
  /** Everything CreateDBInstance was given, the master password included (never rendered). */
  input: CreateDBInstanceCommandInput;
  engineVersion: string;
  status: string;
  availabilityZone: string | undefined;
  instanceCreateTime: Date | undefined;
  resourceId: string;
  subnetGroup: DBSubnetGroup | undefined;
  securityGroupIds: string[];
  /** Bumped whenever the status is set from outside, so that stale scheduled transitions do nothing. */
  generation: number;
  /** The snapshot it was restored from (lowercase identifier), if it was. */
  restoredFrom?: string | undefined;
  /** Whether a new master password is pending (ModifyDBInstance), shown masked in PendingModifiedValues. */
  passwordPending?: boolean;
}

const IDENTIFIER = /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/;
/** API reference, CreateDBSnapshot: "The source DB instance must be in the available or storage-optimization state." */
const SNAPSHOT_SOURCE_STATES = ["available", "storage-optimization"];
const PASSWORD_CHARACTERS = /^[\x21-\x7e]*$/;
const STORAGE_TYPES = ["gp2", "gp3", "io1", "standard"] as const;
/** The ModifyDBInstance parameters the simulator models. */
const MODIFIABLE = [
  "DBInstanceIdentifier",
  "MasterUserPassword",
  "ApplyImmediately",
  "DeletionProtection",
  "CopyTagsToSnapshot",
];

export class RdsSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #network: RdsNetwork | undefined;
  #timings: RdsTimings;
  #versions: EngineVersionRecord[] = [];
  #orderable: RdsOrderableRule[];
  readonly #instances = new Map<string, DbInstanceRecord>();
  readonly #subnetGroups = new Map<string, { subnetIds: string[]; description: string }>();
  readonly #snapshots: RdsSnapshots;
  /** The account- and region-specific part of every endpoint, e.g. "c9akciq32lmq". */
  readonly #endpointInfix: string;

  constructor(context: SimContext = createSimContext(), options: RdsSimulatorOptions = {}) {
    this.#ctx = context;
    this.#network = options.network;
    this.#timings = { ...defaultRdsTimings, ...options.timings };
    this.setEngineVersions(options.engineVersions ?? defaultMysqlVersions);
    this.#orderable = [...(options.orderable ?? defaultOrderableRules)];
    this.#snapshots = new RdsSnapshots(context);
    this.#endpointInfix = createHash("sha256")
      .update(`${context.accountId}/${context.region}`)
      .digest("hex")
      .replace(/[0-9]/g, (digit) => "ghijklmnopqrstuvwxyz"[Number(digit)] ?? "a")
      .slice(0, 12);
    const profile = {
      service: "RDS",
      iamPrefix: "rds",
      BaseException: RDSServiceException,
      resourceArn: (_command: string, input: unknown) => {
        const given = input as { DBInstanceIdentifier?: string; DBSnapshotIdentifier?: string } | undefined;
        const snapshot = given?.DBSnapshotIdentifier?.toLowerCase();
        const id = given?.DBInstanceIdentifier;
        if (snapshot) return `arn:aws:rds:${context.region}:${context.accountId}:snapshot:${snapshot}`;
        return id ? this.#arn(id.toLowerCase()) : "*";
      },
    };
    this.errorProfile = {
      ...profile,
      faultError: (kind, call, faultContext) => queryProtocolFaultError(profile, kind, call, faultContext),
    };
  }

  // ===============================================================================================
  // Test setup and inspection

  get timings(): Readonly<RdsTimings> {
    return this.#timings;
  }

  /** Changes the lifecycle timings for instances, snapshots and deletions started from now on. */
  setTimings(timings: Partial<RdsTimings>): void {
    this.#timings = { ...this.#timings, ...timings };
  }

  /**
   * The MySQL versions the region offers, e.g. `setEngineVersions(["8.0.35", "8.0.39"])` for a region without
   * 5.7. The default version is the one marked `default: true`, else the newest.
   */
  setEngineVersions(versions: readonly RdsEngineVersionSpec[]): void {
    const records = versions.map((spec) =>
      typeof spec === "string"
        ? { version: spec, isDefault: false, status: "available" as const }
        : { version: spec.version, isDefault: spec.default ?? false, status: spec.status ?? "available" },
    );
    records.sort((a, b) => compareVersions(a.version, b.version));
    const newest = records.filter((record) => record.status === "available").at(-1);
    if (newest && !records.some((record) => record.isDefault)) newest.isDefault = true;
    this.#versions = records;
  }

  /** Which instance classes can be ordered for which versions (replaces the rules). */
  setOrderableOptions(rules: readonly RdsOrderableRule[]): void {
    this.#orderable = [...rules];
  }

  /** The instance classes offered for a version, as DescribeOrderableDBInstanceOptions lists them. */
  classesFor(engineVersion: string): string[] {
    const classes = this.#orderable
      .filter((rule) => rule.engineVersion === undefined || versionMatches(engineVersion, rule.engineVersion))
      .flatMap((rule) => rule.classes);
    return [...new Set(classes)];
  }

  /** A DB subnet group other than "default" (which is the default VPC's subnets). */
  addDBSubnetGroup(name: string, subnetIds: readonly string[], description = name): void {
    this.#subnetGroups.set(name.toLowerCase(), { subnetIds: [...subnetIds], description });
  }

  /** Adds a DB instance without going through the API or its checks (only the identifier must be free). */
  addInstance(options: AddDbInstanceOptions): DBInstance {
    this.#ctx.clock.advance();
    const { status = "available", ...given } = options;
    const id = given.DBInstanceIdentifier.toLowerCase();
    if (this.#instances.has(id)) throw new Error(`simulated RDS: DB instance ${id} exists already`);
    const input: CreateDBInstanceCommandInput = {
      DBInstanceClass: "db.t3.small",
      Engine: "mysql",
      AllocatedStorage: 20,
      MasterUsername: "admin",
      MasterUserPassword: "simulated-password",
      ...given,
    };
    const engineVersion =
      this.#resolveVersion(input.EngineVersion)?.version ?? input.EngineVersion ?? "8.0.39";
    const record = this.#newRecord(id, input, engineVersion);
    this.#instances.set(id, record);
    if (status === "creating") {
      this.#scheduleLifecycle(record);
    } else if (status === "backing-up") {
      this.#finishCreating(record);
      this.#scheduleBackup(record);
    } else {
      this.#finishCreating(record);
      record.status = status;
      this.#addAutomatedSnapshot(record);
    }
    return this.#render(record);
  }

  /** Moves an instance to another status at once (e.g. "stopped"); pending lifecycle steps are dropped. */
  setInstanceStatus(identifier: string, status: string): DBInstance {
    this.#ctx.clock.advance();
    const record = this.#instances.get(identifier.toLowerCase());
    if (!record) throw new Error(`simulated RDS: no DB instance ${identifier}`);
    record.generation += 1;
    const finishing = record.instanceCreateTime === undefined && status !== "creating";
    if (finishing) this.#finishCreating(record);
    record.status = status;
    if (finishing) this.#addAutomatedSnapshot(record);
    return this.#render(record);
  }

  /** A DB instance as DescribeDBInstances renders it, or undefined. */
  instance(identifier: string): DBInstance | undefined {
    this.#ctx.clock.advance();
    const record = this.#instances.get(identifier.toLowerCase());
    return record && this.#render(record);
  }

  /** Every DB instance, as DescribeDBInstances renders them. */
  instances(): DBInstance[] {
    this.#ctx.clock.advance();
    return [...this.#instances.values()].map((record) => this.#render(record));
  }

  /**
   * Everything CreateDBInstance (or `addInstance`) was given for an instance, including the
   * `MasterUserPassword` that RDS never shows again.
   */
  createInput(identifier: string): CreateDBInstanceCommandInput | undefined {
    const record = this.#instances.get(identifier.toLowerCase());
    return record && clone(record.input);
  }

  /** The master password the instance has now (RDS never returns it; tests only). */
  masterPassword(identifier: string): string | undefined {
    this.#ctx.clock.advance();
    return this.#instances.get(identifier.toLowerCase())?.input.MasterUserPassword;
  }

  /** The snapshot an instance was restored from (lowercase identifier), or undefined. */
  restoredFrom(identifier: string): string | undefined {
    return this.#instances.get(identifier.toLowerCase())?.restoredFrom;
  }

  /** Every DB snapshot (manual and automated, in the order taken), as DescribeDBSnapshots renders them. */
  snapshots(filter: { DBInstanceIdentifier?: string; SnapshotType?: RdsSnapshotType } = {}): DBSnapshot[] {
    this.#ctx.clock.advance();
    return this.#snapshots.list(filter);
  }

  /** A DB snapshot as DescribeDBSnapshots renders it, or undefined. */
  snapshot(identifier: string): DBSnapshot | undefined {
    this.#ctx.clock.advance();
    return this.#snapshots.get(identifier);
  }

  /** Adds a snapshot of an existing instance without the API's checks (only the identifier must be free). */
  addSnapshot(options: AddDbSnapshotOptions): DBSnapshot {
    this.#ctx.clock.advance();
    const record = this.#instances.get(options.DBInstanceIdentifier.toLowerCase());
    if (!record) throw new Error(`simulated RDS: no DB instance ${options.DBInstanceIdentifier}`);
    if (this.#snapshots.has(options.DBSnapshotIdentifier)) {
      throw new Error(`simulated RDS: DB snapshot ${options.DBSnapshotIdentifier} exists already`);
    }
    const status = options.status ?? "available";
    const spec = {
      id: options.DBSnapshotIdentifier,
      type: options.SnapshotType ?? "manual",
      source: this.#render(record),
      tags: options.Tags ?? [],
      durationMs: this.#timings.snapshotMs,
      startedAt: status === "creating" ? undefined : options.SnapshotCreateTime?.getTime(),
      masterPassword: record.input.MasterUserPassword,
    };
    return this.#snapshots.add(spec, status);
  }

  /**
   * Fails a snapshot now: status "failed", PercentProgress where it stopped. The instance a manual snapshot was
   * backing up is "available" again.
   */
  failSnapshot(identifier: string): DBSnapshot {
    this.#ctx.clock.advance();
    return this.#snapshots.fail(identifier);
  }

  /**
   * The next snapshot started that matches (CreateDBSnapshot, a final snapshot, an automated one; default any) ends
   * "failed" instead of "available", when it would have completed. Several calls script several failures.
   */
  scriptSnapshotFailure(match: RdsSnapshotFailureMatch = {}): void {
    this.#snapshots.scriptFailure(match);
  }

  // ===============================================================================================
  // API

  createDBInstance(input: CreateDBInstanceCommandInput): CreateDBInstanceResult {
    this.#ctx.clock.advance();
    const id = this.#checkNewIdentifier(input.DBInstanceIdentifier);
    if (input.Engine !== "mysql") throw this.#invalidValue("Invalid DB engine");
    if (!input.MasterUsername) {
      throw this.#invalidValue("The parameter MasterUsername must be provided and must not be blank.");
    }
    if (!input.ManageMasterUserPassword) this.#checkPassword(input.MasterUserPassword);
    const version = this.#resolveVersion(input.EngineVersion);
    if (!version) {
      throw this.#combination(`Cannot find version ${input.EngineVersion} for ${input.Engine}`);
    }
    const instanceClass = input.DBInstanceClass ?? "";
    if (!this.classesFor(version.version).includes(instanceClass)) {
      throw this.#combination(
        `RDS does not support creating a DB instance with the following combination: DBInstanceClass=${instanceClass}, ` +
          `Engine=${input.Engine}, EngineVersion=${version.version}, LicenseModel=general-public-license. ` +
          "For supported combinations of instance class and database engine version, see the documentation.",
      );
    }
    const record = this.#newRecord(id, clone(input), version.version);
    this.#instances.set(id, record);
    this.#scheduleLifecycle(record);
    return { DBInstance: this.#render(record) };
  }

  /**
   * A new instance from an "available" snapshot: "creating" for `restoringMs`, then as a created instance. It keeps
   * the snapshot's master password (rds-restore.ts says what else it takes from where).
   */
  restoreDBInstanceFromDBSnapshot(
    input: RestoreDBInstanceFromDBSnapshotCommandInput,
  ): RestoreDBInstanceFromDBSnapshotResult {
    this.#ctx.clock.advance();
    const unmodelled = unmodelledRestoreParameters(input);
    if (unmodelled.length > 0) {
      throw new Error(
        `simulated RDS does not implement RestoreDBInstanceFromDBSnapshot's ${unmodelled.join(", ")}`,
      );
    }
    const id = this.#checkNewIdentifier(input.DBInstanceIdentifier);
    const snapshotId = input.DBSnapshotIdentifier;
    if (!snapshotId) {
      throw this.#invalidValue("The parameter DBSnapshotIdentifier must be provided and must not be blank.");
    }
    const snapshot = this.#snapshots.contents(snapshotId);
    if (!snapshot) throw this.#snapshots.notFound(snapshotId);
    if (snapshot.status !== "available") {
      throw this.#modeled(
        InvalidDBSnapshotStateFault,
        "InvalidDBSnapshotState",
        `Snapshot ${snapshot.id} is not in available state.`,
        400,
      );
    }
    const created = restoredInstanceInput(input, snapshot);
    const version = created.EngineVersion ?? "";
    const instanceClass = created.DBInstanceClass ?? "";
    if (!this.classesFor(version).includes(instanceClass)) {
      throw this.#combination(
        `RDS does not support creating a DB instance with the following combination: DBInstanceClass=${instanceClass}, ` +
          `Engine=${created.Engine}, EngineVersion=${version}, LicenseModel=general-public-license. ` +
          "For supported combinations of instance class and database engine version, see the documentation.",
      );
    }
    const record = this.#newRecord(id, created, version);
    record.restoredFrom = snapshot.id;
    this.#instances.set(id, record);
    this.#scheduleLifecycle(record, this.#timings.restoringMs);
    return { DBInstance: this.#render(record) };
  }

  /**
   * Only MasterUserPassword (with ApplyImmediately or not: RDS applies it "as soon as possible" either way),
   * DeletionProtection and CopyTagsToSnapshot. A new password: "resetting-master-credentials" for `resettingMs`,
   * then "available" with the new password.
   */
  modifyDBInstance(input: ModifyDBInstanceCommandInput): ModifyDBInstanceResult {
    this.#ctx.clock.advance();
    const others = Object.entries(input).filter(
      ([key, value]) => value !== undefined && !MODIFIABLE.includes(key),
    );
    if (others.length > 0) {
      const names = others.map(([key]) => key).join(", ");
      throw new Error(`simulated RDS does not implement ModifyDBInstance's ${names}`);
    }
    const given = input.DBInstanceIdentifier ?? "";
    const record = this.#instances.get(this.#idOf(given));
    if (!record) throw this.#instanceNotFound(given);
    if (record.status !== "available") {
      throw this.#invalidInstanceState("Database instance is not in available state.");
    }
    const password = input.MasterUserPassword;
    if (password !== undefined) this.#checkPassword(password);
    if (input.DeletionProtection !== undefined) record.input.DeletionProtection = input.DeletionProtection;
    if (input.CopyTagsToSnapshot !== undefined) record.input.CopyTagsToSnapshot = input.CopyTagsToSnapshot;
    if (password !== undefined) {
      record.passwordPending = true;
      record.status = "resetting-master-credentials";
      const generation = record.generation;
      this.#ctx.clock.after(this.#timings.resettingMs, `RDS ${record.id} credentials reset`, () => {
        if (!this.#current(record, generation)) return;
        record.input.MasterUserPassword = password;
        record.passwordPending = false;
        if (record.status === "resetting-master-credentials") record.status = "available";
      });
    }
    return { DBInstance: this.#render(record) };
  }

  describeDBInstances(input: DescribeDBInstancesCommandInput = {}): DBInstanceMessage {
    this.#ctx.clock.advance();
    let selected = [...this.#instances.values()];
    if (input.DBInstanceIdentifier !== undefined) {
      const id = this.#idOf(input.DBInstanceIdentifier);
      const record = this.#instances.get(id);
      if (!record) throw this.#instanceNotFound(input.DBInstanceIdentifier);
      selected = [record];
    }
    for (const filter of input.Filters ?? []) selected = selected.filter(this.#instanceFilter(filter));
    const { page, nextToken } = this.#page(selected, input);
    return compact({ DBInstances: page.map((record) => this.#render(record)), Marker: nextToken });
  }

  describeDBEngineVersions(input: DescribeDBEngineVersionsCommandInput = {}): DBEngineVersionMessage {
    this.#ctx.clock.advance();
    let selected = input.Engine === undefined || input.Engine === "mysql" ? this.#versions : [];
    if (!input.IncludeAll) selected = selected.filter((record) => record.status === "available");
    if (input.EngineVersion !== undefined) {
      const wanted = input.EngineVersion;
      selected = selected.filter((record) => versionMatches(record.version, wanted));
    }
    if (input.DefaultOnly) {
      const defaults = selected.filter((record) => record.isDefault);
      selected = defaults.length > 0 ? defaults : selected.slice(-1);
    }
    const { page, nextToken } = this.#page(selected, input);
    return compact({
      DBEngineVersions: page.map((record) => this.#renderVersion(record)),
      Marker: nextToken,
    });
  }

  describeOrderableDBInstanceOptions(
    input: DescribeOrderableDBInstanceOptionsCommandInput,
  ): OrderableDBInstanceOptionsMessage {
    this.#ctx.clock.advance();
    const options: OrderableDBInstanceOption[] = [];
    const licenseOk = input.LicenseModel === undefined || input.LicenseModel === "general-public-license";
    if (input.Engine === "mysql" && licenseOk && input.Vpc !== false) {
      for (const version of this.#versions) {
        if (version.status !== "available") continue;
        if (input.EngineVersion !== undefined && !versionMatches(version.version, input.EngineVersion))
          continue;
        for (const instanceClass of this.classesFor(version.version)) {
          if (input.DBInstanceClass !== undefined && input.DBInstanceClass !== instanceClass) continue;
          for (const storageType of STORAGE_TYPES) {
            options.push(this.#renderOrderable(version.version, instanceClass, storageType));
          }
        }
      }
    }
    const { page, nextToken } = this.#page(options, input);
    return compact({ OrderableDBInstanceOptions: page, Marker: nextToken });
  }

  /** A manual snapshot: "creating" for `snapshotMs`, the instance "backing-up" meanwhile, then both "available". */
  createDBSnapshot(input: CreateDBSnapshotCommandInput): CreateDBSnapshotResult {
    this.#ctx.clock.advance();
    const snapshotId = input.DBSnapshotIdentifier ?? "";
    this.#snapshots.checkNew("DBSnapshotIdentifier", snapshotId);
    const given = input.DBInstanceIdentifier ?? "";
    const record = this.#instances.get(this.#idOf(given));
    if (!record) throw this.#instanceNotFound(given);
    if (!SNAPSHOT_SOURCE_STATES.includes(record.status)) {
      throw this.#invalidInstanceState(
        `Cannot create a snapshot because the database instance ${record.id} is not currently in the available state.`,
      );
    }
    const generation = record.generation;
    const before = record.status;
    const snapshot = this.#snapshots.start({
      id: snapshotId,
      type: "manual",
      source: this.#render(record),
      tags: input.Tags ?? [],
      durationMs: this.#timings.snapshotMs,
      masterPassword: record.input.MasterUserPassword,
      onSettled: () => {
        if (this.#current(record, generation) && record.status === "backing-up") record.status = before;
      },
    });
    record.status = "backing-up";
    return { DBSnapshot: snapshot };
  }

  describeDBSnapshots(input: DescribeDBSnapshotsCommandInput = {}): DBSnapshotMessage {
    this.#ctx.clock.advance();
    return this.#snapshots.describe(input);
  }

  deleteDBSnapshot(input: DeleteDBSnapshotCommandInput): DeleteDBSnapshotResult {
    this.#ctx.clock.advance();
    return this.#snapshots.delete(input);
  }

  /**
   * "deleting" at once; with a final snapshot the instance is deleted `deletingMs` after that snapshot is available
   * (and is "available" again if it fails), without one `deletingMs` from now. Its automated snapshots go with it
   * unless DeleteAutomatedBackups is false.
   */
  deleteDBInstance(input: DeleteDBInstanceCommandInput): DeleteDBInstanceResult {
    this.#ctx.clock.advance();
    const given = input.DBInstanceIdentifier ?? "";
    const record = this.#instances.get(this.#idOf(given));
    if (!record) throw this.#instanceNotFound(given);
    if (record.status === "deleting") {
      throw this.#invalidInstanceState(`Instance ${record.id} is already being deleted.`);
    }
    const skip = input.SkipFinalSnapshot ?? false;
    const finalId = input.FinalDBSnapshotIdentifier;
    if (!skip && record.status === "creating") {
      throw this.#invalidInstanceState(
        `Instance ${record.id} is currently creating - a final snapshot cannot be taken.`,
      );
    }
    if (!skip && !finalId) {
      throw this.#combination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
    }
    if (skip && finalId) {
      throw this.#combination(
        "FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is specified.",
      );
    }
    if (record.input.DeletionProtection) {
      throw this.#combination(
        "Cannot delete protected DB Instance, please disable deletion protection and try again.",
      );
    }
    if (!skip && finalId) {
      this.#snapshots.checkNew("FinalDBSnapshotIdentifier", finalId);
      if (!SNAPSHOT_SOURCE_STATES.includes(record.status)) {
        throw this.#invalidInstanceState(
          `Cannot create a snapshot because the database instance ${record.id} is not currently in the available state.`,
        );
      }
    }
    record.generation += 1;
    const generation = record.generation;
    const source = this.#render(record);
    const before = record.status;
    record.status = "deleting";
    const deleteAutomated = input.DeleteAutomatedBackups ?? true;
    const scheduleRemoval = () =>
      this.#ctx.clock.after(this.#timings.deletingMs, `RDS ${record.id} deleted`, () => {
        if (!this.#current(record, generation)) return;
        this.#instances.delete(record.id);
        if (deleteAutomated) this.#snapshots.removeAutomated(record.id);
      });
    if (skip || !finalId) {
      scheduleRemoval();
    } else {
      this.#snapshots.start({
        id: finalId,
        type: "manual",
        source,
        tags: record.input.CopyTagsToSnapshot ? (record.input.Tags ?? []) : [],
        durationMs: this.#timings.snapshotMs,
        masterPassword: record.input.MasterUserPassword,
        onSettled: (status) => {
          if (!this.#current(record, generation)) return;
          if (status === "available") scheduleRemoval();
          else record.status = before;
        },
      });
    }
    return { DBInstance: this.#render(record) };
  }

  // ===============================================================================================
  // Internals

  #newRecord(id: string, input: CreateDBInstanceCommandInput, engineVersion: string): DbInstanceRecord {
    const subnetGroup = this.#subnetGroup(input.DBSubnetGroupName);
    const securityGroupIds = this.#securityGroups(input.VpcSecurityGroupIds, subnetGroup?.VpcId);
    return {
      id,
      input: { ...input, DBInstanceIdentifier: id },
      engineVersion,
      status: "creating",
      availabilityZone: undefined,
      instanceCreateTime: undefined,
      resourceId: `db-${this.#ctx.ids.hex(26).toUpperCase()}`,
      subnetGroup,
      securityGroupIds,
      generation: 0,
    };
  }

  /** creating → (creatingMs) → backing-up → (backingUpMs) → available; without backups straight to available. */
  #scheduleLifecycle(record: DbInstanceRecord, creatingMs = this.#timings.creatingMs): void {
    const generation = record.generation;
    this.#ctx.clock.after(creatingMs, `RDS ${record.id} created`, () => {
      if (record.generation !== generation || !this.#instances.has(record.id)) return;
      this.#finishCreating(record);
      if (this.#retention(record) === 0) {
        record.status = "available";
        return;
      }
      this.#scheduleBackup(record);
    });
  }

  /** The first backup: the instance is "backing-up" while its automated snapshot is taken. */
  #scheduleBackup(record: DbInstanceRecord): void {
    const generation = record.generation;
    if (this.#retention(record) > 0) {
      const startedAt = this.#ctx.clock.now();
      const id = automatedSnapshotId(record.id, startedAt);
      if (!this.#snapshots.has(id)) {
        this.#snapshots.start({
          id,
          type: "automated",
          source: this.#render(record),
          durationMs: this.#timings.backingUpMs,
          masterPassword: record.input.MasterUserPassword,
        });
      }
    }
    this.#ctx.clock.after(this.#timings.backingUpMs, `RDS ${record.id} backed up`, () => {
      if (record.generation === generation && this.#instances.has(record.id)) record.status = "available";
    });
  }

  /** An instance that skipped the lifecycle (added or moved by a test) has its first automated snapshot already. */
  #addAutomatedSnapshot(record: DbInstanceRecord): void {
    if (this.#retention(record) === 0 || record.status === "failed" || record.status === "backing-up") return;
    const id = automatedSnapshotId(record.id, this.#ctx.clock.now());
    if (this.#snapshots.has(id)) return;
    const spec = {
      id,
      type: "automated" as const,
      source: this.#render(record),
      durationMs: 0,
      masterPassword: record.input.MasterUserPassword,
    };
    this.#snapshots.add(spec, "available");
  }

  #retention(record: DbInstanceRecord): number {
    return record.input.BackupRetentionPeriod ?? 1;
  }

  /** Whether `record` is still the instance of that name and nothing reset it since `generation`. */
  #current(record: DbInstanceRecord, generation: number): boolean {
    return record.generation === generation && this.#instances.get(record.id) === record;
  }

  /** The instance exists: it has an Availability Zone, a creation time and its endpoint, and takes its first backup. */
  #finishCreating(record: DbInstanceRecord): void {
    const zones = (record.subnetGroup?.Subnets ?? []).flatMap(
      (subnet) => subnet.SubnetAvailabilityZone?.Name ?? [],
    );
    record.availabilityZone = record.input.AvailabilityZone ?? zones[0] ?? `${this.#ctx.region}a`;
    record.instanceCreateTime = this.#ctx.clock.date();
    record.status = "backing-up";
  }

  /** The lowercase identifier of a new instance, or RDS's InvalidParameterValue / DBInstanceAlreadyExists. */
  #checkNewIdentifier(given = ""): string {
    if (!IDENTIFIER.test(given) || given.length > 63) {
      throw this.#invalidValue(
        "The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; " +
          "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two " +
          "consecutive hyphens.",
      );
    }
    const id = given.toLowerCase();
    if (this.#instances.has(id)) {
      throw this.#modeled(
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
      throw this.#invalidValue("The parameter MasterUserPassword must be provided and must not be blank.");
    }
    if (password.length < 8) {
      throw this.#invalidValue(
        "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.",
      );
    }
    if (password.length > 41) {
      throw this.#invalidValue(
        "The parameter MasterUserPassword is not a valid password because it is longer than 41 characters.",
      );
    }
    if (!PASSWORD_CHARACTERS.test(password) || /[/"@]/.test(password)) {
      throw this.#invalidValue(
        "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides " +
          "'/', '@', '\"', ' ' may be used.",
      );
    }
  }

  /** A version RDS would create for `requested`: the default one, an exact match, or the default/newest of a major. */
  #resolveVersion(requested: string | undefined): EngineVersionRecord | undefined {
    const available = this.#versions.filter((record) => record.status === "available");
    if (requested === undefined) return available.find((record) => record.isDefault) ?? available.at(-1);
    const exact = available.find((record) => record.version === requested);
    if (exact) return exact;
    const family = available.filter((record) => versionMatches(record.version, requested));
    return family.find((record) => record.isDefault) ?? family.at(-1);
  }

  #subnetGroup(name: string | undefined): DBSubnetGroup | undefined {
    if (!this.#network) return undefined;
    const key = (name ?? "default").toLowerCase();
    const subnets = this.#network.subnets();
    let vpcId: string | undefined;
    let members: Subnet[];
    let description: string;
    const custom = this.#subnetGroups.get(key);
    if (custom) {
      members = subnets.filter((subnet) => custom.subnetIds.includes(subnet.SubnetId ?? ""));
      vpcId = members[0]?.VpcId;
      description = custom.description;
    } else if (key === "default") {
      vpcId = this.#network.vpcs().find((vpc) => vpc.IsDefault)?.VpcId;
      if (!vpcId) return undefined;
      members = subnets.filter((subnet) => subnet.VpcId === vpcId);
      description = "default";
    } else {
      throw this.#modeled(
        DBSubnetGroupNotFoundFault,
        "DBSubnetGroupNotFoundFault",
        `DBSubnetGroup '${name}' not found.`,
        404,
      );
    }
    return {
      DBSubnetGroupName: key,
      DBSubnetGroupDescription: description,
      VpcId: vpcId,
      SubnetGroupStatus: "Complete",
      Subnets: members.map((subnet) => ({
        SubnetIdentifier: subnet.SubnetId,
        SubnetAvailabilityZone: { Name: subnet.AvailabilityZone },
        SubnetOutpost: {},
        SubnetStatus: "Active",
      })),
      SupportedNetworkTypes: ["IPV4"],
    };
  }

  #securityGroups(requested: string[] | undefined, vpcId: string | undefined): string[] {
    if (!this.#network) return [...(requested ?? [])];
    const groups = this.#network.securityGroups();
    if (requested === undefined || requested.length === 0) {
      const fallback = groups.find(
        (group) => group.VpcId === vpcId && group.GroupName === "default",
      )?.GroupId;
      return fallback ? [fallback] : [];
    }
    for (const id of requested) {
      const group = groups.find((candidate) => candidate.GroupId === id);
      if (!group) throw this.#invalidValue(`Invalid security group , groupId= ${id}, groupName=.`);
      if (vpcId !== undefined && group.VpcId !== vpcId) {
        throw this.#combination(
          `The DB instance and EC2 security group are in different VPCs. The DB instance is in ${vpcId} and the EC2 security group is in ${group.VpcId}`,
        );
      }
    }
    return [...requested];
  }

  #idOf(identifierOrArn: string): string {
    const arn = /^arn:aws[\w-]*:rds:[\w-]+:\d{12}:db:(.+)$/.exec(identifierOrArn);
    return (arn?.[1] ?? identifierOrArn).toLowerCase();
  }

  #instanceFilter(filter: Filter): (record: DbInstanceRecord) => boolean {
    const values = filter.Values ?? [];
    switch (filter.Name) {
      case "engine":
        return (record) => values.includes(record.input.Engine ?? "");
      case "db-instance-id": {
        const ids = values.map((value) => this.#idOf(value));
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

  #page<T>(items: readonly T[], input: { MaxRecords?: number | undefined; Marker?: string | undefined }) {
    return paginate(
      items,
      { maxResults: input.MaxRecords, nextToken: input.Marker },
      { defaultMax: 100, invalidToken: () => this.#invalidValue(`Invalid marker: ${input.Marker}`) },
    );
  }

  #arn(id: string): string {
    return `arn:aws:rds:${this.#ctx.region}:${this.#ctx.accountId}:db:${id}`;
  }

  #render(record: DbInstanceRecord): DBInstance {
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
            Address: `${record.id}.${this.#endpointInfix}.${this.#ctx.region}.rds.amazonaws.com`,
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
        ? (input.KmsKeyId ?? `arn:aws:kms:${this.#ctx.region}:${this.#ctx.accountId}:key/aws-rds-default`)
        : undefined,
      DbiResourceId: record.resourceId,
      CACertificateIdentifier: "rds-ca-rsa2048-g1",
      CopyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
      MonitoringInterval: input.MonitoringInterval ?? 0,
      DBInstanceArn: this.#arn(record.id),
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

  #renderVersion(record: EngineVersionRecord): DBEngineVersion {
    const major = majorOf(record.version);
    return {
      Engine: "mysql",
      EngineVersion: record.version,
      DBParameterGroupFamily: `mysql${major}`,
      DBEngineDescription: "MySQL Community Edition",
      DBEngineVersionDescription: `MySQL ${record.version}`,
      MajorEngineVersion: major,
      Status: record.status,
      ValidUpgradeTarget: [],
      ExportableLogTypes: ["audit", "error", "general", "slowquery"],
      SupportsLogExportsToCloudwatchLogs: true,
      SupportsReadReplica: true,
      SupportedEngineModes: [],
      SupportedFeatureNames: [],
      SupportsParallelQuery: false,
      SupportsGlobalDatabases: false,
      SupportsBabelfish: false,
      SupportsCertificateRotationWithoutRestart: true,
      SupportedCACertificateIdentifiers: ["rds-ca-ecc384-g1", "rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1"],
      SupportsLocalWriteForwarding: false,
      SupportsIntegrations: false,
    };
  }

  #renderOrderable(version: string, instanceClass: string, storageType: string): OrderableDBInstanceOption {
    const provisionedIops = storageType === "io1";
    return {
      Engine: "mysql",
      EngineVersion: version,
      DBInstanceClass: instanceClass,
      LicenseModel: "general-public-license",
      AvailabilityZoneGroup: this.#ctx.region,
      AvailabilityZones: ["a", "b", "c"].map((zone) => ({ Name: `${this.#ctx.region}${zone}` })),
      MultiAZCapable: true,
      ReadReplicaCapable: true,
      Vpc: true,
      SupportsStorageEncryption: true,
      StorageType: storageType,
      SupportsIops: provisionedIops || storageType === "gp3",
      SupportsEnhancedMonitoring: true,
      SupportsIAMDatabaseAuthentication: true,
      SupportsPerformanceInsights: !instanceClass.startsWith("db.t2"),
      MinStorageSize: storageType === "standard" ? 5 : 20,
      MaxStorageSize: storageType === "standard" ? 3072 : 65536,
      SupportedEngineModes: ["provisioned"],
      SupportsStorageAutoscaling: storageType !== "standard",
      SupportsKerberosAuthentication: false,
      OutpostCapable: false,
      SupportedNetworkTypes: ["IPV4", "DUAL"],
      SupportsGlobalDatabases: false,
      SupportsClusters: false,
      SupportsStorageThroughput: storageType === "gp3",
      SupportsDedicatedLogVolume: false,
    };
  }

  #invalidValue(message: string): Error {
    return queryUnmodeledError(RDSServiceException, {
      name: "InvalidParameterValue",
      message,
      httpStatusCode: 400,
      ids: this.#ctx.ids,
    });
  }

  #instanceNotFound(given: string): Error {
    return this.#modeled(
      DBInstanceNotFoundFault,
      "DBInstanceNotFound",
      `DBInstance ${given} not found.`,
      404,
    );
  }

  #invalidInstanceState(message: string): Error {
    return this.#modeled(InvalidDBInstanceStateFault, "InvalidDBInstanceState", message, 400);
  }

  #combination(message: string): Error {
    return queryUnmodeledError(RDSServiceException, {
      name: "InvalidParameterCombination",
      message,
      httpStatusCode: 400,
      ids: this.#ctx.ids,
    });
  }

  #modeled<E extends Error>(
    Exception: ModeledExceptionClass<E>,
    code: string,
    message: string,
    status: number,
  ): E {
    return queryModeledError(Exception, { code, message, httpStatusCode: status, ids: this.#ctx.ids });
  }
}

/** "8.0" for "8.0.39". */
function majorOf(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/** Whether `version` is `pattern` or starts with it on a dot boundary ("8.0" matches "8.0.39", not "8.01"). */
function versionMatches(version: string, pattern: string): boolean {
  return version === pattern || version.startsWith(`${pattern}.`);
}

function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The RDS commands the simulator answers: operation name → [SDK command class, RdsSimulator method]. */
export const rdsCommands = {
  CreateDBInstance: [CreateDBInstanceCommand, "createDBInstance"],
  DescribeDBInstances: [DescribeDBInstancesCommand, "describeDBInstances"],
  DescribeDBEngineVersions: [DescribeDBEngineVersionsCommand, "describeDBEngineVersions"],
  DescribeOrderableDBInstanceOptions: [
    DescribeOrderableDBInstanceOptionsCommand,
    "describeOrderableDBInstanceOptions",
  ],
  DeleteDBInstance: [DeleteDBInstanceCommand, "deleteDBInstance"],
  CreateDBSnapshot: [CreateDBSnapshotCommand, "createDBSnapshot"],
  DescribeDBSnapshots: [DescribeDBSnapshotsCommand, "describeDBSnapshots"],
  DeleteDBSnapshot: [DeleteDBSnapshotCommand, "deleteDBSnapshot"],
  RestoreDBInstanceFromDBSnapshot: [
    RestoreDBInstanceFromDBSnapshotCommand,
    "restoreDBInstanceFromDBSnapshot",
  ],
  ModifyDBInstance: [ModifyDBInstanceCommand, "modifyDBInstance"],
} as const satisfies Record<string, readonly [unknown, keyof RdsSimulator]>;

export type RdsCommandName = keyof typeof rdsCommands;

export type RdsInput<N extends RdsCommandName> = RdsSimulator[(typeof rdsCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

export type RdsInputs = { [N in RdsCommandName]: RdsInput<N> };

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
 *
 * `RdsSimulator` is what the rest of the simulated AWS and the tests see. Parts sharing one `RdsState`
 * (rds-state.ts) do the work: engine versions (rds-engine-versions.ts), DB instances (rds-instances.ts, their
 * lifecycle: rds-lifecycle.ts, network: rds-network.ts), their snapshots (rds-instance-snapshots.ts,
 * rds-snapshots.ts) and deletion (rds-teardown.ts).
 */
import type * as Rds from "@aws-sdk/client-rds";
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  ModifyDBInstanceCommand,
  RDSServiceException,
  RestoreDBInstanceFromDBSnapshotCommand,
} from "@aws-sdk/client-rds";
import { createSimContext, type SimContext } from "./core.js";
import { queryProtocolFaultError, type ServiceErrorProfile } from "./errors.js";
import {
  type RdsEngineVersionSpec,
  RdsEngineVersions,
  type RdsOrderableRule,
} from "./rds-engine-versions.js";
import { RdsInstanceSnapshots } from "./rds-instance-snapshots.js";
import { type AddDbInstanceOptions, RdsInstances } from "./rds-instances.js";
import type { AddDbSnapshotOptions, RdsSnapshotFailureMatch, RdsSnapshotType } from "./rds-snapshots.js";
import { type RdsSimulatorOptions, RdsState, type RdsTimings } from "./rds-state.js";
import { RdsTeardown } from "./rds-teardown.js";

export {
  defaultMysqlVersions,
  defaultOrderableRules,
  type RdsEngineVersionSpec,
  type RdsOrderableRule,
} from "./rds-engine-versions.js";
export type { AddDbInstanceOptions } from "./rds-instances.js";
export {
  defaultRdsTimings,
  type RdsNetwork,
  type RdsSimulatorOptions,
  type RdsTimings,
} from "./rds-state.js";

export class RdsSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #state: RdsState;
  readonly #engineVersions: RdsEngineVersions;
  readonly #instances: RdsInstances;
  readonly #instanceSnapshots: RdsInstanceSnapshots;
  readonly #teardown: RdsTeardown;

  constructor(context: SimContext = createSimContext(), options: RdsSimulatorOptions = {}) {
    const state = new RdsState(context, options);
    this.#state = state;
    this.#engineVersions = new RdsEngineVersions(state, options);
    this.#instances = new RdsInstances(state, this.#engineVersions);
    this.#instanceSnapshots = new RdsInstanceSnapshots(state);
    this.#teardown = new RdsTeardown(state);
    const profile = {
      service: "RDS",
      iamPrefix: "rds",
      BaseException: RDSServiceException,
      resourceArn: (_command: string, input: unknown) => {
        const given = input as { DBInstanceIdentifier?: string; DBSnapshotIdentifier?: string } | undefined;
        const snapshot = given?.DBSnapshotIdentifier?.toLowerCase();
        const id = given?.DBInstanceIdentifier;
        if (snapshot) return `arn:aws:rds:${context.region}:${context.accountId}:snapshot:${snapshot}`;
        return id ? state.arn(id.toLowerCase()) : "*";
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
    return this.#state.timings;
  }

  /** Changes the lifecycle timings for instances, snapshots and deletions started from now on. */
  setTimings(timings: Partial<RdsTimings>): void {
    this.#state.timings = { ...this.#state.timings, ...timings };
  }

  /**
   * The MySQL versions the region offers, e.g. `setEngineVersions(["8.0.35", "8.0.39"])` for a region without
   * 5.7. The default version is the one marked `default: true`, else the newest.
   */
  setEngineVersions(versions: readonly RdsEngineVersionSpec[]): void {
    this.#engineVersions.setEngineVersions(versions);
  }

  /** Which instance classes can be ordered for which versions (replaces the rules). */
  setOrderableOptions(rules: readonly RdsOrderableRule[]): void {
    this.#engineVersions.setOrderableOptions(rules);
  }

  /** The instance classes offered for a version, as DescribeOrderableDBInstanceOptions lists them. */
  classesFor(engineVersion: string): string[] {
    return this.#engineVersions.classesFor(engineVersion);
  }

  /** A DB subnet group other than "default" (which is the default VPC's subnets). */
  addDBSubnetGroup(name: string, subnetIds: readonly string[], description = name): void {
    this.#instances.addDBSubnetGroup(name, subnetIds, description);
  }

  /** Adds a DB instance without going through the API or its checks (only the identifier must be free). */
  addInstance(options: AddDbInstanceOptions): Rds.DBInstance {
    return this.#instances.addInstance(options);
  }

  /** Moves an instance to another status at once (e.g. "stopped"); pending lifecycle steps are dropped. */
  setInstanceStatus(identifier: string, status: string): Rds.DBInstance {
    return this.#instances.setInstanceStatus(identifier, status);
  }

  /** A DB instance as DescribeDBInstances renders it, or undefined. */
  instance(identifier: string): Rds.DBInstance | undefined {
    return this.#instances.instance(identifier);
  }

  /** Every DB instance, as DescribeDBInstances renders them. */
  instances(): Rds.DBInstance[] {
    return this.#instances.instances();
  }

  /**
   * Everything CreateDBInstance (or `addInstance`) was given for an instance, including the
   * `MasterUserPassword` that RDS never shows again.
   */
  createInput(identifier: string): Rds.CreateDBInstanceCommandInput | undefined {
    return this.#instances.createInput(identifier);
  }

  /** The master password the instance has now (RDS never returns it; tests only). */
  masterPassword(identifier: string): string | undefined {
    return this.#instances.masterPassword(identifier);
  }

  /** The snapshot an instance was restored from (lowercase identifier), or undefined. */
  restoredFrom(identifier: string): string | undefined {
    return this.#instances.restoredFrom(identifier);
  }

  /** Every DB snapshot (manual and automated, in the order taken), as DescribeDBSnapshots renders them. */
  snapshots(
    filter: { DBInstanceIdentifier?: string; SnapshotType?: RdsSnapshotType } = {},
  ): Rds.DBSnapshot[] {
    this.#state.ctx.clock.advance();
    return this.#state.snapshots.list(filter);
  }

  /** A DB snapshot as DescribeDBSnapshots renders it, or undefined. */
  snapshot(identifier: string): Rds.DBSnapshot | undefined {
    this.#state.ctx.clock.advance();
    return this.#state.snapshots.get(identifier);
  }

  /** Adds a snapshot of an existing instance without the API's checks (only the identifier must be free). */
  addSnapshot(options: AddDbSnapshotOptions): Rds.DBSnapshot {
    return this.#instanceSnapshots.addSnapshot(options);
  }

  /**
   * Fails a snapshot now: status "failed", PercentProgress where it stopped. The instance a manual snapshot was
   * backing up is "available" again.
   */
  failSnapshot(identifier: string): Rds.DBSnapshot {
    this.#state.ctx.clock.advance();
    return this.#state.snapshots.fail(identifier);
  }

  /**
   * The next snapshot started that matches (CreateDBSnapshot, a final snapshot, an automated one; default any) ends
   * "failed" instead of "available", when it would have completed. Several calls script several failures.
   */
  scriptSnapshotFailure(match: RdsSnapshotFailureMatch = {}): void {
    this.#state.snapshots.scriptFailure(match);
  }

  // ===============================================================================================
  // API (rds-instances.ts, rds-engine-versions.ts, rds-instance-snapshots.ts, rds-snapshots.ts, rds-teardown.ts)

  createDBInstance(input: Rds.CreateDBInstanceCommandInput): Rds.CreateDBInstanceResult {
    return this.#instances.createDBInstance(input);
  }

  /** A new instance from an "available" snapshot (rds-instances.ts). */
  restoreDBInstanceFromDBSnapshot(
    input: Rds.RestoreDBInstanceFromDBSnapshotCommandInput,
  ): Rds.RestoreDBInstanceFromDBSnapshotResult {
    return this.#instances.restoreDBInstanceFromDBSnapshot(input);
  }

  /** Only MasterUserPassword, DeletionProtection and CopyTagsToSnapshot (rds-instances.ts). */
  modifyDBInstance(input: Rds.ModifyDBInstanceCommandInput): Rds.ModifyDBInstanceResult {
    return this.#instances.modifyDBInstance(input);
  }

  describeDBInstances(input: Rds.DescribeDBInstancesCommandInput = {}): Rds.DBInstanceMessage {
    return this.#instances.describeDBInstances(input);
  }

  describeDBEngineVersions(input: Rds.DescribeDBEngineVersionsCommandInput = {}): Rds.DBEngineVersionMessage {
    return this.#engineVersions.describeDBEngineVersions(input);
  }

  describeOrderableDBInstanceOptions(
    input: Rds.DescribeOrderableDBInstanceOptionsCommandInput,
  ): Rds.OrderableDBInstanceOptionsMessage {
    return this.#engineVersions.describeOrderableDBInstanceOptions(input);
  }

  /** A manual snapshot: "creating" for `snapshotMs`, the instance "backing-up" meanwhile, then both "available". */
  createDBSnapshot(input: Rds.CreateDBSnapshotCommandInput): Rds.CreateDBSnapshotResult {
    return this.#instanceSnapshots.createDBSnapshot(input);
  }

  describeDBSnapshots(input: Rds.DescribeDBSnapshotsCommandInput = {}): Rds.DBSnapshotMessage {
    this.#state.ctx.clock.advance();
    return this.#state.snapshots.describe(input);
  }

  deleteDBSnapshot(input: Rds.DeleteDBSnapshotCommandInput): Rds.DeleteDBSnapshotResult {
    this.#state.ctx.clock.advance();
    return this.#state.snapshots.delete(input);
  }

  /** "deleting" at once, then gone, after its final snapshot if any (rds-teardown.ts). */
  deleteDBInstance(input: Rds.DeleteDBInstanceCommandInput): Rds.DeleteDBInstanceResult {
    return this.#teardown.deleteDBInstance(input);
  }
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

/**
 * What the parts of the simulated RDS share (rds.ts wires them together): the DB instances, DB subnet groups
 * and snapshots, the timings in force, the EC2 networking instances use, and RDS's errors.
 */
import { createHash } from "node:crypto";
import type { SecurityGroup, Subnet, Vpc } from "@aws-sdk/client-ec2";
import {
  type CreateDBInstanceCommandInput,
  DBInstanceNotFoundFault,
  type DBSubnetGroup,
  InvalidDBInstanceStateFault,
  RDSServiceException,
} from "@aws-sdk/client-rds";
import { paginate, type SimContext } from "./core.js";
import { type ModeledExceptionClass, queryModeledError, queryUnmodeledError } from "./errors.js";
import { RdsSnapshots } from "./rds-snapshots.js";

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

/** What the RDS simulator needs to know about EC2 networking (the EC2 simulator provides it). */
export interface RdsNetwork {
  vpcs(): Vpc[];
  subnets(): Subnet[];
  securityGroups(): SecurityGroup[];
}

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

export interface RdsSimulatorOptions {
  timings?: Partial<RdsTimings>;
  engineVersions?: readonly RdsEngineVersionSpec[];
  orderable?: readonly RdsOrderableRule[];
  network?: RdsNetwork;
}

export interface EngineVersionRecord {
  version: string;
  isDefault: boolean;
  status: "available" | "deprecated";
}

export interface DbInstanceRecord {
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

export class RdsState {
  readonly ctx: SimContext;
  readonly network: RdsNetwork | undefined;
  /** Replaced by `RdsSimulator.setTimings`: what is already scheduled keeps its time. */
  timings: RdsTimings;
  readonly instances = new Map<string, DbInstanceRecord>();
  readonly subnetGroups = new Map<string, { subnetIds: string[]; description: string }>();
  readonly snapshots: RdsSnapshots;
  /** The account- and region-specific part of every endpoint, e.g. "c9akciq32lmq". */
  readonly endpointInfix: string;

  constructor(context: SimContext, options: RdsSimulatorOptions) {
    this.ctx = context;
    this.network = options.network;
    this.timings = { ...defaultRdsTimings, ...options.timings };
    this.snapshots = new RdsSnapshots(context);
    this.endpointInfix = createHash("sha256")
      .update(`${context.accountId}/${context.region}`)
      .digest("hex")
      .replace(/[0-9]/g, (digit) => "ghijklmnopqrstuvwxyz"[Number(digit)] ?? "a")
      .slice(0, 12);
  }

  /** A DB instance identifier or ARN, in lowercase. */
  idOf(identifierOrArn: string): string {
    const arn = /^arn:aws[\w-]*:rds:[\w-]+:\d{12}:db:(.+)$/.exec(identifierOrArn);
    return (arn?.[1] ?? identifierOrArn).toLowerCase();
  }

  page<T>(items: readonly T[], input: { MaxRecords?: number | undefined; Marker?: string | undefined }) {
    return paginate(
      items,
      { maxResults: input.MaxRecords, nextToken: input.Marker },
      { defaultMax: 100, invalidToken: () => this.invalidValue(`Invalid marker: ${input.Marker}`) },
    );
  }

  arn(id: string): string {
    return `arn:aws:rds:${this.ctx.region}:${this.ctx.accountId}:db:${id}`;
  }

  retention(record: DbInstanceRecord): number {
    return record.input.BackupRetentionPeriod ?? 1;
  }

  /** Whether `record` is still the instance of that name and nothing reset it since `generation`. */
  current(record: DbInstanceRecord, generation: number): boolean {
    return record.generation === generation && this.instances.get(record.id) === record;
  }

  invalidValue(message: string): Error {
    return queryUnmodeledError(RDSServiceException, {
      name: "InvalidParameterValue",
      message,
      httpStatusCode: 400,
      ids: this.ctx.ids,
    });
  }

  instanceNotFound(given: string): Error {
    return this.modeled(DBInstanceNotFoundFault, "DBInstanceNotFound", `DBInstance ${given} not found.`, 404);
  }

  invalidInstanceState(message: string): Error {
    return this.modeled(InvalidDBInstanceStateFault, "InvalidDBInstanceState", message, 400);
  }

  combination(message: string): Error {
    return queryUnmodeledError(RDSServiceException, {
      name: "InvalidParameterCombination",
      message,
      httpStatusCode: 400,
      ids: this.ctx.ids,
    });
  }

  modeled<E extends Error>(
    Exception: ModeledExceptionClass<E>,
    code: string,
    message: string,
    status: number,
  ): E {
    return queryModeledError(Exception, { code, message, httpStatusCode: status, ids: this.ctx.ids });
  }
}

/**
 * The MySQL versions the simulated RDS offers and which instance classes each can be ordered with:
 * DescribeDBEngineVersions and DescribeOrderableDBInstanceOptions, and the version a new instance gets.
 */
import type {
  DBEngineVersion,
  DBEngineVersionMessage,
  DescribeDBEngineVersionsCommandInput,
  DescribeOrderableDBInstanceOptionsCommandInput,
  OrderableDBInstanceOption,
  OrderableDBInstanceOptionsMessage,
} from "@aws-sdk/client-rds";
import { compact } from "./core.js";
import type { EngineVersionRecord, RdsEngineVersionSpec, RdsOrderableRule, RdsState } from "./rds-state.js";

export type { RdsEngineVersionSpec, RdsOrderableRule } from "./rds-state.js";

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

const STORAGE_TYPES = ["gp2", "gp3", "io1", "standard"] as const;

export class RdsEngineVersions {
  readonly #state: RdsState;
  #versions: EngineVersionRecord[] = [];
  #orderable: RdsOrderableRule[];

  constructor(
    state: RdsState,
    options: { engineVersions?: readonly RdsEngineVersionSpec[]; orderable?: readonly RdsOrderableRule[] },
  ) {
    this.#state = state;
    this.setEngineVersions(options.engineVersions ?? defaultMysqlVersions);
    this.#orderable = [...(options.orderable ?? defaultOrderableRules)];
  }

  /** The MySQL versions the region offers; the default one is marked, else the newest. */
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

  /** A version RDS would create for `requested`: the default one, an exact match, or the default/newest of a major. */
  resolveVersion(requested: string | undefined): EngineVersionRecord | undefined {
    const available = this.#versions.filter((record) => record.status === "available");
    if (requested === undefined) return available.find((record) => record.isDefault) ?? available.at(-1);
    const exact = available.find((record) => record.version === requested);
    if (exact) return exact;
    const family = available.filter((record) => versionMatches(record.version, requested));
    return family.find((record) => record.isDefault) ?? family.at(-1);
  }

  describeDBEngineVersions(input: DescribeDBEngineVersionsCommandInput = {}): DBEngineVersionMessage {
    this.#state.ctx.clock.advance();
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
    const { page, nextToken } = this.#state.page(selected, input);
    return compact({
      DBEngineVersions: page.map((record) => this.#renderVersion(record)),
      Marker: nextToken,
    });
  }

  describeOrderableDBInstanceOptions(
    input: DescribeOrderableDBInstanceOptionsCommandInput,
  ): OrderableDBInstanceOptionsMessage {
    this.#state.ctx.clock.advance();
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
    const { page, nextToken } = this.#state.page(options, input);
    return compact({ OrderableDBInstanceOptions: page, Marker: nextToken });
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
      AvailabilityZoneGroup: this.#state.ctx.region,
      AvailabilityZones: ["a", "b", "c"].map((zone) => ({ Name: `${this.#state.ctx.region}${zone}` })),
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
}

/** "8.0" for "8.0.39". */
export function majorOf(version: string): string {
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

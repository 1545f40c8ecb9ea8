/**
 * Database snapshots: Model Catalogue migrates its MySQL schema when a new version starts, and rolling
 * back the image does not roll back the schema. Names, the database a JDBC URL points at, and the
 * commands that restore one. Pure.
 */
import { parseJdbcUrl } from "./environment.js";

const MAX_SNAPSHOT_ID_LENGTH = 255;

/** 2026-12-01T03:04:05Z → "20261201t030405z": RDS identifiers are lower case letters, digits, hyphens. */
export function snapshotTime(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "")
    .toLowerCase();
}

/**
 * "mcctl-model-catalogue-before-2-0-0-beta-11-20261201t030405z": what RDS accepts (a letter first,
 * letters, digits and single hyphens, at most 255, no hyphen at the end), whatever the tag holds.
 */
export function snapshotIdentifier(database: string, purpose: string, now: Date): string {
  const clean = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
  const time = snapshotTime(now);
  const head = `mcctl-${clean(database)}-${clean(purpose)}`.replace(/-+/g, "-").replace(/-$/, "");
  return `${head.slice(0, MAX_SNAPSHOT_ID_LENGTH - time.length - 1).replace(/-$/, "")}-${time}`;
}

/** The host a MySQL JDBC URL names, or undefined when it is not one mcctl can read. */
export function jdbcHost(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const parsed = parseJdbcUrl(url);
  return parsed.ok ? parsed.value.host.toLowerCase() : undefined;
}

/**
 * The RDS instance identifier an RDS endpoint names (`<identifier>.<id>.<region>.rds.amazonaws.com`, as
 * DescribeDBInstances gives Endpoint.Address); undefined for any other host.
 */
export function rdsIdentifierOf(host: string | undefined): string | undefined {
  if (!host || !/\.rds\.amazonaws\.com(\.cn)?$/.test(host)) return undefined;
  return host.split(".")[0] || undefined;
}

/** RDS snapshots an instance, a final snapshot included, only in these states (CreateDBSnapshot). */
export const SNAPSHOT_STATES: readonly string[] = ["available", "storage-optimization"];

/**
 * States RDS leaves on its own (RDS User Guide, "Viewing instance status"), during which it refuses a
 * snapshot with InvalidDBInstanceState: a final snapshot waits until they are over.
 */
export const PASSING_STATES: readonly string[] = [
  "creating",
  "backing-up",
  "modifying",
  "rebooting",
  "renaming",
  "resetting-master-credentials",
  "upgrading",
  "maintenance",
  "starting",
  "configuring-enhanced-monitoring",
  "configuring-iam-database-auth",
  "configuring-log-exports",
  "converting-to-vpc",
  "moving-to-vpc",
];

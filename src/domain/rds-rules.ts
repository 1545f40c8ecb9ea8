import { randomBytes } from "node:crypto";
import type { DBInstance } from "@aws-sdk/client-rds";
import { McctlError } from "../errors.js";

/**
 * What Amazon RDS for MySQL accepts when it creates a DB instance (CreateDBInstance's documented
 * constraints), checked before asking AWS so that a bad answer is caught at the prompt.
 * Validators return undefined when the value is acceptable, otherwise what is wrong with it; the
 * password validator never repeats the password.
 */

export const MASTER_PASSWORD_MIN = 8;
export const MASTER_PASSWORD_MAX = 41;

/**
 * MySQL's reserved words (5.7 and 8.0 together): RDS refuses them as master user and database names.
 * Lowercase; compared case-insensitively.
 */
const MYSQL_RESERVED_WORDS = new Set(
  `accessible add all alter analyze and as asc asensitive before between bigint binary blob both by call
  cascade case change char character check collate column condition constraint continue convert create
  cross cube cume_dist current_date current_time current_timestamp current_user cursor database databases
  day_hour day_microsecond day_minute day_second dec decimal declare default delayed delete dense_rank desc
  describe deterministic distinct distinctrow div double drop dual each else elseif empty enclosed escaped
  except exists exit explain false fetch first_value float float4 float8 for force foreign from fulltext
  function generated get grant group grouping groups having high_priority hour_microsecond hour_minute
  hour_second if ignore in index infile inner inout insensitive insert int int1 int2 int3 int4 int8 integer
  intersect interval into io_after_gtids io_before_gtids is iterate join json_table key keys kill lag
  last_value lateral lead leading leave left like limit linear lines load localtime localtimestamp lock long
  longblob longtext loop low_priority master_bind master_ssl_verify_server_cert match maxvalue mediumblob
  mediumint mediumtext middleint minute_microsecond minute_second mod modifies natural not
  no_write_to_binlog nth_value ntile null numeric of on optimize optimizer_costs option optionally or order
  out outer outfile over partition percent_rank precision primary procedure purge range rank read reads
  read_write real recursive references regexp release rename repeat replace require resignal restrict
  return revoke right rlike row rows row_number schema schemas second_microsecond select sensitive separator
  set show signal smallint spatial specific sql sqlexception sqlstate sqlwarning sql_big_result
  sql_calc_found_rows sql_small_result ssl starting stored straight_join system table terminated then
  tinyblob tinyint tinytext to trailing trigger true undo union unique unlock unsigned update usage use
  using utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying virtual when where
  while window with write xor year_month zerofill`.split(/\s+/),
);

/** Names RDS keeps for itself on MySQL instances. */
const RDS_RESERVED_USERS = new Set(["rdsadmin", "rdsrepladmin"]);

/** A DB instance identifier: 1–63 letters, digits or hyphens, a letter first, no "--", no "-" at the end. */
export function validateDbInstanceIdentifier(value: string): string | undefined {
  if (value.length < 1 || value.length > 63) return "must be 1 to 63 characters long";
  if (!/^[A-Za-z]/.test(value)) return "must start with a letter";
  if (!/^[A-Za-z0-9-]+$/.test(value)) return "may contain only letters, digits and hyphens";
  if (value.includes("--")) return "must not contain two hyphens in a row";
  if (value.endsWith("-")) return "must not end with a hyphen";
  return undefined;
}

/** The master user of RDS for MySQL: 1–16 letters, digits or underscores, a letter first, not reserved. */
export function validateMasterUsername(value: string): string | undefined {
  if (value.length < 1 || value.length > 16) return "must be 1 to 16 characters long";
  if (!/^[A-Za-z]/.test(value)) return "must start with a letter";
  if (!/^[A-Za-z0-9_]+$/.test(value)) return "may contain only letters, digits and underscores";
  const lower = value.toLowerCase();
  if (MYSQL_RESERVED_WORDS.has(lower)) return `"${value}" is a MySQL reserved word`;
  if (RDS_RESERVED_USERS.has(lower)) return `"${value}" is reserved by RDS`;
  return undefined;
}

/** The database RDS creates with the instance: 1–64 letters, digits or underscores, a letter first. */
export function validateDatabaseName(value: string): string | undefined {
  if (value.length < 1 || value.length > 64) return "must be 1 to 64 characters long";
  if (!/^[A-Za-z]/.test(value)) return "must start with a letter";
  if (!/^[A-Za-z0-9_]+$/.test(value)) return "may contain only letters, digits and underscores";
  if (MYSQL_RESERVED_WORDS.has(value.toLowerCase())) return `"${value}" is a MySQL reserved word`;
  if (["mysql", "sys", "information_schema", "performance_schema"].includes(value.toLowerCase())) {
    return `"${value}" is one of MySQL's own databases`;
  }
  return undefined;
}

/** The master password of RDS for MySQL: 8–41 printable ASCII characters except / " @ and space. */
export function validateMasterPassword(value: string): string | undefined {
  if (value.length < MASTER_PASSWORD_MIN || value.length > MASTER_PASSWORD_MAX) {
    return `must be ${MASTER_PASSWORD_MIN} to ${MASTER_PASSWORD_MAX} characters long (it has ${value.length})`;
  }
  if (!/^[\x20-\x7e]+$/.test(value)) return "may contain only printable ASCII characters";
  if (/[/"@ ]/.test(value)) return 'must not contain "/", """, "@" or spaces';
  return undefined;
}

const PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A strong master password from the system's cryptographic random source: letters and digits only
 * (about 5.95 bits each, 190 bits for 32 characters), so it needs no quoting in a shell, JSON or a
 * JDBC property. Bytes that would bias the choice are thrown away.
 */
export function generateMasterPassword(length = 32): string {
  if (length < MASTER_PASSWORD_MIN || length > MASTER_PASSWORD_MAX) {
    throw new RangeError(`a master password has ${MASTER_PASSWORD_MIN} to ${MASTER_PASSWORD_MAX} characters`);
  }
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  let password = "";
  while (password.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= limit) continue;
      password += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
      if (password.length === length) break;
    }
  }
  return password;
}

/** An error for a status the instance will not leave by itself; undefined while it can still become available. */
export function unusableStatus(identifier: string, status: string): McctlError | undefined {
  const events = `Its events say why: aws rds describe-events --source-type db-instance --source-identifier ${identifier}`;
  const instance = `MySQL instance ${identifier}`;
  switch (status) {
    case "failed":
    case "restore-error":
    case "incompatible-parameters":
    case "incompatible-network":
    case "incompatible-option-group":
    case "incompatible-restore":
    case "insufficient-capacity":
      return new McctlError(`${instance} is ${status}`, {
        suggestion: `${events}. Fix the cause (or delete the instance), then run \`mcctl setup\` again.`,
      });
    case "storage-full":
      return new McctlError(`${instance} is out of storage (storage-full)`, {
        suggestion: `Give it more storage (aws rds modify-db-instance --db-instance-identifier ${identifier} --allocated-storage … --apply-immediately), then run \`mcctl setup\` again.`,
      });
    case "inaccessible-encryption-credentials":
    case "inaccessible-encryption-credentials-recoverable":
      return new McctlError(`${instance} cannot use its KMS encryption key (${status})`, {
        suggestion: "Re-enable the KMS key or its grants for RDS, then run `mcctl setup` again.",
      });
    case "stopping":
    case "stopped":
      return new McctlError(`${instance} is ${status}`, {
        suggestion: `Start it (aws rds start-db-instance --db-instance-identifier ${identifier}), then run \`mcctl setup\` again.`,
      });
    case "deleting":
    case "deleted":
      return new McctlError(`${instance} is being deleted`, {
        suggestion:
          "Wait until it is gone and run `mcctl setup` again to create it anew, or set setup.database.identifier in mcctl.json to another name.",
      });
    default:
      return undefined;
  }
}

/** What setup needs to know of a MySQL instance. */
export interface DatabaseFacts {
  /** The DB instance identifier, as RDS stores it (lowercase). */
  identifier: string;
  /** mcctl created it (its tags, or mcctl.json, say so). */
  created: boolean;
  /** RDS's DBInstanceStatus: "creating", "backing-up", "available"… */
  status: string;
  /** Known once RDS has given the instance one: METADATA_JDBC_URL is built from it. */
  endpoint?: { host: string; port: number } | undefined;
  masterUsername: string;
  databaseName: string;
  /** The instance's VPC security groups. */
  securityGroupIds: string[];
  engineVersion?: string | undefined;
}

export function describeInstance(
  instance: DBInstance,
  options: { created: boolean; databaseName: string | undefined },
): DatabaseFacts {
  const address = instance.Endpoint?.Address;
  const port = instance.Endpoint?.Port;
  return {
    identifier: instance.DBInstanceIdentifier ?? "",
    created: options.created,
    status: instance.DBInstanceStatus ?? "unknown",
    endpoint: address && port ? { host: address, port } : undefined,
    masterUsername: instance.MasterUsername ?? "",
    databaseName: options.databaseName || instance.DBName || "",
    securityGroupIds: (instance.VpcSecurityGroups ?? []).flatMap((group) =>
      group.VpcSecurityGroupId && group.Status !== "removing" ? [group.VpcSecurityGroupId] : [],
    ),
    engineVersion: instance.EngineVersion,
  };
}

import type { DBInstance } from "@aws-sdk/client-rds";
import { DATABASE_DEFAULTS } from "../../config/defaults.js";
import { deploymentJdbcUrl } from "../../config/deployment.js";
import { parseJdbcUrl } from "../../domain/environment.js";
import {
  type DatabaseFacts,
  describeInstance,
  generateMasterPassword,
  unusableStatus,
  validateDatabaseName,
  validateDbInstanceIdentifier,
  validateMasterPassword,
  validateMasterUsername,
} from "../../domain/rds-rules.js";
import { DATABASE_SECURITY_GROUP } from "../../domain/setup-resources.js";
import { McctlError, MissingInputError, UsageError } from "../../errors.js";
import { answerChoice, answerConfirm, answerSecret, answerText, answerValid } from "./answers.js";
import { chooseEngineVersion, chooseInstanceClass } from "./database-options.js";
import type { PlanIo, PlanLine, SetupAws } from "./types.js";

export interface NewDatabase {
  identifier: string;
  engineVersion: string;
  instanceClass: string;
  storageGiB: number;
  masterUsername: string;
  databaseName: string;
  securityGroupId: string;
}

export async function lookUpDatabaseSecurityGroup(aws: SetupAws, vpcId: string): Promise<string | undefined> {
  const groups = await aws.ec2.securityGroups([
    { Name: "group-name", Values: [DATABASE_SECURITY_GROUP] },
    { Name: "vpc-id", Values: [vpcId] },
  ]);
  return groups[0]?.GroupId;
}

/** A MySQL instance that exists (or is being created) and is used as it is. */
export interface UseDatabase extends DatabaseFacts {
  action: "use";
}

/** A new instance, every answer known; created in apply. */
export interface CreateDatabase extends Omit<NewDatabase, "securityGroupId"> {
  action: "create";
  /** The default VPC, and model-catalogue-db in it when it exists already (else created in apply). */
  vpcId: string;
  securityGroupId?: string | undefined;
}

/** METADATA_JDBC_URL names a host that is no RDS instance here: setup neither creates nor opens it. */
export interface ExternalDatabase {
  action: "external";
  host: string;
  port?: number | undefined;
  databaseName: string;
}

export type DatabaseChoice = UseDatabase | CreateDatabase | ExternalDatabase;

export interface DatabasePlan {
  database: DatabaseChoice;
  /** METADATA_PASSWORD: never remembered, printed or logged. */
  password: string;
  lines: PlanLine[];
}

const STEP = "MySQL database";
const GROUP_STEP = "Database security group";
const PASSWORD_ENV = "METADATA_PASSWORD";
/** The choice "create a new instance" among existing ones (never a valid identifier). */
const CREATE_NEW = "";
/** What a JDBC URL accepts as a database name (an existing instance's database was not named by RDS rules). */
const JDBC_DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Step 2: the MySQL instance on RDS. mcctl.json's instance when it exists (never a second one); else
 * the instance METADATA_JDBC_URL points at (or, when that is no RDS instance here, the database as it
 * is); else an existing MySQL instance the operator chooses, or a new one: 5.7 preferred, encrypted,
 * private, backups kept 7 days, in a security group of its own. Every answer, the engine version and
 * class RDS offers, and the password are settled here; nothing is created.
 */
export async function planDatabase(io: PlanIo, aws: SetupAws): Promise<DatabasePlan> {
  const known = io.settings.setup?.database ?? {};
  if (known.identifier !== undefined) {
    const problem = validateDbInstanceIdentifier(known.identifier);
    if (problem) {
      throw new UsageError(`setup.database.identifier in the settings file ${problem}`, {
        suggestion: "Correct setup.database.identifier in mcctl.json.",
      });
    }
    const instance = await aws.rds.findInstance(known.identifier);
    if (instance) return useExisting(io, instance, known.create ?? createdByMcctl(io, instance));
    if (known.create === false) {
      throw new McctlError(`MySQL instance ${known.identifier} (setup.database.identifier) does not exist`, {
        suggestion:
          "It was chosen as an existing instance: check --region, or remove setup.database from mcctl.json to choose or create another one.",
      });
    }
    return planNewDatabase(io, aws, known.identifier);
  }

  const existing = await aws.rds.listMysqlInstances();
  const given = givenJdbcHost(io);
  if (given) {
    const instance = existing.find((candidate) => candidate.Endpoint?.Address === given.host);
    if (instance) return useExisting(io, instance, createdByMcctl(io, instance));
    return useExternal(io, given);
  }
  const byDefaultName = existing.find(
    (instance) => instance.DBInstanceIdentifier === DATABASE_DEFAULTS.identifier,
  );
  const chosen =
    existing.length === 0
      ? CREATE_NEW
      : await answerChoice<string>(io, {
          name: "setup.database.identifier",
          message: "MySQL database for Model Catalogue",
          choices: [
            ...existing.map((instance) => ({
              name: `${instance.DBInstanceIdentifier} (MySQL ${instance.EngineVersion}, ${instance.DBInstanceClass}, ${instance.DBInstanceStatus})`,
              value: instance.DBInstanceIdentifier ?? "",
            })),
            { name: "Create a new one", value: CREATE_NEW },
          ],
          defaultValue: byDefaultName ? DATABASE_DEFAULTS.identifier : CREATE_NEW,
        });
  const selected = existing.find((instance) => instance.DBInstanceIdentifier === chosen);
  if (chosen !== CREATE_NEW && selected) return useExisting(io, selected, createdByMcctl(io, selected));

  const taken = new Set(existing.flatMap((instance) => instance.DBInstanceIdentifier ?? []));
  /** Identifiers of instances that are not MySQL, refused in this run. */
  const refused = new Map<string, string>();
  for (;;) {
    const identifier = await answerText(io, {
      name: "setup.database.identifier",
      message: "Identifier of the new MySQL instance",
      defaultValue: taken.has(DATABASE_DEFAULTS.identifier) ? undefined : DATABASE_DEFAULTS.identifier,
      validate: (value) => refused.get(value.toLowerCase()) ?? validateDbInstanceIdentifier(value),
    });
    const instance = await aws.rds.findInstance(identifier);
    if (!instance) return planNewDatabase(io, aws, identifier);
    if (instance.Engine === "mysql" || !io.interactive) {
      return useExisting(io, instance, createdByMcctl(io, instance));
    }
    const problem = notMysqlMessage(identifier, instance);
    refused.set(identifier.toLowerCase(), problem);
    io.warn(`${problem}: choose another identifier.`);
  }
}

/** The host of METADATA_JDBC_URL when the operator gave one (environment, then mcctl.json). */
function givenJdbcHost(
  io: PlanIo,
): { host: string; port?: number | undefined; database: string } | undefined {
  const url = deploymentJdbcUrl(io.settings, io.env);
  if (url === undefined) return undefined;
  const parsed = parseJdbcUrl(url);
  if (!parsed.ok) throw new UsageError(`METADATA_JDBC_URL: ${parsed.error}`);
  return { host: parsed.value.host, port: parsed.value.port, database: parsed.value.database };
}

async function useExternal(
  io: PlanIo,
  given: { host: string; port?: number | undefined; database: string },
): Promise<DatabasePlan> {
  const password = await answerSecret(io, {
    envName: PASSWORD_ENV,
    message: `Password of the MySQL user for ${given.host}`,
    known: io.knownSecrets?.[PASSWORD_ENV],
  });
  return {
    database: { action: "external", host: given.host, port: given.port, databaseName: given.database },
    password,
    lines: [
      {
        step: STEP,
        state: "skip",
        detail: `${given.host} (METADATA_JDBC_URL) is no RDS instance in ${io.region}: used as it is; setup neither creates it nor opens its network to the container instances`,
      },
    ],
  };
}

// =================================================================================================
// An instance that exists

async function useExisting(io: PlanIo, instance: DBInstance, madeByMcctl: boolean): Promise<DatabasePlan> {
  const identifier = instance.DBInstanceIdentifier ?? "";
  if (instance.Engine !== "mysql") {
    throw new McctlError(notMysqlMessage(identifier, instance), {
      suggestion:
        "Model Catalogue needs MySQL: set setup.database.identifier in mcctl.json to a MySQL instance or to a new identifier.",
    });
  }
  const status = instance.DBInstanceStatus ?? "unknown";
  const unusable = unusableStatus(identifier, status);
  if (unusable) throw unusable;

  const version = instance.EngineVersion ?? "";
  if (!/^5\.[67]\./.test(version)) {
    io.warn(
      `${identifier} runs MySQL ${version || "(unknown version)"}; Model Catalogue is documented for MySQL 5.6 and 5.7.`,
    );
  }
  let databaseName = instance.DBName;
  if (!databaseName) {
    databaseName = await answerValid(io, {
      name: "setup.database.databaseName",
      message: `Database in ${identifier} that Model Catalogue uses (it must exist)`,
      known: io.settings.setup?.database?.databaseName,
      defaultValue: DATABASE_DEFAULTS.databaseName,
      validate: (value) =>
        JDBC_DATABASE_NAME.test(value)
          ? undefined
          : 'may contain only letters, digits, "_", "$" and "-" (at most 64)',
    });
    io.info(
      `RDS created no database in ${identifier}: create ${databaseName} (CREATE DATABASE ${databaseName} CHARACTER SET utf8) before Model Catalogue starts.`,
    );
  }
  const facts = describeInstance(instance, { created: madeByMcctl, databaseName });
  const where = facts.endpoint ? `, ${facts.endpoint.host}:${facts.endpoint.port}` : "";
  const detail = `${identifier} (MySQL ${version}, ${instance.DBInstanceClass}, ${status}${where})`;
  const line: PlanLine =
    status === "available"
      ? { step: STEP, state: "exists", detail: `${detail}: exists, used as it is` }
      : { step: STEP, state: "pending", detail: `${detail}: exists, used once available` };
  return {
    database: { action: "use", ...facts },
    password: await existingPassword(io, identifier),
    lines: [line],
  };
}

/** The password of an instance that exists: the environment, the task definition, else asked. */
async function existingPassword(io: PlanIo, identifier: string): Promise<string> {
  const reset = `aws rds modify-db-instance --db-instance-identifier ${identifier} --master-user-password … --apply-immediately`;
  const known = io.knownSecrets?.[PASSWORD_ENV];
  if (io.interactive && !io.env[PASSWORD_ENV] && !known) {
    io.info(
      `mcctl keeps it in SSM Parameter Store once given. If the master password is lost, set a new one: ${reset}`,
    );
  }
  try {
    return await answerSecret(io, {
      envName: PASSWORD_ENV,
      message: `Master password of the MySQL instance ${identifier}`,
      known,
    });
  } catch (error) {
    if (!(error instanceof MissingInputError)) throw error;
    throw new MissingInputError(
      error.missing,
      `Set ${PASSWORD_ENV} to the master password of ${identifier} (mcctl then keeps it in SSM Parameter Store; if it is lost, set a new one: ${reset}).`,
    );
  }
}

// =================================================================================================
// A new instance

async function planNewDatabase(io: PlanIo, aws: SetupAws, identifier: string): Promise<DatabasePlan> {
  const known = io.settings.setup?.database ?? {};
  const engineVersion = await chooseEngineVersion(io, aws, known.engineVersion);
  const instanceClass = await chooseInstanceClass(io, aws, engineVersion, known.instanceClass);
  const storageGiB = known.storageGiB ?? DATABASE_DEFAULTS.storageGiB;
  const givenUser = io.env.METADATA_USERNAME || io.settings.environment?.METADATA_USERNAME;
  const masterUsername = await answerValid(io, {
    name: "setup.database.masterUsername",
    message: "Master user of the new MySQL instance (METADATA_USERNAME)",
    known: known.masterUsername ?? (typeof givenUser === "string" ? givenUser : undefined),
    defaultValue: DATABASE_DEFAULTS.masterUsername,
    validate: validateMasterUsername,
  });
  const databaseName = await answerValid(io, {
    name: "setup.database.databaseName",
    message: "Database that RDS creates for Model Catalogue",
    known: known.databaseName,
    defaultValue: DATABASE_DEFAULTS.databaseName,
    validate: validateDatabaseName,
  });
  const vpcId = (await aws.ec2.defaultVpc())?.VpcId;
  if (!vpcId) {
    throw new McctlError(
      `this account has no default VPC in ${io.region}, where RDS would put a new instance`,
      {
        suggestion: `Create one with \`aws ec2 create-default-vpc --region ${io.region}\` and run mcctl setup again, or choose an existing MySQL instance.`,
      },
    );
  }
  const securityGroupId = await lookUpDatabaseSecurityGroup(aws, vpcId);
  const password = await newMasterPassword(io);
  const detail =
    `${identifier} (MySQL ${engineVersion}, ${instanceClass}, ${storageGiB} GiB encrypted, ` +
    `not publicly accessible, backups kept ${DATABASE_DEFAULTS.backupRetentionDays} days, ` +
    `security group ${DATABASE_SECURITY_GROUP}): RDS takes 5–15 minutes`;
  return {
    database: {
      action: "create",
      identifier: identifier.toLowerCase(),
      engineVersion,
      instanceClass,
      storageGiB,
      masterUsername,
      databaseName,
      vpcId,
      securityGroupId,
    },
    password,
    lines: [
      securityGroupId
        ? {
            step: GROUP_STEP,
            state: "exists",
            detail: `${DATABASE_SECURITY_GROUP} (${securityGroupId}) in ${vpcId}: exists, used as it is`,
          }
        : {
            step: GROUP_STEP,
            state: "create",
            detail: `${DATABASE_SECURITY_GROUP} in ${vpcId}, no rules yet`,
          },
      { step: STEP, state: "create", detail },
    ],
  };
}

/**
 * The master password of a new instance: METADATA_PASSWORD from the environment (checked against RDS's
 * rules), else on a terminal a generated one (offered first) or one typed twice.
 */
async function newMasterPassword(io: PlanIo): Promise<string> {
  const question = {
    envName: PASSWORD_ENV,
    message: 'Master password of the new MySQL instance (8–41 characters, no / " @ or spaces)',
    validate: validateMasterPassword,
  };
  if (io.env[PASSWORD_ENV] || !io.interactive) return answerSecret(io, question);
  // Setup stores it in SSM Parameter Store before it creates the database, so a generated one is never lost.
  if (
    await answerConfirm(
      io,
      "Generate a strong master password? mcctl never shows it; it is stored in SSM Parameter Store (METADATA_PASSWORD) before the database is created",
      true,
    )
  ) {
    io.info("Using a generated master password (32 letters and digits); it is not shown.");
    return generateMasterPassword();
  }
  for (let attempt = 1; ; attempt++) {
    const password = await answerSecret(io, question);
    const again = await answerSecret(io, {
      envName: PASSWORD_ENV,
      message: "The same master password again",
    });
    if (again === password) return password;
    if (attempt === 3) {
      throw new McctlError("the two passwords differed three times", {
        suggestion: `Run \`mcctl setup\` again, or set ${PASSWORD_ENV} in the environment.`,
      });
    }
    io.warn("The two passwords differ: type it again.");
  }
}

/** Whether the instance carries every tag mcctl puts on what it creates. */
function createdByMcctl(io: PlanIo, instance: DBInstance): boolean {
  const tags = instance.TagList ?? [];
  const wanted = Object.entries(io.tags);
  return (
    wanted.length > 0 &&
    wanted.every(([key, value]) => tags.some((tag) => tag.Key === key && tag.Value === value))
  );
}

function notMysqlMessage(identifier: string, instance: DBInstance): string {
  return `DB instance ${identifier} runs ${instance.Engine ?? "an unknown engine"}, not MySQL`;
}

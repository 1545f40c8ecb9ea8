import type { CreateDBInstanceCommandInput, DBInstance } from "@aws-sdk/client-rds";
import { awsErrorName } from "../../aws/errors.js";
import type { Settings } from "../../config/settings.js";
import { SECRET_MASK } from "../../domain/environment.js";
import {
  generateMasterPassword,
  validateDatabaseName,
  validateDbInstanceIdentifier,
  validateMasterPassword,
  validateMasterUsername,
} from "../../domain/rds-rules.js";
import { McctlError, MissingInputError, UsageError } from "../../errors.js";
import { formatDuration } from "../../ui/output.js";
import { isTransientError, sleep } from "../poll.js";
import { answerChoice, answerConfirm, answerSecret, answerText, type TextAnswer } from "./answers.js";
import type { SetupAws, SetupIo } from "./types.js";

export interface DatabaseResult {
  /** The DB instance identifier, as RDS stores it (lowercase). */
  identifier: string;
  /** Created by this run (false for an instance that existed, and in a dry run). */
  created: boolean;
  /** RDS's DBInstanceStatus ("creating", "backing-up", "available"…), or "planned" in a dry run. */
  status: string;
  /** Known once RDS has created the instance: METADATA_JDBC_URL is built from it. */
  endpoint?: { host: string; port: number };
  /** METADATA_USERNAME. */
  masterUsername: string;
  databaseName: string;
  /**
   * The instance's VPC security groups. In a dry run, the group a new instance would get when it exists
   * already, else empty.
   */
  securityGroupIds: string[];
  /** Dry run: the name of the security group a new instance would get (it does not exist yet). */
  plannedSecurityGroup?: string;
  engineVersion?: string;
}

export interface EnsuredDatabase {
  database: DatabaseResult;
  /**
   * METADATA_PASSWORD: never remembered, printed or logged. In a dry run nothing is asked: it is the
   * environment's METADATA_PASSWORD, or a placeholder (SECRET_MASK) when that is not set.
   */
  password: string;
}

export const DATABASE_DEFAULTS = {
  identifier: "model-catalogue",
  /** As the original guide says; a previous generation that RDS offers only for MySQL 5.7 and older. */
  instanceClass: "db.t2.small",
  /** The current class suggested when the region or engine version does not offer the guide's class. */
  currentClass: "db.t3.small",
  storageGiB: 20,
  masterUsername: "mcadmin",
  databaseName: "mc",
  backupRetentionDays: 7,
} as const;

/** Classes offered in place of one RDS does not offer, best first. */
const PREFERRED_CLASSES = [
  "db.t3.small",
  "db.t4g.small",
  "db.t3.medium",
  "db.t4g.medium",
  "db.m5.large",
  "db.m6g.large",
  "db.m6i.large",
];

type DatabaseSettings = NonNullable<NonNullable<Settings["setup"]>["database"]>;

const STEP = "MySQL database";
const GROUP_STEP = "Database security group";
/**
 * The security group of an instance setup creates, in the default VPC. mcctl.json has no place for its
 * id, so a re-run finds it by this name and the VPC.
 */
export const DATABASE_SECURITY_GROUP = "model-catalogue-db";
const DATABASE_SECURITY_GROUP_DESCRIPTION = "Model Catalogue MySQL, managed by mcctl";
const PASSWORD_ENV = "METADATA_PASSWORD";
const passwordQuestion = {
  envName: PASSWORD_ENV,
  message: 'Master password of the new MySQL instance (8–41 characters, no / " @ or spaces)',
  validate: validateMasterPassword,
};
/** The choice "create a new instance" among existing ones (never a valid identifier). */
const CREATE_NEW = "";
const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9-]+$/;
/** What a JDBC URL accepts as a database name (an existing instance's database was not named by RDS rules). */
const JDBC_DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Step 2: the MySQL instance on RDS. Uses mcctl.json's instance when it exists (never creating a
 * second one), otherwise lets the operator choose an existing MySQL instance (kept with its own
 * security groups) or creates one (5.7 preferred, encrypted, private, backups kept 7 days) in its own
 * security group, model-catalogue-db. Returns at once: RDS needs 5–15 minutes, see `waitForDatabase`.
 * Each resource gets one plan line: what would be done in a dry run, else what was done or found.
 */
export async function ensureDatabase(io: SetupIo, aws: SetupAws): Promise<EnsuredDatabase> {
  const known = io.settings().setup?.database ?? {};
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
    return createDatabase(io, aws, known.identifier);
  }

  const existing = await aws.rds.listMysqlInstances();
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
    if (!instance) return createDatabase(io, aws, identifier);
    if (instance.Engine === "mysql" || !io.interactive) {
      return useExisting(io, instance, createdByMcctl(io, instance));
    }
    const problem = notMysqlMessage(identifier, instance);
    refused.set(identifier.toLowerCase(), problem);
    io.output.warn(`${problem}: choose another identifier.`);
  }
}

/**
 * Waits until the instance is `available` (with its endpoint), showing its status and the time spent.
 * Fails at once on a status it cannot leave by itself (failed, storage-full, deleting, stopped…), and
 * after io.waitTimeoutMs. Throttling and dropped connections are retried.
 * Pass ensureDatabase's result to keep its `created` flag and database name.
 */
export async function waitForDatabase(
  io: SetupIo,
  aws: SetupAws,
  target: string | DatabaseResult,
): Promise<DatabaseResult> {
  const identifier = typeof target === "string" ? target : target.identifier;
  const label = `MySQL instance ${identifier}`;
  const started = Date.now();
  const deadline = started + io.waitTimeoutMs;
  const elapsed = () => formatDuration(Date.now() - started);
  const spinner = await io.output.spinner(`Waiting for ${label} to become available`);
  /** Ends the spinner red (once) with what went wrong, and hands the error on. */
  let failed = false;
  const fail = (text: string, error: McctlError) => {
    failed = true;
    spinner.fail(text);
    return error;
  };
  let status = "unknown";
  try {
    for (;;) {
      let instance: DBInstance | undefined | null = null;
      try {
        instance = await aws.rds.findInstance(identifier);
      } catch (error) {
        if (!isTransientError(error)) throw error;
        spinner.update(`${label}: ${status}, AWS did not answer, trying again (${elapsed()})`);
      }
      if (instance === undefined) {
        throw fail(
          `${label} no longer exists`,
          new McctlError(`${label} no longer exists`, {
            suggestion:
              "Someone deleted it while mcctl was waiting: run `mcctl setup` again to create it anew.",
          }),
        );
      }
      if (instance) {
        status = instance.DBInstanceStatus ?? "unknown";
        const result = describeInstance(instance, {
          created: typeof target === "string" ? false : target.created,
          databaseName: typeof target === "string" ? undefined : target.databaseName,
        });
        if (status === "available" && result.endpoint) {
          spinner.succeed(
            `${label} is available at ${result.endpoint.host}:${result.endpoint.port} (${elapsed()})`,
          );
          return result;
        }
        const unusable = unusableStatus(identifier, status);
        if (unusable) throw fail(`${label} is ${status} (${elapsed()})`, unusable);
        spinner.update(`${label}: ${status} (${elapsed()})`);
      }
      if (Date.now() >= deadline) {
        throw fail(
          `${label} is still ${status} after ${formatDuration(io.waitTimeoutMs)}`,
          new McctlError(
            `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for ${label} (status ${status})`,
            { suggestion: "RDS is still creating it; run `mcctl setup` again later (it picks it up)." },
          ),
        );
      }
      await sleep(io.pollIntervalMs, io.signal);
    }
  } catch (error) {
    if (!failed) spinner.fail(`Waiting for ${label}: stopped (${status})`);
    throw error;
  }
}

// =================================================================================================
// An instance that exists

/** `madeByMcctl` is remembered as setup.database.create. */
async function useExisting(
  io: SetupIo,
  instance: DBInstance,
  madeByMcctl: boolean,
): Promise<EnsuredDatabase> {
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
  await io.remember({ setup: { database: { identifier, create: madeByMcctl } } });

  const version = instance.EngineVersion ?? "";
  if (!/^5\.[67]\./.test(version)) {
    io.output.warn(
      `${identifier} runs MySQL ${version || "(unknown version)"}; Model Catalogue is documented for MySQL 5.6 and 5.7.`,
    );
  }
  let databaseName = instance.DBName;
  if (!databaseName) {
    databaseName = await answerValid(io, {
      name: "setup.database.databaseName",
      message: `Database in ${identifier} that Model Catalogue uses (it must exist)`,
      known: io.settings().setup?.database?.databaseName,
      defaultValue: DATABASE_DEFAULTS.databaseName,
      validate: (value) =>
        JDBC_DATABASE_NAME.test(value)
          ? undefined
          : 'may contain only letters, digits, "_", "$" and "-" (at most 64)',
    });
    await io.remember({ setup: { database: { databaseName } } });
    io.output.hint(
      `RDS created no database in ${identifier}: create ${databaseName} (CREATE DATABASE ${databaseName} CHARACTER SET utf8) before Model Catalogue starts.`,
    );
  }

  const database = describeInstance(instance, { created: false, databaseName });
  const where = database.endpoint ? `, ${database.endpoint.host}:${database.endpoint.port}` : "";
  const detail = `${identifier} (MySQL ${version}, ${instance.DBInstanceClass}, ${status}${where})`;
  if (status === "available") {
    io.plan({ step: STEP, state: "exists", detail: `${detail}: exists, used as it is` });
  } else {
    io.plan({ step: STEP, state: "pending", detail: `${detail}: exists, used once available` });
  }
  if (io.dryRun) return { database, password: io.env[PASSWORD_ENV] || SECRET_MASK };
  return { database, password: await existingPassword(io, identifier) };
}

/** The password of an instance mcctl did not just create: it is never kept, so it is asked again. */
async function existingPassword(io: SetupIo, identifier: string): Promise<string> {
  const reset = `aws rds modify-db-instance --db-instance-identifier ${identifier} --master-user-password … --apply-immediately`;
  if (io.interactive && !io.env[PASSWORD_ENV]) {
    io.output.hint(`mcctl never stores passwords. If the master password is lost, set a new one: ${reset}`);
  }
  try {
    return await answerSecret(io, {
      envName: PASSWORD_ENV,
      message: `Master password of the MySQL instance ${identifier}`,
    });
  } catch (error) {
    if (!(error instanceof MissingInputError)) throw error;
    throw new MissingInputError(
      error.missing,
      `Set ${PASSWORD_ENV} to the master password of ${identifier} (mcctl never stores it; if it is lost, set a new one: ${reset}).`,
    );
  }
}

// =================================================================================================
// A new instance

async function createDatabase(io: SetupIo, aws: SetupAws, identifier: string): Promise<EnsuredDatabase> {
  const remember = (database: DatabaseSettings) => io.remember({ setup: { database } });
  await remember({ identifier, create: true });
  const known = io.settings().setup?.database ?? {};

  const engineVersion = await chooseEngineVersion(io, aws, known.engineVersion);
  await remember({ engineVersion: known.engineVersion ?? engineVersion });
  const instanceClass = await chooseInstanceClass(io, aws, engineVersion, known.instanceClass);
  await remember({ instanceClass });
  const storageGiB = known.storageGiB ?? DATABASE_DEFAULTS.storageGiB;
  await remember({ storageGiB });
  const masterUsername = await answerValid(io, {
    name: "setup.database.masterUsername",
    message: "Master user of the new MySQL instance (METADATA_USERNAME)",
    known: known.masterUsername,
    defaultValue: DATABASE_DEFAULTS.masterUsername,
    validate: validateMasterUsername,
  });
  await remember({ masterUsername });
  const databaseName = await answerValid(io, {
    name: "setup.database.databaseName",
    message: "Database that RDS creates for Model Catalogue",
    known: known.databaseName,
    defaultValue: DATABASE_DEFAULTS.databaseName,
    validate: validateDatabaseName,
  });
  await remember({ databaseName });

  const detail =
    `${identifier} (MySQL ${engineVersion}, ${instanceClass}, ${storageGiB} GiB encrypted, ` +
    `not publicly accessible, backups kept ${DATABASE_DEFAULTS.backupRetentionDays} days, ` +
    `security group ${DATABASE_SECURITY_GROUP})`;
  if (io.dryRun) {
    const group = await findDatabaseSecurityGroup(io, aws);
    if (!group.id) {
      io.plan({
        step: GROUP_STEP,
        state: "create",
        detail: `${DATABASE_SECURITY_GROUP} in ${group.vpcId}: would be created`,
      });
    }
    io.plan({ step: STEP, state: "create", detail: `${detail}: would be created` });
    const password = io.env[PASSWORD_ENV] ? await answerSecret(io, passwordQuestion) : SECRET_MASK;
    const planned: DatabaseResult = {
      identifier: identifier.toLowerCase(),
      created: false,
      status: "planned",
      masterUsername,
      databaseName,
      securityGroupIds: group.id ? [group.id] : [],
      plannedSecurityGroup: group.id ? undefined : DATABASE_SECURITY_GROUP,
      engineVersion,
    };
    return { database: planned, password };
  }

  const password = await newMasterPassword(io);
  // Only now, when every answer is in: an aborted question leaves nothing behind.
  const group = await findDatabaseSecurityGroup(io, aws);
  const groupId = group.id ?? (await createDatabaseSecurityGroup(io, aws, group.vpcId));
  const input: CreateDBInstanceCommandInput = {
    DBInstanceIdentifier: identifier,
    DBInstanceClass: instanceClass,
    Engine: "mysql",
    EngineVersion: engineVersion,
    AllocatedStorage: storageGiB,
    MasterUsername: masterUsername,
    MasterUserPassword: password,
    DBName: databaseName,
    VpcSecurityGroupIds: [groupId],
    PubliclyAccessible: false,
    StorageEncrypted: true,
    BackupRetentionPeriod: DATABASE_DEFAULTS.backupRetentionDays,
    CopyTagsToSnapshot: true,
    Tags: Object.entries(io.tags).map(([Key, Value]) => ({ Key, Value })),
  };
  let instance: DBInstance;
  try {
    instance = await aws.rds.createInstance(input);
  } catch (error) {
    const cause = error instanceof McctlError ? error.cause : error;
    const code = awsErrorName(cause);
    if (code === "InvalidParameterCombination") {
      throw new McctlError(
        `RDS refused ${instanceClass} for MySQL ${engineVersion} in ${io.region}: ${(cause as Error).message}`,
        {
          suggestion: `Set setup.database.instanceClass in mcctl.json to a current class such as ${DATABASE_DEFAULTS.currentClass} and run \`mcctl setup\` again.`,
          cause,
        },
      );
    }
    // The SDK retried a create whose answer was lost: the instance is this run's, with this password.
    const existing =
      code === "DBInstanceAlreadyExistsFault" || code === "DBInstanceAlreadyExists"
        ? await aws.rds.findInstance(identifier)
        : undefined;
    if (!existing) throw error;
    instance = existing;
  }
  io.plan({
    step: STEP,
    state: "create",
    detail: `${detail}: created (RDS status ${instance.DBInstanceStatus ?? "unknown"}; available in 5–15 minutes)`,
  });
  const database = describeInstance(instance, { created: true, databaseName });
  // RDS lists the new instance's groups (status "adding"); should it not, the group asked for is it.
  if (database.securityGroupIds.length === 0) database.securityGroupIds = [groupId];
  return { database, password };
}

/**
 * The security group of a new instance, model-catalogue-db in the default VPC (where RDS puts an
 * instance created without a subnet group), looked up by name so that no run ever makes a second one.
 * A group found is reported; `id` is undefined when it does not exist yet.
 */
async function findDatabaseSecurityGroup(
  io: SetupIo,
  aws: SetupAws,
): Promise<{ vpcId: string; id: string | undefined }> {
  const vpcId = (await aws.ec2.defaultVpc())?.VpcId;
  if (!vpcId) {
    throw new McctlError(
      `this account has no default VPC in ${io.region}, where RDS would put a new instance`,
      {
        suggestion: `Create one with \`aws ec2 create-default-vpc --region ${io.region}\` and run mcctl setup again, or choose an existing MySQL instance.`,
      },
    );
  }
  const id = await lookUpDatabaseSecurityGroup(aws, vpcId);
  if (id) reportDatabaseSecurityGroup(io, id, vpcId);
  return { vpcId, id };
}

/** Creates the group without rules (the database-access step lets the container instances in). */
async function createDatabaseSecurityGroup(io: SetupIo, aws: SetupAws, vpcId: string): Promise<string> {
  const name = DATABASE_SECURITY_GROUP;
  let id: string;
  try {
    id = await aws.ec2.createSecurityGroup({
      name,
      description: DATABASE_SECURITY_GROUP_DESCRIPTION,
      vpcId,
      tags: { ...io.tags, Name: name },
    });
  } catch (error) {
    // Made meanwhile (another run, or a create whose answer was lost): that one, never a second.
    const code = awsErrorName(error instanceof McctlError ? error.cause : error);
    const existing =
      code === "InvalidGroup.Duplicate" ? await lookUpDatabaseSecurityGroup(aws, vpcId) : undefined;
    if (!existing) throw error;
    reportDatabaseSecurityGroup(io, existing, vpcId);
    return existing;
  }
  io.plan({ step: GROUP_STEP, state: "create", detail: `${name} (${id}) in ${vpcId}: created` });
  return id;
}

async function lookUpDatabaseSecurityGroup(aws: SetupAws, vpcId: string): Promise<string | undefined> {
  const groups = await aws.ec2.securityGroups([
    { Name: "group-name", Values: [DATABASE_SECURITY_GROUP] },
    { Name: "vpc-id", Values: [vpcId] },
  ]);
  return groups[0]?.GroupId;
}

function reportDatabaseSecurityGroup(io: SetupIo, id: string, vpcId: string): void {
  io.plan({
    step: GROUP_STEP,
    state: "exists",
    detail: `${DATABASE_SECURITY_GROUP} (${id}) in ${vpcId}: exists, used as it is`,
  });
}

async function chooseEngineVersion(io: SetupIo, aws: SetupAws, known: string | undefined): Promise<string> {
  const offered = await aws.rds.mysqlVersions();
  if (known !== undefined) {
    const match = newestOf(offered, known);
    if (match) return match;
    throw new McctlError(`RDS offers no MySQL ${known} in ${io.region} (setup.database.engineVersion)`, {
      suggestion: `Set setup.database.engineVersion in mcctl.json to one it offers: ${offeredSummary(offered)}.`,
    });
  }
  const preferred = newestOf(offered, "5.7");
  if (preferred) {
    io.output.info(`MySQL ${preferred}: the newest 5.7 that RDS offers in ${io.region}.`);
    // Documented for 5.7, but RDS standard support for 5.7 has ended: the operator should know the cost.
    io.output.warn(
      "RDS standard support for MySQL 5.7 ended in February 2024; 5.7 instances run on paid RDS Extended Support. Set setup.database.engineVersion to 8.0 to avoid it.",
    );
    return preferred;
  }
  const fallback = newestOf(offered, "8.0");
  if (fallback) {
    io.output.warn(
      `RDS offers no MySQL 5.7 in ${io.region}: using ${fallback}, the newest 8.0. Model Catalogue is documented for MySQL 5.6 and 5.7.`,
    );
    return fallback;
  }
  throw new McctlError(`RDS offers neither MySQL 5.7 nor 8.0 in ${io.region}`, {
    suggestion: `Set setup.database.engineVersion in mcctl.json to a version it offers (${offeredSummary(offered)}), or choose an existing MySQL instance.`,
  });
}

async function chooseInstanceClass(
  io: SetupIo,
  aws: SetupAws,
  engineVersion: string,
  known: string | undefined,
): Promise<string> {
  const requested = await answerValid(io, {
    name: "setup.database.instanceClass",
    message: "Instance class of the new MySQL instance",
    known,
    defaultValue: DATABASE_DEFAULTS.instanceClass,
    validate: (value) => (INSTANCE_CLASS.test(value) ? undefined : "must look like db.t3.small"),
  });
  const offered = await aws.rds.mysqlClasses(engineVersion);
  if (offered.includes(requested)) return requested;

  const alternatives = PREFERRED_CLASSES.filter((candidate) => offered.includes(candidate));
  const choices = alternatives.length > 0 ? alternatives : [...offered].sort();
  const problem = `RDS does not offer ${requested} for MySQL ${engineVersion} in ${io.region}`;
  const example = choices[0] ?? DATABASE_DEFAULTS.currentClass;
  if (!io.interactive || choices.length === 0) {
    throw new McctlError(problem, {
      suggestion: `Set setup.database.instanceClass in mcctl.json to a current class such as ${example} and run \`mcctl setup\` again.`,
    });
  }
  io.output.warn(`${problem}.`);
  return answerChoice<string>(io, {
    name: "setup.database.instanceClass",
    message: "Instance class to use instead",
    choices: choices.map((value) => ({ name: value, value })),
    defaultValue: example,
  });
}

/**
 * The master password of a new instance: METADATA_PASSWORD from the environment (checked against RDS's
 * rules), else on a terminal a generated one (offered first) or one typed twice.
 */
async function newMasterPassword(io: SetupIo): Promise<string> {
  const question = passwordQuestion;
  if (io.env[PASSWORD_ENV] || !io.interactive) return answerSecret(io, question);
  if (io.noWait) {
    io.output.hint(
      "With --no-wait the task definition is not registered in this run: type a password you keep (a generated one would be lost).",
    );
  } else if (
    await answerConfirm(
      io,
      "Generate a strong master password? mcctl never shows or saves it; it goes into the task definition (METADATA_PASSWORD), where ECS keeps it in plain text",
      true,
    )
  ) {
    io.output.info("Using a generated master password (32 letters and digits); it is not shown.");
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
    io.output.warn("The two passwords differ: type it again.");
  }
}

// =================================================================================================
// Helpers

/** answerText, but a value from mcctl.json is checked too: a bad one is asked again, or is an error. */
async function answerValid(
  io: SetupIo,
  question: TextAnswer & { validate: (value: string) => string | undefined },
): Promise<string> {
  if (question.known !== undefined) {
    const problem = question.validate(question.known);
    if (problem === undefined) return question.known;
    const text = `${question.name} in the settings file ${problem}`;
    if (!io.interactive)
      throw new UsageError(text, { suggestion: `Correct ${question.name} in mcctl.json.` });
    io.output.warn(text);
  }
  return answerText(io, { ...question, known: undefined });
}

function describeInstance(
  instance: DBInstance,
  options: { created: boolean; databaseName: string | undefined },
): DatabaseResult {
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

/** Whether the instance carries every tag mcctl puts on what it creates. */
function createdByMcctl(io: SetupIo, instance: DBInstance): boolean {
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

/** An error for a status the instance will not leave by itself; undefined while it can still become available. */
function unusableStatus(identifier: string, status: string): McctlError | undefined {
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

/** The newest version that is `prefix` or starts with it on a dot boundary ("5.7" → "5.7.44"). */
function newestOf(versions: readonly string[], prefix: string): string | undefined {
  return versions
    .filter((version) => version === prefix || version.startsWith(`${prefix}.`))
    .sort(compareVersions)
    .at(-1);
}

function compareVersions(a: string, b: string): number {
  const left = a.split(".").map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split(".").map((part) => Number.parseInt(part, 10) || 0);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function offeredSummary(versions: readonly string[]): string {
  const newest = [...versions].sort(compareVersions).reverse().slice(0, 5);
  return newest.length > 0 ? newest.join(", ") : "none";
}

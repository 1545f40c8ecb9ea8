import { DATABASE_DEFAULTS } from "../../config/defaults.js";
import { McctlError } from "../../errors.js";
import { answerChoice, answerValid } from "./answers.js";
import type { PlanIo, SetupAws } from "./types.js";

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

const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9-]+$/;

/**
 * The engine version of a new instance: mcctl.json's (it must be offered), else the newest 5.7 RDS
 * offers here (with a word on what 5.7 costs now), else the newest 8.0.
 */
export async function chooseEngineVersion(
  io: PlanIo,
  aws: SetupAws,
  known: string | undefined,
): Promise<string> {
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
    io.info(`MySQL ${preferred}: the newest 5.7 that RDS offers in ${io.region}.`);
    // Documented for 5.7, but RDS standard support for 5.7 has ended: the operator should know the cost.
    io.warn(
      "RDS standard support for MySQL 5.7 ended in February 2024; 5.7 instances run on paid RDS Extended Support. Set setup.database.engineVersion to 8.0 to avoid it.",
    );
    return preferred;
  }
  const fallback = newestOf(offered, "8.0");
  if (fallback) {
    io.warn(
      `RDS offers no MySQL 5.7 in ${io.region}: using ${fallback}, the newest 8.0. Model Catalogue is documented for MySQL 5.6 and 5.7.`,
    );
    return fallback;
  }
  throw new McctlError(`RDS offers neither MySQL 5.7 nor 8.0 in ${io.region}`, {
    suggestion: `Set setup.database.engineVersion in mcctl.json to a version it offers (${offeredSummary(offered)}), or choose an existing MySQL instance.`,
  });
}

/** The class of a new instance, checked against what RDS offers for that version; another one chosen on a terminal. */
export async function chooseInstanceClass(
  io: PlanIo,
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
  io.warn(`${problem}.`);
  return answerChoice<string>(io, {
    name: "setup.database.instanceClass",
    message: "Instance class to use instead",
    choices: choices.map((value) => ({ name: value, value })),
    defaultValue: example,
  });
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

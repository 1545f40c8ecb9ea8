/**
 * Taking over a deployment mcctl did not make (or whose mcctl.json was lost): when mcctl.json describes
 * no revision and the service runs one, that revision says what nothing else does. mcctl.json and the
 * environment keep their precedence over it; the plan says where they differ. Pure: nothing is read here.
 */

import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { adoptRevision, revisionName } from "../config/deployment.js";
import type { Settings } from "../config/settings.js";
import type { TaskInputs } from "../config/task-inputs.js";
import { GROUPS, SWITCH_ON_VALUE, variableSpec } from "../domain/environment.js";
import { plainSecretValues } from "../domain/secrets.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import type { SecretStorePlan } from "./secrets.js";

export interface Adoption {
  /** The revision in service the values are taken from. */
  revision: TaskDefinition;
  /** mcctl.json's values over the revision's: what the inputs are gathered from. */
  settings: Settings;
  /** The revision as mcctl.json would describe it (no secret, no revision name). */
  adopted: Settings;
  /** Variables of the revision mcctl does not know: the new revision leaves them out. */
  skipped: string[];
}

/** What the plan says about an adoption. Names only for secrets, never a value. */
export interface AdoptionSummary {
  /** "family:revision" */
  revision: string;
  /** How many values of the revision the new one takes (secrets included). */
  taken: number;
  /** Secrets the revision holds in plain text that move to SSM Parameter Store. */
  moved: string[];
  /** Where a value the operator gives wins over the revision's (precedence), one line each. */
  differences: string[];
  skipped: string[];
}

/** The revision's values under mcctl.json's: a value the file gives wins, an answer it gives too. */
export function adoptionOf(file: Settings, revision: TaskDefinition): Adoption {
  const { settings, skipped } = adoptRevision({}, revision);
  const { taskDefinition: _name, ...adopted } = settings;
  // A group mcctl.json turns off stays off: the revision's variables of it are not brought back.
  const off = new Set<string>(
    GROUPS.filter((group) => file.features?.[group.id as "mail"] === false).map((group) => group.id),
  );
  const environment = Object.fromEntries(
    Object.entries(adopted.environment ?? {}).filter(([name]) => !off.has(variableSpec(name)?.group ?? "")),
  );
  return {
    revision,
    adopted,
    skipped,
    settings: {
      ...adopted,
      ...file,
      taskFamily: file.taskFamily ?? adopted.taskFamily,
      mc: { ...adopted.mc, ...file.mc },
      es: { ...adopted.es, ...file.es },
      logs: { ...adopted.logs, ...file.logs },
      environment: { ...environment, ...file.environment },
      features: { ...adopted.features, ...file.features },
    },
  };
}

/** Counts what the new revision takes from the adopted one and names where the operator's values win. */
export function summarizeAdoption(
  adoption: Adoption,
  given: { file: Settings; env: NodeJS.ProcessEnv },
  inputs: Pick<TaskInputs, "keptSecrets">,
  secrets: Pick<SecretStorePlan, "secrets">,
): AdoptionSummary {
  const name = revisionName(adoption.revision);
  const fileValues = leaves(given.file);
  const differences: string[] = [];
  let taken = 0;
  for (const [key, value] of leaves(adoption.adopted)) {
    if (value === false || key.startsWith("features.")) continue;
    const variable = key.startsWith("environment.") ? key.slice("environment.".length) : undefined;
    const shown = value === true ? SWITCH_ON_VALUE : String(value);
    const fromEnv = variable ? nonEmpty(given.env[variable]) : undefined;
    const fromFile = fileValues.get(key);
    const label = variable ?? key;
    if (fromEnv !== undefined) {
      if (fromEnv !== shown) differences.push(wins(label, `the environment says ${fromEnv}`, name, shown));
    } else if (fromFile !== undefined) {
      const said = fromFile === false ? "mcctl.json leaves it unset" : `mcctl.json says ${String(fromFile)}`;
      if (fromFile !== value) differences.push(wins(label, said, name, shown));
    } else {
      taken += 1;
    }
  }
  const mc = adoption.revision.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
  const plain = plainSecretValues(adoption.revision, MC_CONTAINER);
  const held = new Set([...Object.keys(plain), ...(mc?.secrets ?? []).map((secret) => secret.name ?? "")]);
  for (const secret of [...held].sort()) {
    const fromEnv = nonEmpty(given.env[secret]);
    if (fromEnv !== undefined && fromEnv !== plain[secret]) {
      differences.push(`${secret}: the environment's value replaces the one ${name} holds (precedence)`);
    } else if (inputs.keptSecrets.includes(secret)) {
      taken += 1;
    }
  }
  const moved = secrets.secrets
    .filter((secret) => secret.action === "migrate")
    .map((secret) => secret.variable)
    .sort();
  return { revision: name, taken, moved, differences, skipped: adoption.skipped };
}

function wins(label: string, said: string, revision: string, value: string): string {
  const source = said.startsWith("the environment") ? "the environment" : "mcctl.json";
  return `${label}: ${said}, ${revision} has ${value}; ${source} wins (precedence)`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function leaves(value: unknown, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) leaves(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix && value !== undefined) {
    into.set(prefix, value);
  }
  return into;
}

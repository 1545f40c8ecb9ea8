import type { DBSnapshot } from "@aws-sdk/client-rds";
import type { SsmApi } from "../aws/ssm.js";
import type { Settings } from "../config/settings.js";
import { generateMasterPassword } from "../domain/rds-rules.js";
import { defaultSecretPath, parameterName } from "../domain/secrets.js";
import { MissingInputError } from "../errors.js";

const PASSWORD = "METADATA_PASSWORD";
const USERNAME = "METADATA_USERNAME";

/** Where the restored instance's password comes from; its value is never printed. */
export type PasswordSource =
  /** The operator set METADATA_PASSWORD in the environment: it becomes the master password and goes to SSM. */
  | "environment"
  /** SSM holds the deployment's password: the restored instance's master user gets it too. */
  | "ssm"
  /** The revision in service holds it in plain text (a deployment made by hand). */
  | "revision"
  /** mcctl holds none (destroy deleted it): a new one, stored in SSM. */
  | "new"
  /** The application's user is not the master user: its password is in the snapshot, as SSM has it. */
  | "application-user";

export interface RestorePassword {
  source: PasswordSource;
  /** Never printed, logged or saved in mcctl.json. */
  value: string;
  /** The master user whose password is set, unless the source is "application-user". */
  masterUsername: string;
  /** The SSM parameter that holds METADATA_PASSWORD. */
  parameter: string;
  /** Whether the apply writes `value` to that parameter (a new or changed password). */
  store: boolean;
  /** Whether the parameter exists (the write then makes a new version of it). */
  exists: boolean;
}

/**
 * The password the restored instance's master user gets: the one the operator gives, else the one SSM
 * holds, else the plain text of the revision in service, else a new one (stored in SSM). Read-only.
 */
export async function planPassword(
  ssm: SsmApi,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  family: string,
  snapshot: DBSnapshot,
  mc: { secrets?: { name?: string | undefined; valueFrom?: string | undefined }[] | undefined } | undefined,
  fromRevision: (name: string) => string | undefined,
): Promise<RestorePassword> {
  const fromFile = settings.environment?.[USERNAME];
  const username = (typeof fromFile === "string" ? fromFile : undefined) ?? fromRevision(USERNAME);
  const masterUsername = snapshot.MasterUsername ?? settings.setup?.database?.masterUsername ?? "";
  const reference = mc?.secrets?.find((secret) => secret.name === PASSWORD)?.valueFrom;
  const parameter =
    reference?.replace(/^arn:[^:]+:ssm:[^:]*:\d*:parameter/, "") ??
    parameterName({ path: settings.secrets?.path ?? defaultSecretPath(family) }, PASSWORD);
  const stored = await ssm.readSecureString(parameter);
  const given = env[PASSWORD];
  const plain = fromRevision(PASSWORD);
  const exists = stored !== undefined;
  if (username !== undefined && username !== masterUsername) {
    const value = given ?? stored ?? plain;
    if (value === undefined) {
      throw new MissingInputError(
        [PASSWORD],
        `${username} (${USERNAME}) is not the master user ${masterUsername}: its password is in the snapshot, and mcctl does not hold it. Set ${PASSWORD} in the environment.`,
      );
    }
    return {
      source: given !== undefined ? "environment" : "application-user",
      value,
      masterUsername,
      parameter,
      store: given !== undefined && given !== stored,
      exists,
    };
  }
  if (given !== undefined) {
    return {
      source: "environment",
      value: given,
      masterUsername,
      parameter,
      store: given !== stored,
      exists,
    };
  }
  if (stored !== undefined)
    return { source: "ssm", value: stored, masterUsername, parameter, store: false, exists };
  if (plain !== undefined) {
    return { source: "revision", value: plain, masterUsername, parameter, store: false, exists };
  }
  return { source: "new", value: generateMasterPassword(), masterUsername, parameter, store: true, exists };
}

/** The plan's words for the password (never its value). */
export function describePassword(password: RestorePassword, identifier: string): string {
  switch (password.source) {
    case "ssm":
      return `give ${identifier}'s master user ${password.masterUsername} the deployment's password (SSM ${password.parameter})`;
    case "environment":
      return `give ${identifier}'s master user ${password.masterUsername} the password from ${PASSWORD} (environment)${password.store ? `, stored in SSM ${password.parameter}` : ""}`;
    case "revision":
      return `give ${identifier}'s master user ${password.masterUsername} the password the revision in service holds`;
    case "new":
      return `give ${identifier}'s master user ${password.masterUsername} a new password (SSM holds none), stored in SSM ${password.parameter}`;
    case "application-user":
      return `keep the snapshot's users: ${USERNAME}'s password is in the snapshot, as SSM ${password.parameter} holds it`;
  }
}

/**
 * The checks behind each Model Catalogue variable (see VARIABLES in environment.ts): each returns
 * undefined for a good value, otherwise what is wrong with it, echoing the value cut short (quote) and
 * never a secret.
 */
import { AWS_REGION_PATTERN, controlCharacterProblem, MAX_VALUE_LENGTH, quote } from "./formats.js";
import { parseCatalinaOpts } from "./jvm.js";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface JdbcUrl {
  host: string;
  port?: number;
  database: string;
  params: Readonly<Record<string, string>>;
}

export const SWITCH_ON_VALUE = "true";
export const JDBC_URL_PARAMS = "autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";

export const MAX_JAVA_INT = 2_147_483_647;
const HOST_LABEL = "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])";
const HOST_NAME_PATTERN = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV4_PATTERN = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const EMAIL_PATTERN =
  /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const NAMED_EMAIL_PATTERN = /^[^<>]*<([^<>]+)>$/;
const FALSE_LOOKING_VALUES = new Set(["false", "0", "no", "off", "n", "disabled", "disable", "f"]);
const DATABASE_NAME_PATTERN = /^[A-Za-z0-9_$-]{1,64}$/;

export type Validator = (value: string) => string | undefined;

export function all(...validators: Validator[]): Validator {
  return (value) => {
    for (const validator of validators) {
      const problem = validator(value);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** Never echoes the value: it may be a secret. */
export const wellFormed: Validator = (value) =>
  controlCharacterProblem(value) ??
  (value.length > MAX_VALUE_LENGTH
    ? `is ${value.length} characters long; at most ${MAX_VALUE_LENGTH} are accepted`
    : undefined);

export const notEmpty: Validator = (value) =>
  value.trim() === "" ? "is empty; give a value, or leave the variable out to keep it unset" : undefined;

export const noSurroundingSpace: Validator = (value) =>
  value !== value.trim() ? "has leading or trailing spaces; remove them" : undefined;

export const noWhitespace: Validator = (value) => (/\s/.test(value) ? "must not contain spaces" : undefined);

export function integerBetween(min: number, max: number, unit = ""): Validator {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) {
      const range = max === MAX_JAVA_INT ? `${min} or more` : `from ${min} to ${max}`;
      return `must be a whole number ${range}${unit}, got ${quote(value)}`;
    }
    return undefined;
  };
}

export const positiveInteger = integerBetween(1, MAX_JAVA_INT);

export const switchValue: Validator = (value) => {
  if (value === SWITCH_ON_VALUE) return undefined;
  const turnsOn = FALSE_LOOKING_VALUES.has(value.trim().toLowerCase())
    ? `${quote(value)} would turn it ON: `
    : `${quote(value)} is not the on-value: `;
  return (
    `${turnsOn}the app enables this feature for ANY value, including "false"; ` +
    `set it to "${SWITCH_ON_VALUE}" to turn it on, or leave the variable out to turn it off`
  );
};

export function validateEmail(value: string): string | undefined {
  return EMAIL_PATTERN.test(value)
    ? undefined
    : `${quote(value)} is not an e-mail address like name@example.com`;
}

/** A sender may carry a display name, as mail clients show it: `Model Catalogue <catalogue@example.com>`. */
export function validateSender(value: string): string | undefined {
  const named = NAMED_EMAIL_PATTERN.exec(value);
  const address = named?.[1]?.trim() ?? value;
  return EMAIL_PATTERN.test(address)
    ? undefined
    : `${quote(value)} is not an e-mail address like catalogue@example.com or Model Catalogue <catalogue@example.com>`;
}

export function validateHostName(host: string): string | undefined {
  if (host === "") return "the host name is empty";
  if (host.length > 253) return `host name ${quote(host)} is longer than 253 characters`;
  if (IPV4_PATTERN.test(host)) return undefined;
  if (/^\d+(?:\.\d+){3}$/.test(host)) return `${quote(host)} is not a valid IPv4 address`;
  if (!HOST_NAME_PATTERN.test(host)) {
    return `${quote(host)} is not a valid host name (letters, digits and "-", labels separated by ".")`;
  }
  return undefined;
}

function validatePort(port: string): string | undefined {
  return integerBetween(1, 65535)(port) === undefined
    ? undefined
    : `port ${quote(port)} is not a number from 1 to 65535`;
}

export function validatePublicHost(value: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    return `${quote(value)} includes a scheme; give only host[:port] (e.g. catalogue.example.com) and set METADATA_SCHEME`;
  }
  if (value.includes("/")) {
    return `${quote(value)} includes a path; give only host[:port], e.g. catalogue.example.com or 10.0.0.5:8080`;
  }
  const colon = value.lastIndexOf(":");
  const host = colon >= 0 ? value.slice(0, colon) : value;
  if (colon >= 0) {
    const portProblem = validatePort(value.slice(colon + 1));
    if (portProblem !== undefined) return portProblem;
  }
  return validateHostName(host);
}

export function parseJdbcUrl(url: string): ParseResult<JdbcUrl> {
  const prefix = "jdbc:mysql://";
  if (!url.startsWith(prefix)) {
    return fail(
      `must start with ${prefix}, e.g. jdbc:mysql://db.example.com:3306/catalogue?${JDBC_URL_PARAMS}`,
    );
  }
  const rest = url.slice(prefix.length);
  const question = rest.indexOf("?");
  const authorityAndPath = question >= 0 ? rest.slice(0, question) : rest;
  const query = question >= 0 ? rest.slice(question + 1) : "";
  const slash = authorityAndPath.indexOf("/");
  if (slash < 0) return fail(`has no database name; add it after the host: ${prefix}HOST[:PORT]/DATABASE`);

  const authority = authorityAndPath.slice(0, slash);
  const database = authorityAndPath.slice(slash + 1);
  const colon = authority.lastIndexOf(":");
  const host = colon >= 0 ? authority.slice(0, colon) : authority;
  if (host === "") return fail(`has no database host: ${prefix}HOST[:PORT]/DATABASE`);
  const hostProblem = validateHostName(host);
  if (hostProblem !== undefined) return fail(`database host: ${hostProblem}`);

  let port: number | undefined;
  if (colon >= 0) {
    const portText = authority.slice(colon + 1);
    const portProblem = validatePort(portText);
    if (portProblem !== undefined) return fail(`database ${portProblem}`);
    port = Number(portText);
  }

  if (database === "") return fail(`has no database name: ${prefix}HOST[:PORT]/DATABASE`);
  if (!DATABASE_NAME_PATTERN.test(database)) {
    return fail(
      `database name ${quote(database)} may only contain letters, digits, "_", "$" and "-" (max 64)`,
    );
  }

  const params: Record<string, string> = {};
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const key = equals >= 0 ? pair.slice(0, equals) : pair;
    if (key === "") return fail(`has a parameter without a name in ${quote(`?${query}`)}`);
    params[key] = equals >= 0 ? pair.slice(equals + 1) : "";
  }
  return { ok: true, value: { host, ...(port === undefined ? {} : { port }), database, params } };
}

/** The URL the manual procedure used, with the parameters that keep connections alive and text in UTF-8. */
export function buildJdbcUrl(target: { host: string; port?: number; database: string }): string {
  const port = target.port === undefined ? "" : `:${target.port}`;
  return `jdbc:mysql://${target.host}${port}/${target.database}?${JDBC_URL_PARAMS}`;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

export const validateJdbcUrl: Validator = (value) => {
  const parsed = parseJdbcUrl(value);
  return parsed.ok ? undefined : parsed.error;
};

export function validateS3BucketName(name: string): string | undefined {
  const problem = s3BucketProblem(name);
  return problem === undefined ? undefined : `bucket name ${quote(name)} ${problem}`;
}

function s3BucketProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "may only contain lowercase letters, digits, dots and hyphens";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  if (name.includes("..")) return 'must not contain two adjacent dots ".."';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not look like an IP address";
  if (name.startsWith("xn--")) return 'must not start with "xn--"';
  if (name.endsWith("-s3alias") || name.endsWith("--ol-s3"))
    return 'must not end with "-s3alias" or "--ol-s3"';
  return undefined;
}

export const validateRegion: Validator = (value) =>
  AWS_REGION_PATTERN.test(value) ? undefined : `${quote(value)} is not an AWS region like eu-west-1`;

export const validateSupervisorPassword: Validator = (value) =>
  value === "supervisor"
    ? 'is the app\'s well-known default password "supervisor"; choose another one'
    : notEmpty(value);

export const validateCatalinaOpts: Validator = (value) => {
  const { problems } = parseCatalinaOpts(value);
  return problems.length === 0 ? undefined : problems.join("; ");
};

export const validateDatabaseUser: Validator = (value) =>
  value.length > 32 ? "MySQL user names are at most 32 characters long" : undefined;

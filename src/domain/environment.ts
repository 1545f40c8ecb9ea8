import { AWS_REGION_PATTERN, controlCharacterProblem, MAX_VALUE_LENGTH, quote } from "./formats.js";
import { parseCatalinaOpts } from "./jvm.js";

export type VariableGroup = "application" | "database" | "mail" | "assets" | "search" | "google" | "jvm";

export interface VariableSpec {
  name: string;
  group: VariableGroup;
  /** One line, shown as the prompt message and in help. */
  description: string;
  /** Never printed, never written to disk. */
  secret: boolean;
  /** The app turns the feature on for ANY value, even "false"; off means the variable is absent. */
  isSwitch: boolean;
  /** A deployment cannot work without it. */
  required: boolean;
  /** What mcctl proposes, which is not necessarily the app's own default. */
  defaultValue?: string;
  /** Undefined when the value is acceptable, otherwise what is wrong with it (never echoing a secret). */
  validate(value: string): string | undefined;
}

export interface GroupSpec {
  id: VariableGroup;
  title: string;
  /** Optional groups are asked about with `question` (yes/no) before any of their variables. */
  optional: boolean;
  question?: string;
}

/** Only the variables that are sent to the container; an absent key means the variable is not set. */
export type McEnvironment = Readonly<Record<string, string>>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface JdbcUrl {
  host: string;
  port?: number;
  database: string;
  params: Readonly<Record<string, string>>;
}

export const SWITCH_ON_VALUE = "true";
/** Shown instead of a secret value wherever values are displayed. */
export const SECRET_MASK = "********";
export const JDBC_URL_PARAMS = "autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";

const MAX_JAVA_INT = 2_147_483_647;
const HOST_LABEL = "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])";
const HOST_NAME_PATTERN = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV4_PATTERN = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const EMAIL_PATTERN =
  /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const NAMED_EMAIL_PATTERN = /^[^<>]*<([^<>]+)>$/;
const FALSE_LOOKING_VALUES = new Set(["false", "0", "no", "off", "n", "disabled", "disable", "f"]);
const DATABASE_NAME_PATTERN = /^[A-Za-z0-9_$-]{1,64}$/;
/** Names of variables mcctl does not know but whose values must be treated as secrets anyway. */
const SECRET_NAME_PATTERN = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_KEY/i;

type Validator = (value: string) => string | undefined;

function all(...validators: Validator[]): Validator {
  return (value) => {
    for (const validator of validators) {
      const problem = validator(value);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** Never echoes the value: it may be a secret. */
const wellFormed: Validator = (value) =>
  controlCharacterProblem(value) ??
  (value.length > MAX_VALUE_LENGTH
    ? `is ${value.length} characters long; at most ${MAX_VALUE_LENGTH} are accepted`
    : undefined);

const notEmpty: Validator = (value) =>
  value.trim() === "" ? "is empty; give a value, or leave the variable out to keep it unset" : undefined;

const noSurroundingSpace: Validator = (value) =>
  value !== value.trim() ? "has leading or trailing spaces; remove them" : undefined;

const noWhitespace: Validator = (value) => (/\s/.test(value) ? "must not contain spaces" : undefined);

function integerBetween(min: number, max: number, unit = ""): Validator {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) {
      const range = max === MAX_JAVA_INT ? `${min} or more` : `from ${min} to ${max}`;
      return `must be a whole number ${range}${unit}, got ${quote(value)}`;
    }
    return undefined;
  };
}

const positiveInteger = integerBetween(1, MAX_JAVA_INT);

const switchValue: Validator = (value) => {
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
function validateSender(value: string): string | undefined {
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

function validatePublicHost(value: string): string | undefined {
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

const validateJdbcUrl: Validator = (value) => {
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

const validateRegion: Validator = (value) =>
  AWS_REGION_PATTERN.test(value) ? undefined : `${quote(value)} is not an AWS region like eu-west-1`;

const validateSupervisorPassword: Validator = (value) =>
  value === "supervisor"
    ? 'is the app\'s well-known default password "supervisor"; choose another one'
    : notEmpty(value);

const validateCatalinaOpts: Validator = (value) => {
  const { problems } = parseCatalinaOpts(value);
  return problems.length === 0 ? undefined : problems.join("; ");
};

const validateDatabaseUser: Validator = (value) =>
  value.length > 32 ? "MySQL user names are at most 32 characters long" : undefined;

const SPECS: readonly VariableSpec[] = [
  {
    name: "METADATA_HOST",
    group: "application",
    description:
      "Public host[:port] users reach the catalogue at, without scheme or path (builds the server URL)",
    secret: false,
    isSwitch: false,
    required: true,
    validate: all(notEmpty, noSurroundingSpace, validatePublicHost),
  },
  {
    name: "METADATA_SCHEME",
    group: "application",
    description: "Scheme of the public URL: http, or https when a load balancer terminates TLS",
    secret: false,
    isSwitch: false,
    required: false,
    defaultValue: "http",
    validate: (value) =>
      value === "http" || value === "https" ? undefined : `must be "http" or "https", got ${quote(value)}`,
  },
  {
    name: "MC_NAME",
    group: "application",
    description: "Name shown in the navigation bar",
    secret: false,
    isSwitch: false,
    required: false,
    defaultValue: "Model Catalogue",
    validate: notEmpty,
  },
  {
    name: "MC_SUPERVISOR_EMAIL",
    group: "application",
    description: "E-mail address of the supervisor account",
    secret: false,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, validateEmail),
  },
  {
    name: "MC_SUPERVISOR_PASSWORD",
    group: "application",
    description: 'Password of the supervisor account (the app falls back to "supervisor" when unset)',
    secret: true,
    isSwitch: false,
    required: false,
    validate: validateSupervisorPassword,
  },
  {
    name: "MC_ADMIN_EMAIL",
    group: "application",
    description: "E-mail address of the administrator, shown to users who need help",
    secret: false,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, validateEmail),
  },
  {
    name: "MC_ALLOW_SIGNUP",
    group: "application",
    description: "Let visitors sign up for an account (needs working mail for the confirmation e-mail)",
    secret: false,
    isSwitch: true,
    required: false,
    validate: switchValue,
  },
  {
    name: "MC_SECURED_REVERSE_PROXY",
    group: "application",
    description: "Force HTTPS behind a load balancer or proxy that sets X-Forwarded-Proto",
    secret: false,
    isSwitch: true,
    required: false,
    validate: switchValue,
  },
  {
    name: "MC_MAX_ACTIVE_USERS",
    group: "application",
    description: "Maximum number of users logged in at the same time",
    secret: false,
    isSwitch: false,
    required: false,
    validate: positiveInteger,
  },
  {
    name: "MC_WELCOME_JUMBO",
    group: "application",
    description: "HTML of the large welcome banner on the home page",
    secret: false,
    isSwitch: false,
    required: false,
    validate: notEmpty,
  },
  {
    name: "MC_WELCOME_INFO",
    group: "application",
    description: "HTML of the information text under the welcome banner",
    secret: false,
    isSwitch: false,
    required: false,
    validate: notEmpty,
  },
  {
    name: "METADATA_JDBC_URL",
    group: "database",
    description: `MySQL JDBC URL: jdbc:mysql://HOST[:PORT]/DATABASE?${JDBC_URL_PARAMS}`,
    secret: false,
    isSwitch: false,
    required: true,
    validate: all(notEmpty, noWhitespace, validateJdbcUrl),
  },
  {
    name: "METADATA_USERNAME",
    group: "database",
    description: "MySQL user name",
    secret: false,
    isSwitch: false,
    required: true,
    validate: all(notEmpty, noWhitespace, validateDatabaseUser),
  },
  {
    name: "METADATA_PASSWORD",
    group: "database",
    description: "MySQL password",
    secret: true,
    isSwitch: false,
    required: true,
    validate: notEmpty,
  },
  {
    name: "MC_MAIL_HOST",
    group: "mail",
    description: "SMTP server host name",
    secret: false,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, noSurroundingSpace, validateHostName),
  },
  {
    name: "MC_MAIL_PORT",
    group: "mail",
    description: "SMTP server port (587 for submission with STARTTLS, 25 for plain SMTP)",
    secret: false,
    isSwitch: false,
    required: false,
    defaultValue: "587",
    validate: integerBetween(1, 65535),
  },
  {
    name: "MC_MAIL_USERNAME",
    group: "mail",
    description: "SMTP user name",
    secret: false,
    isSwitch: false,
    required: false,
    validate: notEmpty,
  },
  {
    name: "MC_MAIL_PASSWORD",
    group: "mail",
    description: "SMTP password",
    secret: true,
    isSwitch: false,
    required: false,
    validate: notEmpty,
  },
  {
    name: "MC_MAIL_FROM",
    group: "mail",
    description: "Sender address of the catalogue's e-mails (without it the app sends no mail at all)",
    secret: false,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, noSurroundingSpace, validateSender),
  },
  {
    name: "MC_S3_BUCKET",
    group: "assets",
    description: "S3 bucket that stores uploaded assets",
    secret: false,
    isSwitch: false,
    required: false,
    validate: validateS3BucketName,
  },
  {
    name: "MC_S3_REGION",
    group: "assets",
    description: "AWS region of the S3 bucket, e.g. eu-west-1",
    secret: false,
    isSwitch: false,
    required: false,
    validate: validateRegion,
  },
  {
    name: "MC_S3_KEY",
    group: "assets",
    description: "Access key ID allowed to read and write the bucket",
    secret: true,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, noWhitespace),
  },
  {
    name: "MC_S3_SECRET",
    group: "assets",
    description: "Secret access key belonging to MC_S3_KEY",
    secret: true,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, noWhitespace),
  },
  {
    name: "MC_ES_ELEMENTS_PER_BATCH",
    group: "search",
    description: "Catalogue elements sent to Elasticsearch per indexing batch (app default 30)",
    secret: false,
    isSwitch: false,
    required: false,
    defaultValue: "20",
    validate: positiveInteger,
  },
  {
    name: "MC_ES_DELAY_AFTER_BATCH",
    group: "search",
    description: "Pause in milliseconds after each indexing batch, to keep Elasticsearch responsive",
    secret: false,
    isSwitch: false,
    required: false,
    defaultValue: "200",
    validate: integerBetween(0, MAX_JAVA_INT, " (milliseconds)"),
  },
  {
    name: "MC_GOOGLE_KEY",
    group: "google",
    description: "Google OAuth client ID for 'Log in with Google'",
    secret: false,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, noWhitespace),
  },
  {
    name: "MC_GOOGLE_SECRET",
    group: "google",
    description: "Google OAuth client secret belonging to MC_GOOGLE_KEY",
    secret: true,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, noWhitespace),
  },
  {
    name: "CATALINA_OPTS",
    group: "jvm",
    description:
      "Tomcat JVM options; the heap (-Xmx) plus PermGen and JVM overhead must fit the mc container",
    secret: false,
    isSwitch: false,
    required: false,
    validate: all(notEmpty, validateCatalinaOpts),
  },
];

/**
 * Every value is first checked to be one line of reasonable length, before the variable's own rules
 * (which then never run over 100 KB of text): a newline would split the error line and the container's
 * environment, a NUL cuts the value short in the container, and ECS limits a task definition to 64 KiB.
 */
export const VARIABLES: readonly VariableSpec[] = SPECS.map((spec) => ({
  ...spec,
  validate: all(wellFormed, spec.validate),
}));

export const GROUPS: readonly GroupSpec[] = [
  { id: "application", title: "Application", optional: false },
  { id: "database", title: "Database (MySQL)", optional: false },
  {
    id: "mail",
    title: "Mail",
    optional: true,
    question: "Send e-mail (sign-up confirmations, password resets)?",
  },
  {
    id: "assets",
    title: "Asset storage (Amazon S3)",
    optional: true,
    question: "Store uploaded assets in Amazon S3?",
  },
  { id: "search", title: "Search indexing (Elasticsearch)", optional: false },
  { id: "google", title: "Google login", optional: true, question: "Allow users to log in with Google?" },
  { id: "jvm", title: "Java virtual machine", optional: false },
];

const VARIABLES_BY_NAME: ReadonlyMap<string, VariableSpec> = new Map(
  VARIABLES.map((spec) => [spec.name, spec]),
);

export function variableSpec(name: string): VariableSpec | undefined {
  return VARIABLES_BY_NAME.get(name);
}

/** Unknown variables are judged by their name, so that a hand-added password is still never shown. */
export function isSecretVariable(name: string): boolean {
  return variableSpec(name)?.secret ?? SECRET_NAME_PATTERN.test(name);
}

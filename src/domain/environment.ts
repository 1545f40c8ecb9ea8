import { quote } from "./formats.js";
import {
  all,
  integerBetween,
  JDBC_URL_PARAMS,
  MAX_JAVA_INT,
  noSurroundingSpace,
  notEmpty,
  noWhitespace,
  positiveInteger,
  switchValue,
  validateCatalinaOpts,
  validateDatabaseUser,
  validateEmail,
  validateHostName,
  validateJdbcUrl,
  validatePublicHost,
  validateRegion,
  validateS3BucketName,
  validateSender,
  validateSupervisorPassword,
  wellFormed,
} from "./variable-checks.js";

export {
  buildJdbcUrl,
  JDBC_URL_PARAMS,
  type JdbcUrl,
  type ParseResult,
  parseJdbcUrl,
  SWITCH_ON_VALUE,
  validateEmail,
  validateHostName,
  validateS3BucketName,
} from "./variable-checks.js";

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

/** Shown instead of a secret value wherever values are displayed. */
export const SECRET_MASK = "********";
/** Names of variables mcctl does not know but whose values must be treated as secrets anyway. */
const SECRET_NAME_PATTERN = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_KEY/i;

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

/** METADATA_SCHEME://METADATA_HOST/ — where Model Catalogue says its users reach it. */
export function appUrl(
  environment: readonly { name?: string; value?: string }[] | undefined,
): string | undefined {
  const value = (name: string) => environment?.find((entry) => entry.name === name)?.value;
  const host = value("METADATA_HOST");
  return host ? `${value("METADATA_SCHEME") ?? "http"}://${host}/` : undefined;
}

/**
 * The global options, resolved once per run from flags, the environment and the settings file, and
 * validated before anything else happens: a bad region, cluster or endpoint is a usage error (exit 2)
 * naming where it came from, never a request AWS refuses or an "unexpected error" from the SDK.
 */
import type * as z from "zod/mini";
import { type AwsTimeouts, DEFAULT_TIMEOUTS } from "../aws/limits.js";
import { VARIABLES } from "../domain/environment.js";
import { UsageError } from "../errors.js";
import { DEFAULT_CLUSTER, DEFAULT_SERVICE, DEFAULT_SETTINGS_PATH } from "./defaults.js";
import { refuseRealAccountFlags, sandboxFromEnv, settingsForMode } from "./sandbox-mode.js";
import { type LoadedSettings, loadSettings } from "./settings.js";
import * as values from "./values.js";

// For the driver, which loads this module for every verb anyway (one file fewer at start-up).
export { sandboxFlags, sandboxFromEnv } from "./sandbox-mode.js";

export type RetryMode = "standard" | "adaptive";

/** Options every command accepts (see `mcctl --help`). */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  cluster?: string;
  service?: string;
  /** Read by the verbs that know the task definition family (src/driver/run.ts passes it on). */
  family?: string;
  config?: string;
  yes?: boolean;
  json?: boolean;
  debug?: boolean;
  color?: boolean;
  /** Run against the sandbox account (also MCCTL_SANDBOX=1; implied by the `sandbox` verbs). */
  sandbox?: boolean;
}

export interface ResolvedGlobals {
  /** The settings file (--config, default ./mcctl.json), loaded and validated. */
  settings: LoadedSettings;
  /**
   * The sandbox account instead of AWS: then region, profile and endpoint are the sandbox's own, and
   * AWS_REGION, AWS_PROFILE and AWS_ENDPOINT_URL are ignored.
   */
  sandbox: boolean;
  cluster: string;
  service: string;
  /** Undefined: none given anywhere; the SDK then looks in the profile. */
  region: string | undefined;
  profile: string | undefined;
  endpointUrl: string | undefined;
  /** From AWS_MAX_ATTEMPTS and AWS_RETRY_MODE; undefined when not set. */
  maxAttempts: number | undefined;
  retryMode: RetryMode | undefined;
  /** From MCCTL_AWS_CONNECT_TIMEOUT, MCCTL_AWS_REQUEST_TIMEOUT and MCCTL_AWS_CALL_TIMEOUT, with defaults. */
  timeouts: AwsTimeouts;
}

const HINTS = {
  region: "Regions look like eu-west-1 or us-east-1.",
  name: "ECS names are 1 to 255 letters, digits, hyphens and underscores.",
  endpoint: "Give the endpoint as http(s)://host[:port], e.g. http://localhost:4566 for LocalStack.",
  profile: "Give the name of a profile in ~/.aws/config.",
  config: "Give the path of a settings file, or leave --config out to use ./mcctl.json.",
  attempts: "It is how many times the SDK tries a call (default 5).",
  timeout: "Give a duration from 1ms to 1h such as 30s, 1m or 500ms, or unset it for the default.",
  retryMode: "Use standard or adaptive.",
  family: "Task definition families are 1 to 255 letters, digits, hyphens and underscores.",
} as const;

/** A flag's value: given means checked, an empty one included. */
function fromFlag<T extends z.ZodMiniType>(
  schema: T,
  value: string | undefined,
  name: string,
  hint: string,
): z.output<T> | undefined {
  return value === undefined ? undefined : values.parseValue(schema, value, name, hint);
}

/**
 * An environment variable's value. `emptyIsUnset` follows the AWS SDK, which ignores an empty AWS_*
 * variable; mcctl's own variables have no such history, so MCCTL_CLUSTER='' is a mistake to report.
 */
function fromEnv<T extends z.ZodMiniType>(
  schema: T,
  env: NodeJS.ProcessEnv,
  name: string,
  hint: string,
  emptyIsUnset: boolean,
): z.output<T> | undefined {
  const value = env[name];
  if (value === undefined || (emptyIsUnset && value === "")) return undefined;
  return values.parseValue(schema, value, name, `Correct or unset ${name}. ${hint}`);
}

/**
 * Validates the global flags and the environment variables behind them, then loads the settings file.
 * Precedence: flag > environment variable > settings file > default. Throws a UsageError naming the
 * first bad value; nothing here calls AWS.
 */
export async function resolveGlobals(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedGlobals> {
  const sandbox = options.sandbox === true || sandboxFromEnv(env);
  if (sandbox) refuseRealAccountFlags(options as Record<string, unknown>);
  // In the sandbox the variables that point at a real account are ignored, not checked.
  const realEnv = sandbox ? {} : env;
  const region =
    fromFlag(values.region, options.region, "--region", HINTS.region) ??
    fromEnv(values.region, realEnv, "AWS_REGION", HINTS.region, true) ??
    fromEnv(values.region, realEnv, "AWS_DEFAULT_REGION", HINTS.region, true);
  const endpointUrl =
    fromFlag(values.httpUrl, options.endpointUrl, "--endpoint-url", HINTS.endpoint) ??
    fromEnv(values.httpUrl, realEnv, "AWS_ENDPOINT_URL", HINTS.endpoint, true);
  const profile =
    fromFlag(values.profileName, options.profile, "--profile", HINTS.profile) ??
    fromEnv(values.profileName, realEnv, "AWS_PROFILE", HINTS.profile, true);
  const cluster =
    fromFlag(values.clusterName, options.cluster, "--cluster", HINTS.name) ??
    fromEnv(values.clusterName, env, "MCCTL_CLUSTER", HINTS.name, false);
  const service =
    fromFlag(values.serviceName, options.service, "--service", HINTS.name) ??
    fromEnv(values.serviceName, env, "MCCTL_SERVICE", HINTS.name, false);
  const maxAttempts = fromEnv(values.maxAttempts, env, "AWS_MAX_ATTEMPTS", HINTS.attempts, true);
  const retryMode = fromEnv(values.retryMode, env, "AWS_RETRY_MODE", HINTS.retryMode, true);
  const timeout = (name: string) => fromEnv(values.awsTimeout, env, name, HINTS.timeout, true);
  const requestMs = timeout("MCCTL_AWS_REQUEST_TIMEOUT") ?? DEFAULT_TIMEOUTS.requestMs;
  const timeouts: AwsTimeouts = {
    connectMs: timeout("MCCTL_AWS_CONNECT_TIMEOUT") ?? DEFAULT_TIMEOUTS.connectMs,
    requestMs,
    // Left unset, a call is never bounded more tightly than one attempt of it.
    callMs: timeout("MCCTL_AWS_CALL_TIMEOUT") ?? Math.max(DEFAULT_TIMEOUTS.callMs, requestMs),
  };
  // Read by register-task and setup (task-inputs); checked here so that it fails before any AWS call.
  fromEnv(values.family, env, "MCCTL_TASK_FAMILY", HINTS.family, false);
  const configPath = fromFlag(values.filePath, options.config, "--config", HINTS.config);

  const settings = settingsForMode(
    await loadSettings(configPath ?? DEFAULT_SETTINGS_PATH, { explicit: configPath !== undefined }),
    sandbox,
  );
  const file = settings.settings;
  return {
    settings,
    sandbox,
    cluster: cluster ?? file.cluster ?? DEFAULT_CLUSTER,
    service: service ?? file.service ?? DEFAULT_SERVICE,
    region: sandbox ? undefined : (region ?? file.region),
    profile,
    endpointUrl,
    maxAttempts,
    retryMode: retryMode as RetryMode | undefined,
    timeouts,
  };
}

/**
 * The Model Catalogue variables (MC_*, METADATA_*, CATALINA_OPTS) set in the environment, each checked
 * with its own rules, for the commands that read them (register-task, setup) to call before any AWS
 * call. An empty variable counts as unset, as it does where the values are gathered.
 */
export function checkVariables(env: NodeJS.ProcessEnv): void {
  for (const spec of VARIABLES) {
    const value = env[spec.name];
    if (value === undefined || value === "") continue;
    const problem = spec.validate(value);
    if (problem) {
      throw new UsageError(`${spec.name} ${problem}`, {
        suggestion: `Correct or unset the environment variable ${spec.name}.`,
      });
    }
  }
}

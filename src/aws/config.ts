import { UsageError } from "../errors.js";
import { parseDuration } from "../operations/durations.js";
import { type AwsTimeouts, DEFAULT_TIMEOUTS, formatMs } from "./limits.js";

export type RetryMode = "standard" | "adaptive";

/** How every SDK client is built; resolved once from flags, environment and the settings file. */
export interface AwsConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: RetryMode;
  /** Connection, attempt and call timeouts; DEFAULT_TIMEOUTS when left out. */
  timeouts?: AwsTimeouts;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_ATTEMPTS_LIMIT = 20;
const MAX_TIMEOUT_MS = 3_600_000;

/** Environment variables that tune the transport, each with what it sets. */
export const TIMEOUT_VARIABLES = {
  MCCTL_AWS_CONNECT_TIMEOUT: "connectMs",
  MCCTL_AWS_REQUEST_TIMEOUT: "requestMs",
  MCCTL_AWS_CALL_TIMEOUT: "callMs",
} as const satisfies Record<string, keyof AwsTimeouts>;

/**
 * The SDK reads AWS_REGION, AWS_PROFILE and AWS_ENDPOINT_URL by itself, but mcctl resolves them here
 * so that flags win, the settings file is a fallback and error messages can name the region used.
 * A malformed tuning variable is a UsageError naming it: the SDK would ignore it silently.
 */
export function resolveAwsConfig(
  flags: { region?: string; profile?: string; endpointUrl?: string },
  env: NodeJS.ProcessEnv,
  settingsRegion: string | undefined,
): AwsConfig {
  return {
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? settingsRegion,
    profile: flags.profile ?? env.AWS_PROFILE,
    endpoint: flags.endpointUrl ?? env.AWS_ENDPOINT_URL,
    maxAttempts: maxAttempts(env.AWS_MAX_ATTEMPTS),
    retryMode: retryMode(env.AWS_RETRY_MODE),
    timeouts: resolveTimeouts(env),
  };
}

/** Options shared by every SDK client constructor. */
export function sdkClientOptions(config: AwsConfig) {
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
  };
}

/** The timeouts from MCCTL_AWS_*_TIMEOUT; an unset call timeout is never shorter than one attempt. */
export function resolveTimeouts(env: NodeJS.ProcessEnv): AwsTimeouts {
  const read = (name: keyof typeof TIMEOUT_VARIABLES) => {
    const text = env[name];
    if (text === undefined || text === "") return undefined;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw new UsageError(`${name} must be a duration from 1ms to 1h such as 20s, not ${shown(text)}`, {
        suggestion: `Unset it for the default (${formatMs(DEFAULT_TIMEOUTS[TIMEOUT_VARIABLES[name]])}) or give e.g. 30s, 1m or 500ms.`,
      });
    }
    return ms;
  };
  const requestMs = read("MCCTL_AWS_REQUEST_TIMEOUT") ?? DEFAULT_TIMEOUTS.requestMs;
  return {
    connectMs: read("MCCTL_AWS_CONNECT_TIMEOUT") ?? DEFAULT_TIMEOUTS.connectMs,
    requestMs,
    callMs: read("MCCTL_AWS_CALL_TIMEOUT") ?? Math.max(DEFAULT_TIMEOUTS.callMs, requestMs),
  };
}

function maxAttempts(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_MAX_ATTEMPTS;
  const attempts = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(attempts >= 1 && attempts <= MAX_ATTEMPTS_LIMIT)) {
    throw new UsageError(
      `AWS_MAX_ATTEMPTS must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}, not ${shown(text)}`,
      { suggestion: `Unset it for the default (${DEFAULT_MAX_ATTEMPTS} attempts).` },
    );
  }
  return attempts;
}

function retryMode(text: string | undefined): RetryMode {
  if (text === undefined || text === "" || text === "standard") return "standard";
  if (text === "adaptive") return "adaptive";
  throw new UsageError(`AWS_RETRY_MODE must be standard or adaptive, not ${shown(text)}`, {
    suggestion: "Unset it for the default (standard).",
  });
}

/** A value echoed in a message: quoted, on one line and cut short. */
function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

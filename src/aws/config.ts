import { type AwsTimeouts, DEFAULT_TIMEOUTS } from "./limits.js";

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

/**
 * How the SDK clients are built, from the global options already checked (src/config/globals.ts): flags
 * win over the environment, the settings file is a fallback, and error messages can name the region.
 */
export function resolveAwsConfig(globals: {
  region?: string | undefined;
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  maxAttempts?: number | undefined;
  retryMode?: RetryMode | undefined;
  timeouts?: AwsTimeouts | undefined;
}): AwsConfig {
  return {
    ...(globals.region ? { region: globals.region } : {}),
    ...(globals.profile ? { profile: globals.profile } : {}),
    ...(globals.endpointUrl ? { endpoint: globals.endpointUrl } : {}),
    maxAttempts: globals.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: globals.retryMode ?? "standard",
    timeouts: globals.timeouts ?? DEFAULT_TIMEOUTS,
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

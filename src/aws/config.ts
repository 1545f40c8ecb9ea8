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
  /**
   * The sandbox's own fixed credentials: the SDK's credential chain (profiles, AWS_ACCESS_KEY_ID, instance
   * metadata) is then never consulted.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
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
    // AWS_USE_FIPS_ENDPOINT or a profile's use_dualstack_endpoint would make the SDK refuse the endpoint.
    ...(config.credentials
      ? { credentials: config.credentials, useFipsEndpoint: false, useDualstackEndpoint: false }
      : {}),
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
  };
}

/** The sandbox's account, as the SDK clients reach it. */
export interface SandboxEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * How the SDK clients reach the sandbox: its loopback endpoint, region and credentials; nothing of AWS's. Retries
 * and timeouts are resolved as for AWS (`globals` has no region, profile or endpoint in sandbox mode).
 */
export function sandboxAwsConfig(
  sandbox: SandboxEndpoint,
  globals: Parameters<typeof resolveAwsConfig>[0],
): AwsConfig {
  return {
    ...resolveAwsConfig(globals),
    region: sandbox.region,
    endpoint: sandbox.endpoint,
    credentials: sandbox.credentials,
  };
}

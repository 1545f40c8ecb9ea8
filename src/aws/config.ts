export type RetryMode = "standard" | "adaptive";

/** How every SDK client is built; resolved once from flags, environment and the settings file. */
export interface AwsConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: RetryMode;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * The SDK reads AWS_REGION, AWS_PROFILE and AWS_ENDPOINT_URL by itself, but mcctl resolves them here
 * so that flags win, the settings file is a fallback and error messages can name the region used.
 */
export function resolveAwsConfig(
  flags: { region?: string; profile?: string; endpointUrl?: string },
  env: NodeJS.ProcessEnv,
  settingsRegion: string | undefined,
): AwsConfig {
  const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? "", 10);
  return {
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? settingsRegion,
    profile: flags.profile ?? env.AWS_PROFILE,
    endpoint: flags.endpointUrl ?? env.AWS_ENDPOINT_URL,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : DEFAULT_MAX_ATTEMPTS,
    retryMode: env.AWS_RETRY_MODE === "adaptive" ? "adaptive" : "standard",
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

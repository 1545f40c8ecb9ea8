/**
 * Sandbox mode (`--sandbox`, MCCTL_SANDBOX=1): every command runs against a simulated AWS account kept on this
 * machine (src/sandbox/). Decided here, from the flags, the environment and the settings file, before any AWS
 * client exists: the sandbox and a real account never mix, in either direction.
 */
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { SANDBOX_ENV } from "./defaults.js";
import type { LoadedSettings, Settings } from "./settings.js";

export { SANDBOX_BANNER, SANDBOX_ENV } from "./defaults.js";

/** Where the sandbox account lives: `.mcctl/sandbox.jsonl` beside the settings file. */
export function sandboxStateFile(settingsPath: string): string {
  return join(dirname(settingsPath), ".mcctl", "sandbox.jsonl");
}

/** Whether MCCTL_SANDBOX turns the sandbox on; a value that is neither on nor off is a usage error. */
export function sandboxFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env[SANDBOX_ENV];
  if (value === undefined || value === "" || value === "0" || value.toLowerCase() === "false") return false;
  if (value === "1" || value.toLowerCase() === "true") return true;
  throw new UsageError(`${SANDBOX_ENV} must be 1 or 0, got ${JSON.stringify(value.slice(0, 40))}`, {
    suggestion: `Set ${SANDBOX_ENV}=1 to use the sandbox account, or unset it to use AWS.`,
  });
}

/** The global flags that name a real account: meaningless with --sandbox, which has its own. */
const REAL_ACCOUNT_FLAGS = [
  ["region", "--region"],
  ["profile", "--profile"],
  ["endpointUrl", "--endpoint-url"],
] as const;

export function refuseRealAccountFlags(options: Partial<Record<string, unknown>>): void {
  for (const [key, flag] of REAL_ACCOUNT_FLAGS) {
    if (options[key] === undefined) continue;
    throw new UsageError(
      `${flag} cannot be used with the sandbox: it has its own account, region and endpoint`,
      {
        suggestion: `Leave ${flag} out, or leave out --sandbox (and ${SANDBOX_ENV}) to use a real AWS account.`,
      },
    );
  }
}

/**
 * What a brand-new sandbox deployment answers without a terminal, so that `mcctl --sandbox setup --yes` runs to
 * a steady service with nothing set: invented, obviously practice values (no mail, no Google login, no key pair),
 * and the current instance type and MySQL version rather than the old guide's.
 */
export const PRACTICE_ANSWERS: Settings = {
  environment: {
    METADATA_HOST: "catalogue.sandbox.example.org",
    MC_SUPERVISOR_EMAIL: "supervisor@example.org",
  },
  features: { mail: false, google: false, advanced: false },
  setup: {
    instance: { type: "m5.xlarge", keyPair: false },
    database: { engineVersion: "8.0", instanceClass: "db.t3.small" },
  },
};

/**
 * The settings file as the mode allows it: a sandbox file is refused outside the sandbox, a real one inside it
 * (the sandbox would write its practice deployment over it); in the sandbox the file is marked, and a new one
 * starts from the practice answers.
 */
export function settingsForMode(loaded: LoadedSettings, sandbox: boolean): LoadedSettings {
  const marked = loaded.settings.sandbox === true;
  if (!sandbox && marked) {
    throw new UsageError(
      `${loaded.path} was written in the sandbox ("sandbox": true): it describes the practice account, not a real one`,
      {
        suggestion: `Run the command with --sandbox (or ${SANDBOX_ENV}=1), or give the real deployment its own file with --config.`,
      },
    );
  }
  if (!sandbox) return loaded;
  if (loaded.exists && !marked) {
    throw new UsageError(
      `${loaded.path} describes a real deployment (it has no "sandbox": true); the sandbox will not use it`,
      {
        suggestion:
          "Run the sandbox in another directory, or give it its own file with --config sandbox.json.",
      },
    );
  }
  const settings: Settings = loaded.exists ? loaded.settings : { ...PRACTICE_ANSWERS };
  return { ...loaded, settings: { sandbox: true, ...settings } };
}

/** How often a command looks while it waits, in the sandbox, where AWS's waits take seconds. */
export const SANDBOX_POLL_INTERVAL = "1s";

/** Flags that reach hosts on the network: the sandbox's hosts are simulated and answer nothing. */
const NETWORK_FLAGS = [
  ["healthUrl", "--health-url"],
  ["checkHealth", "--check-health"],
  ["sshKey", "--ssh-key"],
] as const;

/**
 * A verb's flags as the sandbox runs them: the waits poll every second unless --poll-interval was given, and a
 * flag that would reach a host on the network is refused. `isDefault(key)`: the value is the declared default.
 */
export function sandboxFlags(
  flags: Readonly<Record<string, unknown>>,
  isDefault: (key: string) => boolean,
): Record<string, unknown> {
  for (const [key, flag] of NETWORK_FLAGS) {
    if (flags[key] === undefined || flags[key] === false) continue;
    throw new UsageError(
      `${flag} cannot be used in the sandbox: its hosts are simulated and answer nothing`,
      {
        suggestion: `Leave ${flag} out; the sandbox's status and logs show what the service does.`,
      },
    );
  }
  return "pollInterval" in flags && isDefault("pollInterval") ? { pollInterval: SANDBOX_POLL_INTERVAL } : {};
}

/**
 * The sandbox account as a running command uses it: the journaled simulated account (account.ts), served on a
 * loopback port (http/server.ts) for the real SDK clients. Loaded only in sandbox mode (src/context.ts).
 */
import { createHash } from "node:crypto";
import type { SandboxEndpoint } from "../aws/config.js";
import type { SandboxFaultName } from "../config/defaults.js";
import { sandboxStateFile } from "../config/sandbox-mode.js";
import { openSandboxAccount, resetSandboxAccount, SANDBOX_IDENTITY } from "./account.js";
import { serveSimulatedAws } from "./http/server.js";

export interface RunningSandbox extends SandboxEndpoint {
  readonly accountId: string;
  /** The account's journal, `.mcctl/sandbox.jsonl` beside the settings file. */
  readonly stateFile: string;
  /** When the account was made, and how many entries its journal had when this run opened it. */
  describe(): { createdAt: string; calls: number };
  /** Values for the secrets of a brand-new deployment: invented, stable for this account, never shown. */
  practiceSecrets(): Record<string, string>;
  /** Arranges a fault for its next occurrence; says what will happen. */
  arrange(fault: SandboxFaultName): string;
  /** Stops serving, then forgets the account: the next command starts a new one. */
  reset(): Promise<void>;
}

const PRACTICE_SECRETS = [
  "METADATA_PASSWORD",
  "MC_SUPERVISOR_PASSWORD",
  "MC_S3_KEY",
  "MC_S3_SECRET",
] as const;

/** Opens the sandbox account of the settings file at `settingsPath` and serves it on 127.0.0.1. */
export async function startSandbox(settingsPath: string): Promise<RunningSandbox> {
  const stateFile = sandboxStateFile(settingsPath);
  const account = openSandboxAccount(stateFile);
  let server: Awaited<ReturnType<typeof serveSimulatedAws>>;
  try {
    server = await serveSimulatedAws(account.sim, { unref: true });
  } catch (error) {
    account.close();
    throw error;
  }
  for (const pending of account.pendingHttpFaults()) {
    server.inject({ fault: pending.fault, service: pending.service, times: pending.times });
  }
  server.onRequest((request) => {
    if (request.fault === "hang") account.httpFaultTaken(request.service);
  });
  // The journal is written as calls happen; the lock goes with the process, however it ends.
  const release = () => account.close();
  process.once("exit", release);
  const createdAt = new Date(account.createdAt).toISOString();
  return {
    accountId: SANDBOX_IDENTITY.accountId,
    region: SANDBOX_IDENTITY.region,
    credentials: {
      accessKeyId: SANDBOX_IDENTITY.accessKeyId,
      secretAccessKey: SANDBOX_IDENTITY.secretAccessKey,
    },
    endpoint: server.url,
    stateFile,
    describe: () => ({ createdAt, calls: account.replayed }),
    practiceSecrets: () =>
      Object.fromEntries(PRACTICE_SECRETS.map((name) => [name, practiceSecret(name, createdAt)])),
    arrange: (fault) => account.arrange(fault),
    reset: async () => {
      await server.close();
      process.off("exit", release);
      account.close();
      resetSandboxAccount(stateFile);
    },
  };
}

/** Derived from the account's creation, so that every command of one account invents the same value. */
function practiceSecret(name: string, createdAt: string): string {
  const digest = createHash("sha256").update(`mcctl sandbox ${createdAt} ${name}`).digest("hex");
  // MC_S3_KEY has the shape of an access key id; the others are passwords with every character class.
  return name === "MC_S3_KEY"
    ? `AKIA${digest.slice(0, 16).toUpperCase()}`
    : `Sandbox-${digest.slice(0, 20)}-1a`;
}

import type { RunningSandbox } from "../../src/sandbox/index.js";

/**
 * A RunningSandbox without a simulator behind it, for the verbs of `mcctl sandbox` run in-process: it records
 * every change asked of it in `changes`.
 */
export function fakeSandbox(options: { calls?: number } = {}): RunningSandbox & { changes: string[] } {
  const changes: string[] = [];
  return {
    changes,
    accountId: "000000000000",
    region: "eu-west-1",
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "AKIASANDBOXFAKE", secretAccessKey: "fake" },
    stateFile: ".mcctl/sandbox.jsonl",
    describe: () => ({ createdAt: "2026-12-07T00:00:00.000Z", calls: options.calls ?? 12 }),
    practiceSecrets: () => ({}),
    arrange: (fault) => {
      changes.push(`arrange ${fault}`);
      return `${fault} arranged`;
    },
    reset: async () => {
      changes.push("reset");
    },
  };
}

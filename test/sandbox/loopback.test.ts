/**
 * Issue 19: sandbox mode never reaches a non-loopback address, whatever the environment says about a real
 * account. The built binary runs with a watch on every outgoing connection and DNS lookup (connect-watch.mjs),
 * with AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL and AWS_REGION all pointing at a "real" account whose
 * profile would leave a mark if it were ever consulted.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { assertBuilt, childEnv, makeTempDir, removeTempDir, runCli } from "../bin/harness.js";

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir();
});
afterAll(() => removeTempDir(dir));

it("with a real account's credentials, profile and endpoint in the environment, only 127.0.0.1 is reached", async () => {
  const log = join(dir, "connections.jsonl");
  const mark = join(dir, "profile-was-used");
  const config = join(dir, "aws-config");
  await writeFile(
    config,
    `[profile production]\nregion = us-east-1\ncredential_process = sh -c "touch ${mark}; exit 1"\n`,
  );
  const env = childEnv(dir, {
    AWS_PROFILE: "production",
    AWS_CONFIG_FILE: config,
    AWS_ACCESS_KEY_ID: "AKIAREALACCOUNTKEY01",
    AWS_SECRET_ACCESS_KEY: "real-account-secret",
    AWS_ENDPOINT_URL: "https://192.0.2.10",
    AWS_REGION: "us-east-1",
    MCCTL_CONNECT_LOG: log,
  });
  const preload = join(import.meta.dirname, "connect-watch.mjs");
  for (const args of [
    ["--sandbox", "setup", "--yes"],
    ["--sandbox", "status"],
  ]) {
    const result = await runCli(args, {
      cwd: dir,
      env,
      stdin: "ignore",
      timeoutMs: 180_000,
      nodeArgs: ["--import", preload],
    });
    expect(result.code, `${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
  }

  const entries = (await readFile(log, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { connect?: string; lookup?: string });
  const connections = entries.flatMap((entry) => entry.connect ?? []);
  expect(connections.length).toBeGreaterThan(10);
  expect(connections.filter((target) => !/^(127\.0\.0\.1|localhost|::1):\d+$/.test(target))).toEqual([]);
  expect(
    entries
      .flatMap((entry) => entry.lookup ?? [])
      .filter((host) => !/^(127\.0\.0\.1|localhost|::1)$/.test(host)),
  ).toEqual([]);
  expect(existsSync(mark), "the production profile's credential_process ran").toBe(false);
  expect(await readFile(join(dir, ".mcctl", "sandbox.jsonl"), "utf8")).not.toMatch(/AKIAREAL|real-account/);
}, 240_000);

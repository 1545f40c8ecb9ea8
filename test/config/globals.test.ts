import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkVariables, resolveGlobals } from "../../src/config/globals.js";
import type { GlobalOptions } from "../../src/context.js";
import { UsageError } from "../../src/errors.js";

let dir: string;
let settingsPath: string;
const missing = () => join(dir, "missing.json");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcctl-globals-"));
  settingsPath = join(dir, "mcctl.json");
  await writeFile(
    settingsPath,
    JSON.stringify({ region: "eu-central-1", cluster: "file-cluster", service: "file-svc" }),
  );
});

/** Resolves with the settings file of the test unless `config` says otherwise. */
function resolve(options: GlobalOptions = {}, env: NodeJS.ProcessEnv = {}) {
  return resolveGlobals({ config: settingsPath, ...options }, env);
}

async function failure(attempt: Promise<unknown>): Promise<UsageError> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe("resolveGlobals: precedence", () => {
  it("flag > environment variable > settings file > default", async () => {
    expect(await resolve()).toMatchObject({
      region: "eu-central-1",
      cluster: "file-cluster",
      service: "file-svc",
    });
    expect(
      await resolve({}, { AWS_REGION: "us-east-1", MCCTL_CLUSTER: "env-cluster", MCCTL_SERVICE: "env-svc" }),
    ).toMatchObject({ region: "us-east-1", cluster: "env-cluster", service: "env-svc" });
    expect(
      await resolve(
        { region: "ap-south-1", cluster: "flag-cluster", service: "flag-svc" },
        { AWS_REGION: "us-east-1", MCCTL_CLUSTER: "env-cluster", MCCTL_SERVICE: "env-svc" },
      ),
    ).toMatchObject({ region: "ap-south-1", cluster: "flag-cluster", service: "flag-svc" });
    expect(await resolve({ config: missing() })).toMatchObject({
      region: undefined,
      cluster: "default",
      service: "mc",
    });
  });

  it("takes AWS_DEFAULT_REGION when AWS_REGION is unset or empty, as the SDK does", async () => {
    expect((await resolve({ config: missing() }, { AWS_DEFAULT_REGION: "eu-north-1" })).region).toBe(
      "eu-north-1",
    );
    expect((await resolve({}, { AWS_REGION: "", AWS_DEFAULT_REGION: "eu-north-1" })).region).toBe(
      "eu-north-1",
    );
  });

  it("passes on the endpoint, the profile and the SDK's retry settings", async () => {
    expect(
      await resolve(
        { endpointUrl: "http://localhost:4566", profile: "ops" },
        { AWS_MAX_ATTEMPTS: "3", AWS_RETRY_MODE: "adaptive" },
      ),
    ).toMatchObject({
      endpointUrl: "http://localhost:4566",
      profile: "ops",
      maxAttempts: 3,
      retryMode: "adaptive",
    });
    expect(
      await resolve(
        {},
        { AWS_ENDPOINT_URL: "https://ecs.example.com", AWS_PROFILE: "dev", AWS_MAX_ATTEMPTS: "" },
      ),
    ).toMatchObject({ endpointUrl: "https://ecs.example.com", profile: "dev", maxAttempts: undefined });
  });

  it("does not judge a variable a flag overrides", async () => {
    const globals = await resolve(
      { region: "eu-west-1", cluster: "c" },
      { AWS_REGION: "bogus", MCCTL_CLUSTER: "" },
    );
    expect(globals).toMatchObject({ region: "eu-west-1", cluster: "c" });
  });
});

describe("resolveGlobals: bad values", () => {
  it.each([
    [{ region: "not-a-region" }, {}, '--region "not-a-region" is not an AWS region like eu-west-1'],
    [{ region: "" }, {}, "--region is empty"],
    [{}, { AWS_REGION: "eu west 1" }, 'AWS_REGION "eu west 1" is not an AWS region like eu-west-1'],
    [{}, { AWS_REGION: "", AWS_DEFAULT_REGION: "x" }, 'AWS_DEFAULT_REGION "x" is not an AWS region'],
    [{ endpointUrl: "notaurl" }, {}, '--endpoint-url "notaurl" is not a URL'],
    [{}, { AWS_ENDPOINT_URL: "ftp://h" }, 'AWS_ENDPOINT_URL "ftp://h" is not an http:// or https:// URL'],
    [{ cluster: "" }, {}, "--cluster is empty"],
    [{}, { MCCTL_CLUSTER: "" }, "MCCTL_CLUSTER is empty"],
    [{ service: "a b" }, {}, '--service "a b" is not an ECS service name'],
    [{}, { MCCTL_SERVICE: "" }, "MCCTL_SERVICE is empty"],
    [{ profile: "" }, {}, "--profile is empty"],
    [{}, { AWS_MAX_ATTEMPTS: "abc" }, 'AWS_MAX_ATTEMPTS "abc" is not a whole number from 1 to 20'],
    [{}, { AWS_RETRY_MODE: "legacy" }, 'AWS_RETRY_MODE "legacy" is not a retry mode'],
    [{}, { MCCTL_TASK_FAMILY: "bad!" }, 'MCCTL_TASK_FAMILY "bad!" is not an ECS task definition family name'],
    [{ config: "" }, {}, "--config is empty"],
  ] as const)("%j %j: %s", async (options, env, message) => {
    const error = await failure(resolve(options, env));
    expect(error.message.startsWith(message), error.message).toBe(true);
    expect(error.exitCode).toBe(2);
    expect(error.suggestion).toBeTruthy();
  });

  it("tells an environment variable to be corrected or unset", async () => {
    const error = await failure(resolve({}, { MCCTL_CLUSTER: "" }));
    expect(error.suggestion).toMatch(/^Correct or unset MCCTL_CLUSTER\. /);
  });

  it("refuses a --config in a directory that does not exist, and accepts a missing one in an existing directory", async () => {
    const error = await failure(resolve({ config: join(dir, "nope", "mcctl.json") }));
    expect(error.message).toMatch(/nope\/mcctl\.json \(--config\): its directory does not exist/);
    expect((await resolve({ config: missing() })).settings).toMatchObject({ exists: false, settings: {} });
  });

  it("reports a bad settings file", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ cluster: "a\u0000b" }));
    const error = await failure(resolve({ config: bad }));
    expect(error.message).toMatch(/bad\.json: cluster contains a NUL character/);
  });
});

describe("checkVariables", () => {
  it("accepts valid and empty Model Catalogue variables and ignores the others", () => {
    expect(() =>
      checkVariables({ METADATA_HOST: "mc.example.com", MC_NAME: "", PATH: "/bin\n", MC_MAIL_PORT: "587" }),
    ).not.toThrow();
  });

  it("names the variable and its value, cut short", () => {
    expect(() => checkVariables({ MC_MAIL_PORT: "smtp" })).toThrow(
      'MC_MAIL_PORT must be a whole number from 1 to 65535, got "smtp"',
    );
    expect(() => checkVariables({ METADATA_HOST: "a".repeat(100_000) })).toThrow(
      "METADATA_HOST is 100000 characters long; at most 8192 are accepted",
    );
  });

  it("never echoes a secret", () => {
    let message = "";
    try {
      checkVariables({ METADATA_PASSWORD: "hunter2\nsecret" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^METADATA_PASSWORD contains a line feed/);
    expect(message).not.toContain("hunter2");
  });
});

describe("resolveGlobals: the sandbox", () => {
  const realAccount = {
    AWS_REGION: "us-east-1",
    AWS_PROFILE: "production",
    AWS_ENDPOINT_URL: "https://ecs.example.com",
  };

  it("ignores the variables that point at a real account, even bad ones", async () => {
    const sandboxFile = join(dir, "sandbox.json");
    await writeFile(sandboxFile, JSON.stringify({ sandbox: true, region: "eu-west-1" }));
    const globals = await resolveGlobals(
      { config: sandboxFile, sandbox: true },
      { ...realAccount, AWS_DEFAULT_REGION: "not a region" },
    );
    expect(globals).toMatchObject({ sandbox: true, region: undefined, profile: undefined });
    expect(globals.endpointUrl).toBeUndefined();
  });

  it("MCCTL_SANDBOX=1 turns it on like --sandbox", async () => {
    const fresh = join(dir, "fresh.json");
    const globals = await resolveGlobals({ config: fresh }, { MCCTL_SANDBOX: "1", ...realAccount });
    expect(globals.sandbox).toBe(true);
    expect(globals.settings.settings.sandbox).toBe(true);
  });

  it("refuses a real deployment's settings file", async () => {
    const error = await failure(resolve({ sandbox: true }));
    expect(error.message).toMatch(/describes a real deployment/);
  });

  it("without it, the variables are read as always", async () => {
    expect(await resolve({}, realAccount)).toMatchObject({ sandbox: false, region: "us-east-1" });
  });
});

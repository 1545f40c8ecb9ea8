/**
 * The built binary with stdin not a terminal (CI, pipes, cron): nothing may be asked, every missing
 * value is reported at once with exit code 2, and secrets never appear in the output.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertBuilt,
  assertRegisterTaskDefinitionInput,
  childEnv,
  environmentOf,
  makeTempDir,
  type RunResult,
  removeTempDir,
  runCli,
} from "./harness.js";

const JDBC_URL = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const CANARY = "CANARY-7f3c9e1a-db-password";
const MISSING_LINE =
  "mcctl: missing input: METADATA_HOST, METADATA_JDBC_URL, METADATA_USERNAME, METADATA_PASSWORD";
/** Set in the environment of commands that must not reach AWS: any real call fails with ECONNREFUSED. */
const DEAD_ENDPOINT = "http://127.0.0.1:9";

let dir: string;
let configPath: string;

beforeAll(() => {
  assertBuilt();
});

beforeEach(async () => {
  dir = await makeTempDir();
  configPath = join(dir, "mcctl.json");
});

afterEach(async () => {
  await removeTempDir(dir);
});

function run(args: string[], extraEnv: Record<string, string> = {}, stdin: "ignore" | string = "ignore") {
  return runCli(args, { cwd: dir, env: childEnv(dir, extraEnv), stdin });
}

async function writeSettings(settings: unknown): Promise<void> {
  await writeFile(configPath, `${JSON.stringify(settings, null, 2)}\n`);
}

const VALID_SETTINGS = {
  environment: {
    METADATA_HOST: "catalogue.example.com",
    METADATA_JDBC_URL: JDBC_URL,
    METADATA_USERNAME: "mc_user",
  },
};

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

/** Checks every run makes: it finished on its own, printed no stack trace and no SDK Node warning. */
function expectCleanExit(result: RunResult, code: number): void {
  expect(result.timedOut, `mcctl hung; stderr so far:\n${result.stderr}`).toBe(false);
  expect(result.code, `exit code; stderr:\n${result.stderr}`).toBe(code);
  expect(result.stderr).not.toContain("NodeVersionSupportWarning");
}

function expectNoStackTrace(result: RunResult): void {
  expect(result.stderr).not.toMatch(/^ {4}at /m);
  expect(result.stdout).not.toMatch(/^ {4}at /m);
}

describe("register-task without a terminal", () => {
  it.each([
    ["ignored", "ignore"],
    ["an empty pipe", ""],
    ["a pipe with text", "catalogue.example.com\n"],
  ] as const)("with stdin %s and no settings, lists every missing value and exits 2", async (_, stdin) => {
    const result = await run(["register-task", "--dry-run", "--config", configPath], {}, stdin);

    expectCleanExit(result, 2);
    expectNoStackTrace(result);
    expect(result.stdout).toBe("");
    const stderr = lines(result.stderr);
    expect(stderr[0]).toBe(MISSING_LINE);
    expect(stderr).toHaveLength(2);
    expect(stderr[1]).toMatch(/^ {2}\S/);
    expect(existsSync(configPath)).toBe(false);
  });

  it.each([
    ["text", []],
    ["--json", ["--json"]],
  ])("--dry-run (%s) prints the redacted task definition and never the password", async (_, flags) => {
    await writeSettings(VALID_SETTINGS);

    const result = await run(["register-task", "--dry-run", "--offline", ...flags, "--config", configPath], {
      METADATA_PASSWORD: CANARY,
    });

    expectCleanExit(result, 0);
    expectNoStackTrace(result);
    expect(result.stdout).not.toContain(CANARY);
    expect(result.stderr).not.toContain(CANARY);
    const printed: unknown = JSON.parse(result.stdout);
    assertRegisterTaskDefinitionInput(printed);
    expect(printed.family).toBe("model-catalogue");
    expect(printed.containerDefinitions.map((container) => container.name).sort()).toEqual(["mc", "mc-es"]);
    const mc = environmentOf(printed, "mc");
    expect(mc).toMatchObject({
      METADATA_HOST: "catalogue.example.com",
      METADATA_JDBC_URL: JDBC_URL,
      METADATA_USERNAME: "mc_user",
      METADATA_PASSWORD:
        "from arn:aws:ssm:eu-west-1:<account>:parameter/mcctl/model-catalogue/METADATA_PASSWORD",
    });
    expect(JSON.stringify(environmentOf(printed, "mc-es"))).not.toContain("METADATA_PASSWORD");
    // A dry run saves nothing: the settings file is exactly what the test wrote.
    expect(JSON.parse(await readFile(configPath, "utf8"))).toEqual(VALID_SETTINGS);
  });

  it("without --dry-run and --yes, stops for the missing confirmation before contacting AWS", async () => {
    await writeSettings(VALID_SETTINGS);

    const result = await run(["register-task", "--config", configPath], {
      METADATA_PASSWORD: CANARY,
      AWS_ENDPOINT_URL: DEAD_ENDPOINT,
    });

    expect(result.stderr, "mcctl called AWS before asking for the confirmation").not.toMatch(
      /ECONNREFUSED|cannot reach/,
    );
    expectCleanExit(result, 2);
    expectNoStackTrace(result);
    expect(result.stderr).toContain("--yes");
    expect(result.stderr).toMatch(/confirmation/);
    expect(result.stdout).toBe("");
    expect(result.stdout + result.stderr).not.toContain(CANARY);
  });

  it("with --yes goes on to AWS, which the dead endpoint refuses: exit 1, no secret, no SDK warning", async () => {
    // The control for the test above: it shows AWS_ENDPOINT_URL is honoured, so a call would be seen.
    await writeSettings(VALID_SETTINGS);

    const result = await run(["register-task", "--yes", "--config", configPath], {
      METADATA_PASSWORD: CANARY,
      AWS_ENDPOINT_URL: DEAD_ENDPOINT,
    });

    expectCleanExit(result, 1);
    expectNoStackTrace(result);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
    expect(result.stderr).not.toMatch(/amazonaws\.com/);
    expect(result.stdout + result.stderr).not.toContain(CANARY);
  });
});

describe("usage errors", () => {
  it("names the bad key of a settings file and exits 2", async () => {
    await writeSettings({ mc: { memory: "lots" } });

    const result = await run(["register-task", "--dry-run", "--config", configPath]);

    expectCleanExit(result, 2);
    expectNoStackTrace(result);
    expect(result.stderr).toContain("mc.memory");
    expect(result.stdout).toBe("");
  });

  it("refuses a secret stored in the settings file without echoing it", async () => {
    const secret = "CANARY-in-file-5b2d";
    await writeSettings({ environment: { ...VALID_SETTINGS.environment, METADATA_PASSWORD: secret } });

    const result = await run(["register-task", "--dry-run", "--config", configPath]);

    expectCleanExit(result, 2);
    expectNoStackTrace(result);
    expect(result.stderr).toContain("METADATA_PASSWORD");
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).not.toContain(secret);
  });

  it.each([
    ["an unknown global flag", ["--bogus", "register-task"], "--bogus"],
    ["an unknown register-task flag", ["register-task", "--bogus"], "--bogus"],
    ["an unknown create-service flag", ["create-service", "--bogus"], "--bogus"],
    ["a flag without its value", ["register-task", "--dry-run", "--family"], "--family"],
    ["an extra argument", ["register-task", "surplus"], "too many arguments"],
    ["an unknown command", ["regster-task"], "regster-task"],
  ])("rejects %s with exit 2", async (_, args, named) => {
    const result = await run(args);

    expectCleanExit(result, 2);
    expectNoStackTrace(result);
    expect(result.stderr).toContain(named);
    expect(result.stdout).toBe("");
  });

  it("--help lists the commands and the exit codes and exits 0", async () => {
    const result = await run(["--help"]);

    expectCleanExit(result, 0);
    expect(result.stdout).toMatch(/^\s+register-task\b/m);
    expect(result.stdout).toMatch(/^\s+create-service\b/m);
    expect(result.stdout).toContain("Exit codes:");
    for (const code of ["0", "1", "2", "129", "130", "143"])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, "m"));
  });

  it("help of a nested command shows that command's help, and names an unknown one in its group", async () => {
    const nested = await run(["help", "secrets", "set"]);
    expectCleanExit(nested, 0);
    expect(nested.stdout).toMatch(/^Usage: mcctl secrets set \[options\] <name>/);
    const unknown = await run(["help", "secrets", "sett"]);
    expectCleanExit(unknown, 2);
    expect(unknown.stderr).toBe(
      'mcctl: unknown command "sett"\n  The commands of mcctl secrets are list, set, rm, purge-plaintext; see `mcctl secrets --help`.\n',
    );
  });

  it("a failure under --json also answers on stdout, as JSON with the exit code, the message and the advice", async () => {
    const result = await run(["status", "--json", "--config", "/nonexistent-dir/mcctl.json"]);
    expectCleanExit(result, 2);
    const answer = JSON.parse(result.stdout) as { error: { code: number; message: string; advice?: string } };
    expect(answer.error.code).toBe(2);
    expect(answer.error.message).toBe(lines(result.stderr)[0]?.replace(/^mcctl: /, ""));
    expect(answer.error.advice).toBe(lines(result.stderr)[1]?.trim());
  });

  it("a mistyped command of a group with a default one is named as such, not as an argument of the default", async () => {
    const result = await run(["backup", "lst"]);
    expectCleanExit(result, 2);
    expect(result.stderr).toBe(
      'mcctl: unknown command "lst" for mcctl backup\n  The commands of mcctl backup are create, list; see `mcctl backup --help`.\n',
    );
    expect(result.stdout).toBe("");
  });

  it("--debug adds the stack trace to a usage error", async () => {
    const result = await run(["register-task", "--dry-run", "--debug", "--config", configPath]);

    expectCleanExit(result, 2);
    expect(result.stderr).toContain(MISSING_LINE);
    expect(result.stderr).toMatch(/^ {4}at /m);
  });
});

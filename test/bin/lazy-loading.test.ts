import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, childEnv, makeTempDir, removeTempDir, runCli } from "./harness.js";

// Module resolution hooks that log every module the binary loads, so the test sees what a command
// really imports (the brief: `--help` and `register-task --dry-run` load no AWS SDK client).
const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.MCCTL_TRACE_FILE, result.url + "\\n");
  return result;
}
`;

let dir: string;
let register: string;

beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir();
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  register = join(dir, "register.mjs");
  writeFileSync(
    register,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`,
  );
  writeFileSync(
    join(dir, "mcctl.json"),
    JSON.stringify({
      environment: {
        METADATA_HOST: "mc.example.com",
        METADATA_JDBC_URL:
          "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8",
        METADATA_USERNAME: "mc",
      },
    }),
  );
});

afterAll(async () => {
  await removeTempDir(dir);
});

async function modulesLoadedBy(name: string, args: string[], extraEnv: Record<string, string> = {}) {
  const trace = join(dir, `${name}.trace`);
  writeFileSync(trace, "");
  const result = await runCli(args, {
    cwd: dir,
    env: childEnv(dir, { MCCTL_TRACE_FILE: trace, ...extraEnv }),
    nodeArgs: ["--import", register],
  });
  return { result, modules: readFileSync(trace, "utf8").trim().split("\n") };
}

const AWS_MODULES = /@aws-sdk|@smithy|\/chunks\/(ecs|ec2|s3|rds|sts|iam)-/;
const PROMPT_AND_SPINNER_MODULES = /@inquirer|\/chunks\/ora-/;

describe("what a command loads", () => {
  it("--help loads neither the AWS SDK nor prompts", async () => {
    const { result, modules } = await modulesLoadedBy("help", ["--help"]);
    expect(result.code).toBe(0);
    expect(modules.filter((url) => AWS_MODULES.test(url) || PROMPT_AND_SPINNER_MODULES.test(url))).toEqual(
      [],
    );
  });

  it("register-task --dry-run --offline loads no AWS SDK client", async () => {
    const { result, modules } = await modulesLoadedBy(
      "dry-run",
      ["register-task", "--dry-run", "--offline"],
      {
        METADATA_PASSWORD: "not-a-real-one",
      },
    );
    expect(result.code).toBe(0);
    expect(modules.filter((url) => AWS_MODULES.test(url))).toEqual([]);
  });

  it("a command that calls ECS does load its client (the check above can fail)", async () => {
    const { modules } = await modulesLoadedBy("restart", ["restart", "--yes"], {
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_MAX_ATTEMPTS: "1",
    });
    // Every plan starts with the account (STS); the EC2 client is never needed for a restart.
    expect(modules.some((url) => /\/chunks\/sts-/.test(url))).toBe(true);
    expect(modules.some((url) => /\/chunks\/ec2-/.test(url))).toBe(false);
  });
});

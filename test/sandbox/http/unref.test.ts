// `serveSimulatedAws(sim, { unref: true })` must not keep the Node process alive: the CLI serves the sandbox
// in-process and has to exit when its command is done. A child process serves, calls once, and must end.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcctl-serve-"));
  bundle = join(dir, "serve-and-call.cjs");
  // The whole program in one file, so that it runs from a temporary directory with plain node.
  await build({
    entryPoints: ["test/sandbox/http/fixtures/serve-and-call.ts"],
    outfile: bundle,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20.19",
    logLevel: "error",
  });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs the child; resolves with its exit code and output once it exits, or with `running: true` when it is
 * still alive `graceMs` after it printed its answer (it is then killed).
 */
function run(args: string[], graceMs: number) {
  return new Promise<{ code: number | null; stdout: string; running: boolean }>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [bundle, ...args], {
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      child.kill("SIGKILL");
      resolve({ code: null, stdout, running: true });
    };
    // However loaded the machine, a child that never answers does not hang the test.
    const cap = setTimeout(giveUp, 30_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      timer ??= setTimeout(giveUp, graceMs);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      clearTimeout(cap);
      resolve({ code, stdout, running: false });
    });
  });
}

describe("serveSimulatedAws({ unref: true })", { timeout: 60_000 }, () => {
  it("lets a process that served and called once exit on its own", async () => {
    const result = await run(["--unref"], 10_000);
    expect(result).toMatchObject({ running: false, code: 0 });
    expect(result.stdout.trim()).toBe("arn:aws:iam::123456789012:user/test");
  });

  it("is what lets it exit: without it the server keeps the process alive", async () => {
    const result = await run([], 1_500);
    expect(result.stdout.trim()).toBe("arn:aws:iam::123456789012:user/test");
    expect(result.running).toBe(true);
  });
});

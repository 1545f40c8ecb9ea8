/**
 * Issue 19: the README's first command installs, builds and runs setup in the sandbox, non-interactively. This
 * runs that command exactly as the README gives it, in a copy of the working tree (nothing installed, nothing
 * built), without a terminal and without AWS credentials. npm works from its cache (npm_config_offline): the
 * tests never reach the network, and `.ci/run`'s own `npm ci` has filled the cache already.
 */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeTempDir, REPO_ROOT, removeTempDir } from "../bin/harness.js";

/** The first command of the "Set-up in two commands" block, without its comment. */
function readmeFirstCommand(readme: string): string {
  const section = readme.split(/^## Set-up in two commands$/m)[1] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const first = block.split("\n")[0] ?? "";
  return first.replace(/\s+#.*$/, "").trim();
}

let copy: string;
beforeAll(async () => {
  copy = await makeTempDir();
  // What a fresh clone has: the tracked and new files as they are now, no node_modules, no dist.
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(join(REPO_ROOT, file), join(copy, file));
    } catch {
      // A file deleted in the working tree but not yet in the index.
    }
  }
});
afterAll(() => removeTempDir(copy));

it("the README's first command installs, builds and sets up Model Catalogue in the sandbox", async () => {
  const command = readmeFirstCommand(readFileSync(join(REPO_ROOT, "README.md"), "utf8"));
  expect(command).toMatch(/^npm ci && npm run build && .*--sandbox setup --yes$/);
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("bash", ["-c", command], {
      cwd: copy,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? copy,
        npm_config_offline: "true",
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
  expect(result.code, result.output.slice(-4000)).toBe(0);
  // The plan, then the apply up to a steady service.
  expect(result.output).toMatch(/SANDBOX: a simulated AWS account/);
  expect(result.output).toMatch(/Setup of/);
  expect(result.output).toMatch(/steady/i);
  const settings = JSON.parse(readFileSync(join(copy, "mcctl.json"), "utf8"));
  expect(settings).toMatchObject({ sandbox: true });
}, 600_000);

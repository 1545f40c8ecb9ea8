/**
 * Runs the BUILT mcctl binary (bin/mcctl.js → dist/) as a child process, either with plain pipes
 * (stdin is not a terminal) or inside a real pseudo-terminal (node-pty) to drive its prompts.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { type IPty, spawn as spawnPty } from "node-pty";
import { vi } from "vitest";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(REPO_ROOT, "bin", "mcctl.js");
const BUILT_CLI = join(REPO_ROOT, "dist", "cli.js");

/** Call in beforeAll: these tests exercise dist/, which `npm test` builds first. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(
      `${BUILT_CLI} is missing: the binary tests run the built CLI. Run \`npm run build\` first ` +
        "(`npm test` does it for you).",
    );
  }
}

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "mcctl-bin-"));
}

export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * A complete environment for the child: nothing is inherited from the test runner (no AWS_PROFILE,
 * no real credentials), and AWS_EC2_METADATA_DISABLED keeps the SDK off the instance metadata service.
 */
export function childEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** "ignore" gives the child /dev/null; a string is written to a pipe and the pipe closed. */
  stdin?: "ignore" | string;
  timeoutMs?: number;
  /** Node options before the script, e.g. ["--import", hooks]. */
  nodeArgs?: readonly string[];
}

/** Runs `node bin/mcctl.js ...args` without a terminal; a hang is killed and reported as timedOut. */
export function runCli(args: readonly string[], options: RunOptions): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin === "ignore" || options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
    if (child.stdin) {
      child.stdin.on("error", () => {
        // The child may exit before reading its input; that is not what these tests check.
      });
      child.stdin.end(options.stdin);
    }
  });
}

/**
 * Runs `main(argv)` of src/cli.ts in this process the way `runCli` runs the binary: in `cwd`, with
 * exactly `env` as process.env (put back afterwards), stdout and stderr (console included) captured
 * apart, and main's answer as the exit code (bin/mcctl.js sets process.exitCode to it). Only for what
 * does not depend on the process: keep cases on the built binary for exit codes as the shell sees
 * them, signals, terminals and the bundle itself. Calls must not overlap (one process.env, one cwd).
 */
export async function runMain(args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { main } = await import("../../src/cli.js");
  let stdout = "";
  let stderr = "";
  const text = (chunk: unknown) =>
    typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
  const capture = (append: (chunk: string) => void) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      append(text(chunk));
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }) as typeof process.stdout.write;
  const toStdout = (chunk: string) => {
    stdout += chunk;
  };
  const toStderr = (chunk: string) => {
    stderr += chunk;
  };
  const line =
    (append: (chunk: string) => void) =>
    (...values: unknown[]) =>
      append(`${values.map(String).join(" ")}\n`);
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture(toStdout)),
    vi.spyOn(process.stderr, "write").mockImplementation(capture(toStderr)),
    vi.spyOn(console, "log").mockImplementation(line(toStdout)),
    vi.spyOn(console, "info").mockImplementation(line(toStdout)),
    vi.spyOn(console, "warn").mockImplementation(line(toStderr)),
    vi.spyOn(console, "error").mockImplementation(line(toStderr)),
  ];
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const replaceEnv = (env: Record<string, string | undefined>) => {
    for (const key of Object.keys(process.env)) if (!key.startsWith("VITEST")) delete process.env[key];
    for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  };
  // As runCli's child: stdin is /dev/null and the output goes to pipes, whatever runs the tests.
  const streams = [process.stdin, process.stdout, process.stderr];
  const savedTTY = streams.map((stream) => Object.getOwnPropertyDescriptor(stream, "isTTY"));
  try {
    for (const stream of streams)
      Object.defineProperty(stream, "isTTY", { value: false, configurable: true });
    replaceEnv(options.env);
    process.chdir(options.cwd);
    const code = await main([process.execPath, BIN, ...args]);
    return { code, signal: null, stdout, stderr, timedOut: false };
  } finally {
    process.chdir(savedCwd);
    replaceEnv(savedEnv);
    streams.forEach((stream, index) => {
      const descriptor = savedTTY[index];
      if (descriptor) Object.defineProperty(stream, "isTTY", descriptor);
      else delete (stream as { isTTY?: boolean }).isTTY;
    });
    for (const spy of spies) spy.mockRestore();
  }
}

/** Collapses every run of whitespace: prompts wrap long questions at the terminal width. */
function withoutWhitespace(text: string): string {
  return text.replace(/\s+/g, "");
}

export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

export interface PtyExit {
  exitCode: number;
  signal: number | undefined;
}

/**
 * mcctl running in a pseudo-terminal. Prompts are drawn on stderr and results printed on stdout;
 * the terminal shows both, so `output` is everything the operator would have seen.
 */
export class PtySession {
  private raw = "";
  /** Where the current step starts: a question is looked for only in what was drawn after it. */
  private mark = 0;
  private exit: PtyExit | undefined;
  private readonly process: IPty;
  readonly exited: Promise<PtyExit>;

  /** `nodeArgs` go to node before the binary, e.g. `["--import", preload]`. */
  constructor(
    args: readonly string[],
    options: { cwd: string; env: Record<string, string>; nodeArgs?: readonly string[] },
  ) {
    this.process = spawnPty(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      name: "xterm-256color",
      cols: 120,
      rows: 40,
      cwd: options.cwd,
      env: options.env,
    });
    this.process.onData((data) => {
      this.raw += data;
    });
    this.exited = new Promise((resolvePromise) => {
      this.process.onExit(({ exitCode, signal }) => {
        this.exit = { exitCode, signal };
        resolvePromise(this.exit);
      });
    });
  }

  /** Everything the terminal received, byte for byte (escape sequences included). */
  get rawOutput(): string {
    return this.raw;
  }

  /** Everything the terminal received, without escape sequences and with plain "\n" line ends. */
  get output(): string {
    return stripAnsi(this.raw).replace(/\r\n/g, "\n").replace(/\r/g, "\n");
  }

  /** Waits until `text` is drawn after the last answer; fails with the screen when it never is. */
  async waitFor(text: string, timeoutMs = 10_000): Promise<void> {
    const wanted = withoutWhitespace(text);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const since = withoutWhitespace(stripAnsi(this.raw.slice(this.mark)));
      if (since.includes(wanted)) return;
      if (this.exit !== undefined) {
        throw new Error(
          `mcctl exited (code ${this.exit.exitCode}) before showing ${JSON.stringify(text)}.\n${this.dump()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${JSON.stringify(text)}.\n${this.dump()}`,
        );
      }
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 25));
    }
  }

  /** Starts a new step: types `keys` (no Enter). */
  type(keys: string): void {
    this.mark = this.raw.length;
    this.process.write(keys);
  }

  /** Starts a new step: types `text` and presses Enter. */
  answer(text: string): void {
    this.type(`${text}\r`);
  }

  /** Waits for `question` to be drawn, then answers it. */
  async ask(question: string, text: string): Promise<void> {
    await this.waitFor(question);
    this.answer(text);
  }

  async waitForExit(timeoutMs = 10_000): Promise<PtyExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`mcctl did not exit within ${timeoutMs} ms.\n${this.dump()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the child if a failed test left it running. */
  dispose(): void {
    if (this.exit === undefined) this.process.kill("SIGKILL");
  }

  private dump(): string {
    const screen = this.output;
    const tail = screen.length > 6000 ? `…${screen.slice(-6000)}` : screen;
    return `----- screen -----\n${tail}\n------------------`;
  }
}

/**
 * The JSON document mcctl printed: it starts at the first line that is exactly "{" and ends at the
 * matching brace (anything after it, such as a hint on stderr, is ignored).
 */
export function extractJsonDocument(output: string): unknown {
  const lines = output.split("\n");
  const startLine = lines.findIndex((line) => line.trimEnd() === "{");
  if (startLine < 0) throw new Error(`no line that is exactly "{" in the output:\n${output}`);
  const start = lines.slice(0, startLine).reduce((offset, line) => offset + line.length + 1, 0);
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = start; index < output.length; index++) {
    const char = output[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === "{" || char === "[") {
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return JSON.parse(output.slice(start, index + 1));
    }
  }
  throw new Error(
    `the JSON document starting at line ${startLine + 1} is not closed:\n${output.slice(start)}`,
  );
}

/** Top-level members of ECS RegisterTaskDefinition's input; tsc checks each name against the SDK. */
const REGISTER_TASK_DEFINITION_KEYS = [
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "containerDefinitions",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "tags",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput)[];

/** Members of an ECS container definition used by mcctl's task definition; checked against the SDK. */
const CONTAINER_DEFINITION_KEYS = [
  "name",
  "image",
  "cpu",
  "memory",
  "memoryReservation",
  "links",
  "portMappings",
  "essential",
  "environment",
  "mountPoints",
  "volumesFrom",
  "logConfiguration",
  "healthCheck",
  "dependsOn",
  "ulimits",
  "command",
  "entryPoint",
  "secrets",
  "stopTimeout",
  "startTimeout",
] as const satisfies readonly (keyof ContainerDefinition)[];

export interface PrintedTaskDefinition {
  family: string;
  executionRoleArn?: string;
  containerDefinitions: {
    name: string;
    environment?: { name: string; value: string }[];
    secrets?: { name: string; valueFrom: string }[];
  }[];
}

/**
 * Fails unless `document` could be passed to RegisterTaskDefinition as it is: only members the API
 * knows, a family, and containers with a name, an image and name/value environment pairs.
 */
export function assertRegisterTaskDefinitionInput(
  document: unknown,
): asserts document is PrintedTaskDefinition {
  const problems: string[] = [];
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new Error(`not an object: ${JSON.stringify(document)}`);
  }
  const input = document as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(REGISTER_TASK_DEFINITION_KEYS as readonly string[]).includes(key)) {
      problems.push(`unknown top-level member ${key}`);
    }
  }
  if (typeof input.family !== "string" || input.family === "") problems.push("family is not a string");
  if (!Array.isArray(input.containerDefinitions) || input.containerDefinitions.length === 0) {
    problems.push("containerDefinitions is not a non-empty array");
  } else {
    for (const [index, container] of (input.containerDefinitions as Record<string, unknown>[]).entries()) {
      for (const key of Object.keys(container)) {
        if (!(CONTAINER_DEFINITION_KEYS as readonly string[]).includes(key)) {
          problems.push(`containerDefinitions[${index}] has unknown member ${key}`);
        }
      }
      if (typeof container.name !== "string")
        problems.push(`containerDefinitions[${index}].name is not a string`);
      if (typeof container.image !== "string")
        problems.push(`containerDefinitions[${index}].image is not a string`);
      for (const secret of (Array.isArray(container.secrets) ? container.secrets : []) as Record<
        string,
        unknown
      >[]) {
        const keys = Object.keys(secret).sort().join(",");
        if (
          keys !== "name,valueFrom" ||
          typeof secret.name !== "string" ||
          typeof secret.valueFrom !== "string"
        ) {
          problems.push(`containerDefinitions[${index}].secrets has ${JSON.stringify(secret)}`);
        }
      }
      const environment = container.environment ?? [];
      if (!Array.isArray(environment)) {
        problems.push(`containerDefinitions[${index}].environment is not an array`);
      } else {
        for (const pair of environment as Record<string, unknown>[]) {
          const keys = Object.keys(pair).sort().join(",");
          if (keys !== "name,value" || typeof pair.name !== "string" || typeof pair.value !== "string") {
            problems.push(`containerDefinitions[${index}].environment has ${JSON.stringify(pair)}`);
          }
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`not a RegisterTaskDefinition input: ${problems.join("; ")}`);
}

/**
 * The container's environment as a plain object (a name given twice fails); a secret reads
 * "from <valueFrom>", as ECS would fill it in.
 */
export function environmentOf(
  taskDefinition: PrintedTaskDefinition,
  containerName: string,
): Record<string, string> {
  const container = taskDefinition.containerDefinitions.find((candidate) => candidate.name === containerName);
  if (!container) throw new Error(`no container named ${containerName}`);
  const environment: Record<string, string> = {};
  for (const { name, value } of container.environment ?? []) {
    if (name in environment) throw new Error(`${containerName} sets ${name} twice`);
    environment[name] = value;
  }
  for (const { name, valueFrom } of container.secrets ?? []) {
    if (name in environment) throw new Error(`${containerName} sets ${name} twice`);
    environment[name] = `from ${valueFrom}`;
  }
  return environment;
}

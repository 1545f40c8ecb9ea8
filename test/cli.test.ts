import { readFileSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { asUsageError, buildProgram, reportError } from "../src/cli.js";
import {
  CREATE_SERVICE_DEFAULTS,
  RESTART_DEFAULTS,
  SETUP_DEFAULTS,
  UPGRADE_DEFAULTS,
} from "../src/config/defaults.js";
import { VERBS, verbNamed } from "../src/driver/catalogue.js";
import { optionsSchema } from "../src/driver/options.js";
import { McctlError, MissingInputError, UsageError } from "../src/errors.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => {
    text += String(chunk);
  });
  return { stream, text: () => text };
}

describe("reportError", () => {
  it("prints an operator error as one line plus its suggestion, without a stack", () => {
    const stderr = capture();
    const code = reportError(
      new McctlError("cluster x does not exist", { suggestion: "Pass --cluster." }),
      false,
      stderr.stream,
    );
    expect(code).toBe(1);
    expect(stderr.text()).toBe("mcctl: cluster x does not exist\n  Pass --cluster.\n");
  });

  it("uses the error's exit code: 2 for missing input", () => {
    const stderr = capture();
    expect(reportError(new MissingInputError(["METADATA_HOST"]), false, stderr.stream)).toBe(2);
    expect(stderr.text()).toContain("missing input: METADATA_HOST");
  });

  it("adds the stack and the cause's stack with --debug", () => {
    const stderr = capture();
    const cause = new Error("socket hang up");
    reportError(new McctlError("cannot reach AWS", { cause }), true, stderr.stream);
    expect(stderr.text()).toMatch(/\n\s+at /);
    expect(stderr.text()).toContain("Caused by: Error: socket hang up");
  });

  it("with --json, also answers on stdout with the code, the message and the advice", () => {
    const stderr = capture();
    const stdout = capture();
    const code = reportError(
      new McctlError("cluster x does not exist", { suggestion: "Pass --cluster." }),
      false,
      stderr.stream,
      { json: true, stdout: stdout.stream },
    );
    expect(JSON.parse(stdout.text())).toEqual({
      error: { code: 1, message: "cluster x does not exist", advice: "Pass --cluster." },
    });
    expect(code).toBe(1);
    expect(stderr.text()).toBe("mcctl: cluster x does not exist\n  Pass --cluster.\n");
    const bug = capture();
    reportError(new TypeError("x is undefined"), false, capture().stream, { json: true, stdout: bug.stream });
    expect(JSON.parse(bug.text())).toMatchObject({
      error: { code: 1, message: "unexpected error: x is undefined" },
    });
    const quiet = capture();
    reportError(new McctlError("no"), false, capture().stream, { stdout: quiet.stream });
    expect(quiet.text()).toBe("");
  });

  it("treats anything else as a bug: exit 1, a hint to use --debug, no stack without it", () => {
    const stderr = capture();
    expect(reportError(new TypeError("x is undefined"), false, stderr.stream)).toBe(1);
    expect(stderr.text()).toContain("unexpected error: x is undefined");
    expect(stderr.text()).not.toMatch(/\n\s+at /);
  });
});

describe("program", () => {
  it("declares the global options every command shares", () => {
    const names = buildProgram().options.map((option) => option.long);
    for (const flag of [
      "--region",
      "--profile",
      "--endpoint-url",
      "--cluster",
      "--service",
      "--config",
      "--yes",
      "--json",
      "--debug",
      "--no-color",
    ]) {
      expect(names).toContain(flag);
    }
  });

  it("gives every command that changes AWS a --dry-run", () => {
    const program = buildProgram();
    const changing = VERBS.filter((verb) => verb.changes);
    expect(changing.length).toBeGreaterThanOrEqual(11);
    for (const verb of changing) {
      let command = program;
      for (const word of verb.name.split(" ")) {
        command = command.commands.find((candidate) => candidate.name() === word) ?? command;
      }
      expect(command.name(), verb.name).toBe(verb.name.split(" ").at(-1));
      expect(
        command.options.map((option) => option.long),
        verb.name,
      ).toContain("--dry-run");
    }
  });

  it("each command's help has examples and shows the global options", () => {
    const program = buildProgram();
    const restart = program.commands.find((candidate) => candidate.name() === "restart");
    let help = "";
    restart?.configureOutput({ writeOut: (text) => (help += text) });
    restart?.outputHelp();
    expect(help).toMatch(/Examples:\n {2}\$ mcctl restart\n/);
    expect(help).toMatch(/Global Options:[\s\S]*--cluster <name>[\s\S]*--service <name>[\s\S]*-y, --yes/);
    expect(help).toContain("--region <region>");
    expect(help).toContain("--family <name>");
  });
});

describe("version and defaults", () => {
  it("--version is the version of package.json", () => {
    expect(buildProgram().version()).toBe(packageJson.version);
  });

  it("commander shows the defaults the option schemas apply: one source for both", () => {
    const program = buildProgram();
    const option = (command: string, flag: string) =>
      program.commands.find((candidate) => candidate.name() === command)?.options.find((o) => o.long === flag)
        ?.defaultValue;
    expect(option("restart", "--timeout")).toBe(RESTART_DEFAULTS.timeout);
    expect(option("upgrade", "--poll-interval")).toBe(RESTART_DEFAULTS.pollInterval);
    expect(option("restart", "--count")).toBe(String(RESTART_DEFAULTS.count));
    expect(option("setup", "--timeout")).toBe(SETUP_DEFAULTS.timeout);
    expect(option("create-service", "--timeout")).toBe(CREATE_SERVICE_DEFAULTS.timeout);
    expect(option("upgrade", "--ssh-user")).toBe(UPGRADE_DEFAULTS.sshUser);
    const parsedDefaults = (name: Parameters<typeof verbNamed>[0]) =>
      optionsSchema(verbNamed(name).flags).parse({}) as Record<string, unknown>;
    expect(parsedDefaults("restart").timeout).toBe(15 * 60_000);
    expect(parsedDefaults("setup").pollInterval).toBe(5_000);
    expect(parsedDefaults("create-service").timeout).toBe(10 * 60_000);
    expect(parsedDefaults("restart").count).toBe(RESTART_DEFAULTS.count);
    expect(parsedDefaults("upgrade").sshUser).toBe(UPGRADE_DEFAULTS.sshUser);
  });

  it("--config has no commander default, so that a given path can be told from the default", () => {
    expect(buildProgram().options.find((option) => option.long === "--config")?.defaultValue).toBeUndefined();
  });
});

describe("usage errors before a command runs", () => {
  async function parseError(...args: string[]): Promise<UsageError> {
    const error = await buildProgram()
      .parseAsync(["node", "mcctl", ...args])
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }

  it("--family is a global option: checked before the verb as after it, and on secrets set", async () => {
    for (const args of [
      ["--family", "a b", "status"],
      ["status", "--family", "a b"],
      ["secrets", "set", "MC_MAIL_PASSWORD", "--family", "a b"],
    ]) {
      const error = await parseError(...args);
      expect(error.message, args.join(" ")).toMatch(
        /^--family "a b" is not an ECS task definition family name/,
      );
    }
  });

  it("help for an unknown command names it and lists the commands", async () => {
    const error = await parseError("help", "bogus");
    expect(error.message).toBe('unknown command "bogus"');
    expect(error.suggestion).toMatch(
      /^The commands are setup, register-task, .*status, logs, secrets, backup, destroy, permissions, sandbox; see `mcctl --help`\.$/,
    );
  });

  it("never echoes a word after `secrets set NAME`: it may be the secret", async () => {
    const error = await parseError("secrets", "set", "METADATA_PASSWORD", "CANARY-cli-arg");
    expect(error.message).toBe("too many arguments for secrets set (it takes NAME only)");
    expect(`${error.message} ${error.suggestion}`).not.toContain("CANARY");
    expect(error.suggestion).toMatch(/never an argument/);
  });

  it("names a surplus argument", async () => {
    expect((await parseError("status", "now")).message).toBe(
      'too many arguments for status: "now" (it takes none)',
    );
  });

  it("names the flag and the value before the command runs", async () => {
    const error = await parseError("restart", "--count", "abc");
    expect(error.message).toBe('--count "abc" is not a whole number from 1 to 1000');
    expect(error.suggestion).toBe("See `mcctl restart --help`.");
  });
});

describe("asUsageError", () => {
  const program = buildProgram();

  it("leaves help and version alone: commander printed them", () => {
    const help = new CommanderError(0, "commander.helpDisplayed", "(outputHelp)");
    expect(asUsageError(help, program, [])).toBe(help);
    const other = new Error("x");
    expect(asUsageError(other, program, [])).toBe(other);
  });

  it("turns commander's message into one line and its hint into the suggestion", () => {
    const error = asUsageError(
      new CommanderError(
        1,
        "commander.unknownOption",
        "error: unknown option '--dryrun'\n(Did you mean --dry-run?)",
      ),
      program,
      ["node", "mcctl", "restart", "--dryrun"],
    ) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('unknown option "--dryrun"');
    expect(error.suggestion).toBe("Did you mean --dry-run? Or see `mcctl restart --help`.");
  });

  it("cuts a long or multi-line word the operator typed", () => {
    const word = `--${"x".repeat(100_000)}\nmore`;
    const error = asUsageError(
      new CommanderError(1, "commander.unknownOption", `error: unknown option '${word}'`),
      program,
      ["node", "mcctl", word],
    ) as UsageError;
    expect(error.message).toMatch(/^unknown option "--x+…" \(100007 characters\)$/);
    expect(error.suggestion).toBe("See `mcctl --help`.");
  });

  it("lists a group's own commands for an unknown one in it, and points at the nested command's help", () => {
    const unknown = asUsageError(
      new CommanderError(1, "commander.unknownCommand", "error: unknown command 'zzz'"),
      program,
      ["node", "mcctl", "--json", "secrets", "zzz"],
    ) as UsageError;
    expect(unknown.suggestion).toBe(
      "The commands of mcctl secrets are list, set, rm, purge-plaintext; see `mcctl secrets --help`.",
    );
    const missing = asUsageError(
      new CommanderError(1, "commander.missingArgument", "error: missing required argument 'name'"),
      program,
      ["node", "mcctl", "secrets", "set"],
    ) as UsageError;
    expect(missing.suggestion).toBe("See `mcctl secrets set --help`.");
  });

  it("lists the commands for an unknown command without a close match", () => {
    const error = asUsageError(
      new CommanderError(1, "commander.unknownCommand", "error: unknown command 'zzz'"),
      program,
      ["node", "mcctl", "zzz"],
    ) as UsageError;
    expect(error.message).toBe('unknown command "zzz"');
    expect(error.suggestion).toMatch(/^The commands are /);
  });
});

describe("what src/cli.ts loads", () => {
  /** Every module src/cli.ts imports statically (type-only imports and import() excluded), transitively. */
  function staticImports(entry: string): Set<string> {
    const seen = new Set<string>();
    const pending = [entry];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      if (!file.startsWith("/")) continue;
      const source = readFileSync(file, "utf8");
      for (const match of source.matchAll(/^import\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
        const specifier = match[1] ?? "";
        pending.push(
          specifier.startsWith(".")
            ? resolvePath(dirname(file), specifier.replace(/\.js$/, ".ts"))
            : specifier,
        );
      }
    }
    return seen;
  }

  it("imports neither zod nor the AWS SDK before a command runs, so --help stays fast", () => {
    const modules = [...staticImports(fileURLToPath(new URL("../src/cli.ts", import.meta.url)))];
    expect(modules.filter((name) => /zod|@aws-sdk|@smithy|@inquirer|ora|\/commands\//.test(name))).toEqual(
      [],
    );
    expect(modules).toContain("commander");
  });
});

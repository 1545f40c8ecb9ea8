import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildProgram, reportError } from "../src/cli.js";
import { McctlError, MissingInputError } from "../src/errors.js";

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
    for (const name of ["register-task", "create-service"]) {
      const command = program.commands.find((candidate) => candidate.name() === name);
      expect(command?.options.map((option) => option.long)).toContain("--dry-run");
    }
  });
});

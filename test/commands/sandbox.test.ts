import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import * as fail from "../../src/commands/sandbox-fail.js";
import * as reset from "../../src/commands/sandbox-reset.js";
import { drive } from "../../src/driver/drive.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { fakeSandbox } from "../helpers/fake-sandbox.js";

/** A context in the sandbox with a sandbox mcctl.json (written to disk) and a fake account. */
async function sandboxContext(
  options: {
    calls?: number;
    settingsFile?: boolean;
    yes?: boolean;
    json?: boolean;
    /** On a terminal, with these answers to its questions. */
    answers?: Record<string, boolean>;
  } = {},
) {
  const settings =
    options.settingsFile === false ? undefined : { sandbox: true as const, cluster: "default" };
  const ctx = testContext({
    settings,
    options: { yes: options.yes ?? true, sandbox: true, json: options.json },
    json: options.json,
    interactive: options.answers !== undefined,
    ...(options.answers ? { ask: scriptedAsker(options.answers).asker } : {}),
  });
  if (settings) await writeFile(ctx.settings.path, JSON.stringify(settings));
  const sandbox = fakeSandbox({ calls: options.calls });
  ctx.sandbox = sandbox;
  return { ctx, sandbox };
}

describe("mcctl sandbox fail", () => {
  it("arranges the fault, says what will happen and how to rehearse it", async () => {
    const { ctx, sandbox } = await sandboxContext();
    await drive(ctx, fail.verb, fail.options.parse({ fault: "out-of-memory" }) as fail.SandboxFailOptions);
    expect(sandbox.changes).toEqual(["arrange out-of-memory"]);
    expect(ctx.captured.all()).toMatch(/Arranged: out-of-memory arranged/);
    expect(ctx.captured.all()).toMatch(/mcctl --sandbox restart --yes/);
  });

  it("refuses an unknown fault before anything, naming the faults there are", async () => {
    const { ctx, sandbox } = await sandboxContext();
    const run = drive(ctx, fail.verb, fail.options.parse({ fault: "meteor" }) as fail.SandboxFailOptions);
    await expect(run).rejects.toThrow(/unknown sandbox fault "meteor"/);
    await expect(run).rejects.toMatchObject({
      suggestion: expect.stringMatching(/task-fails-to-start, out-of-memory/),
    });
    expect(sandbox.changes).toEqual([]);
  });

  it("--dry-run arranges nothing", async () => {
    const { ctx, sandbox } = await sandboxContext();
    await drive(
      ctx,
      fail.verb,
      fail.options.parse({ fault: "throttling", dryRun: true }) as fail.SandboxFailOptions,
    );
    expect(sandbox.changes).toEqual([]);
    expect(ctx.captured.all()).toMatch(/throttling: The next 3 requests to ECS/);
  });

  it("--json answers with the fault and what was arranged", async () => {
    const { ctx } = await sandboxContext({ json: true });
    await drive(
      ctx,
      fail.verb,
      fail.options.parse({ fault: "placement-failure" }) as fail.SandboxFailOptions,
    );
    expect(JSON.parse(ctx.captured.stdout())).toEqual({
      fault: "placement-failure",
      arranged: true,
      description: "placement-failure arranged",
    });
  });

  it("on a terminal, asks once, naming the fault", async () => {
    const { ctx, sandbox } = await sandboxContext({
      yes: false,
      answers: { "Arrange endpoint-hang in the sandbox account?": false },
    });
    await expect(
      drive(ctx, fail.verb, fail.options.parse({ fault: "endpoint-hang" }) as fail.SandboxFailOptions),
    ).rejects.toThrow(/nothing was changed/);
    expect(sandbox.changes).toEqual([]);
  });

  it.each([
    ["task-fails-to-start", /stopped task's reason and last log lines/],
    ["out-of-memory", /exit code 137/],
    ["placement-failure", /events say why no instance had room/],
    ["throttling", /retries the throttled calls/],
    ["endpoint-hang", /MCCTL_AWS_REQUEST_TIMEOUT/],
  ])("%s: says how to rehearse it", async (fault, rehearsal) => {
    const { ctx } = await sandboxContext();
    await drive(ctx, fail.verb, fail.options.parse({ fault }) as fail.SandboxFailOptions);
    expect(ctx.captured.all()).toMatch(rehearsal);
    expect(ctx.captured.all()).toMatch(new RegExp(`${fault} is arranged in the sandbox account`));
  });

  it("needs the sandbox", async () => {
    const { ctx } = await sandboxContext();
    ctx.sandbox = undefined;
    await expect(
      drive(ctx, fail.verb, fail.options.parse({ fault: "throttling" }) as fail.SandboxFailOptions),
    ).rejects.toThrow(/no sandbox account in this run/);
  });
});

describe("mcctl sandbox reset", () => {
  it("forgets the account and deletes the sandbox's mcctl.json", async () => {
    const { ctx, sandbox } = await sandboxContext({ calls: 581 });
    await drive(ctx, reset.verb, reset.options.parse({}) as reset.SandboxResetOptions);
    expect(sandbox.changes).toEqual(["reset"]);
    expect(existsSync(ctx.settings.path)).toBe(false);
    expect(ctx.captured.all()).toMatch(
      /forget the sandbox account made 2026-12-07T00:00:00.000Z \(581 calls/,
    );
  });

  it("--json answers with the account forgotten, and a dry run with what would go", async () => {
    const applied = await sandboxContext({ json: true, calls: 7 });
    await drive(applied.ctx, reset.verb, reset.options.parse({}) as reset.SandboxResetOptions);
    expect(JSON.parse(applied.ctx.captured.stdout())).toEqual({
      reset: true,
      stateFile: ".mcctl/sandbox.jsonl",
    });
    const dry = await sandboxContext({ json: true, calls: 7 });
    await drive(dry.ctx, reset.verb, reset.options.parse({ dryRun: true }) as reset.SandboxResetOptions);
    expect(JSON.parse(dry.ctx.captured.stdout())).toMatchObject({
      stateFile: ".mcctl/sandbox.jsonl",
      calls: 7,
      settings: dry.ctx.settings.path,
    });
  });

  it("on a terminal, asks once whether to forget everything", async () => {
    const { ctx, sandbox } = await sandboxContext({
      yes: false,
      answers: { "Forget everything done in the sandbox account?": false },
    });
    await expect(
      drive(ctx, reset.verb, reset.options.parse({}) as reset.SandboxResetOptions),
    ).rejects.toThrow(/nothing was changed/);
    expect(sandbox.changes).toEqual([]);
  });

  it("--dry-run keeps both", async () => {
    const { ctx, sandbox } = await sandboxContext();
    await drive(ctx, reset.verb, reset.options.parse({ dryRun: true }) as reset.SandboxResetOptions);
    expect(sandbox.changes).toEqual([]);
    expect(existsSync(ctx.settings.path)).toBe(true);
  });

  it("a new account without a settings file has nothing to forget", async () => {
    const { ctx, sandbox } = await sandboxContext({ calls: 0, settingsFile: false });
    await drive(ctx, reset.verb, reset.options.parse({}) as reset.SandboxResetOptions);
    expect(sandbox.changes).toEqual([]);
    expect(ctx.captured.all()).toMatch(/the sandbox account is new/);
  });

  it("without --yes and without a terminal, it changes nothing and says what is missing", async () => {
    const { ctx, sandbox } = await sandboxContext({ yes: false });
    await expect(
      drive(ctx, reset.verb, reset.options.parse({}) as reset.SandboxResetOptions),
    ).rejects.toThrow(/confirmation|--yes/);
    expect(sandbox.changes).toEqual([]);
    expect(existsSync(ctx.settings.path)).toBe(true);
  });
});

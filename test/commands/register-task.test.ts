import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { MissingInputError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { createSimulatedAws, type SimulatedAws } from "../sim/index.js";

const CANARY = "CANARY-db-Secret-7f3a";
const JDBC = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const environment = { METADATA_HOST: "mc.example.com", METADATA_JDBC_URL: JDBC, METADATA_USERNAME: "mc" };
const options = (raw: Record<string, unknown> = {}) => RegisterTaskOptionsSchema.parse(raw);

let sim: SimulatedAws;

beforeEach(() => {
  vi.useFakeTimers();
  sim = createSimulatedAws();
  sim.install();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

function context(
  extra: { settingsPath?: string; yes?: boolean; env?: NodeJS.ProcessEnv; settings?: object } = {},
) {
  return testContext({
    settings: { environment, ...extra.settings },
    settingsPath: extra.settingsPath,
    env: { METADATA_PASSWORD: CANARY, MC_SUPERVISOR_PASSWORD: `${CANARY}-sup`, ...extra.env },
    options: { yes: extra.yes ?? true },
  });
}

describe("register-task", () => {
  it("--dry-run prints the exact input with secrets masked and calls no AWS API", async () => {
    const ctx = context({ yes: false });
    const result = await runRegisterTask(ctx, options({ dryRun: true }));
    expect(result).toMatchObject({ dryRun: true, registered: false });
    const printed = JSON.parse(ctx.captured.stdout());
    const mc = printed.containerDefinitions.find((container: { name: string }) => container.name === "mc");
    const variable = (name: string) =>
      mc.environment.find((entry: { name: string }) => entry.name === name)?.value as string | undefined;
    expect(variable("METADATA_PASSWORD")).toBe("********");
    expect(variable("MC_SUPERVISOR_PASSWORD")).toBe("********");
    expect(variable("METADATA_HOST")).toBe("mc.example.com");
    expect(ctx.captured.all()).not.toContain(CANARY);
    expect(sim.calls).toHaveLength(0);
  });

  it("registers revision 1 with the secrets in the task definition, never in the output", async () => {
    const ctx = context();
    const result = await runRegisterTask(ctx, options());
    expect(result).toMatchObject({ family: "model-catalogue", revision: 1, registered: true });
    const [call] = sim.callsOf("RegisterTaskDefinition");
    const sent = call?.input.containerDefinitions?.[0]?.environment?.find(
      (entry) => entry.name === "METADATA_PASSWORD",
    );
    expect(sent?.value).toBe(CANARY);
    expect(ctx.captured.stdout()).toContain("model-catalogue:1");
    expect(ctx.captured.all()).not.toContain(CANARY);
  });

  it("registers nothing when nothing changed, and shows a masked diff when something did", async () => {
    await runRegisterTask(context(), options());
    const unchanged = context();
    await expect(runRegisterTask(unchanged, options())).resolves.toMatchObject({
      registered: false,
      revision: 1,
    });
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    expect(unchanged.captured.stdout()).toContain("model-catalogue:1 is up to date");

    const changed = context({ env: { METADATA_PASSWORD: `${CANARY}-new`, MC_NAME: "Renamed" } });
    await expect(runRegisterTask(changed, options())).resolves.toMatchObject({
      registered: true,
      revision: 2,
    });
    const diff = changed.captured.stderr();
    expect(diff).toContain("Changes from model-catalogue:1:");
    expect(diff).toContain("~ mc env MC_NAME: Model Catalogue → Renamed");
    expect(diff).toContain("~ mc env METADATA_PASSWORD: ******** → ********");
    expect(changed.captured.all()).not.toContain(CANARY);
  });

  it("--force registers an identical revision", async () => {
    await runRegisterTask(context(), options());
    await expect(runRegisterTask(context(), options({ force: true }))).resolves.toMatchObject({
      revision: 2,
    });
  });

  it("without a terminal or --yes, fails listing the confirmation before calling AWS", async () => {
    const attempt = runRegisterTask(context({ yes: false }), options());
    await expect(attempt).rejects.toBeInstanceOf(MissingInputError);
    await expect(attempt).rejects.toMatchObject({ missing: ["confirmation (--yes)"] });
    expect(sim.calls).toHaveLength(0);
  });

  it("lists missing values and the confirmation together", async () => {
    const ctx = testContext({ settings: {}, env: {}, options: { yes: false } });
    await expect(runRegisterTask(ctx, options())).rejects.toMatchObject({
      missing: [
        "METADATA_HOST",
        "METADATA_JDBC_URL",
        "METADATA_USERNAME",
        "METADATA_PASSWORD",
        "confirmation (--yes)",
      ],
    });
  });

  it("saves non-secret answers with mode 0600 and never a secret", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-register-"));
    const settingsPath = join(dir, "mcctl.json");
    const { asker } = scriptedAsker({
      METADATA_HOST: "asked.example.com",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      MC_SUPERVISOR_PASSWORD: `${CANARY}-sup`,
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: CANARY,
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
      "Register a new revision": true,
    });
    const ctx = testContext({ settingsPath, options: { yes: false }, interactive: true, ask: asker });
    await runRegisterTask(ctx, options());
    const saved = await readFile(settingsPath, "utf8");
    expect(JSON.parse(saved).environment.METADATA_HOST).toBe("asked.example.com");
    expect(saved).not.toContain(CANARY);
  });
});

describe("register-task secrets on a re-run", () => {
  it("keeps the secrets of the newest revision when their variables are not set", async () => {
    await runRegisterTask(context(), options());
    const rerun = testContext({ settings: { environment }, env: {}, options: { yes: true } });
    await expect(runRegisterTask(rerun, options())).resolves.toMatchObject({
      registered: false,
      revision: 1,
    });
    expect(rerun.captured.stderr()).toContain(
      "keeping MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD from model-catalogue:1",
    );
    expect(rerun.captured.all()).not.toContain(CANARY);
  });
});

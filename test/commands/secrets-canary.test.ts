import { readFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { reportError } from "../../src/cli.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { runSecretsList, SecretsListOptionsSchema } from "../../src/commands/secrets-list.js";
import { runSecretsSet, SecretsSetOptionsSchema } from "../../src/commands/secrets-set.js";
import { runStatus } from "../../src/commands/status.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { testContext } from "../helpers/context.js";
import {
  BASE_ENVIRONMENT,
  MAIL_ENVIRONMENT,
  runningTask,
  runService,
  seedLegacyRevision,
} from "../helpers/deployments.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/** Every secret mcctl stores, each a canary that must only ever reach SSM and the container. */
const CANARIES: Readonly<Record<string, string>> = {
  METADATA_PASSWORD: "CANARY-db-9f2b71",
  MC_SUPERVISOR_PASSWORD: "CANARY-sup-4e8a03",
  MC_MAIL_PASSWORD: "CANARY-mail-c61d55",
  MC_S3_KEY: "CANARY-s3key-AKIA7Q",
  MC_S3_SECRET: "CANARY-s3secret-0b9e",
  MC_GOOGLE_SECRET: "CANARY-google-8d4f12",
};
const NEW_S3_SECRET = "CANARY-s3secret-NEW-77aa";
const ALL_CANARIES = [...Object.values(CANARIES), NEW_S3_SECRET];

/** mcctl.json with mail, S3 assets and Google login configured, so that every secret is used. */
const ENVIRONMENT = {
  ...BASE_ENVIRONMENT,
  ...MAIL_ENVIRONMENT,
  MC_S3_BUCKET: "mc-assets-example",
  MC_GOOGLE_KEY: "1234567890-abc.apps.googleusercontent.com",
};

const sim = useSimulatedAws();

/** Finds any canary in `text`; the message names the canary and where it leaked. */
function expectNoCanary(where: string, text: string) {
  const leaked = ALL_CANARIES.filter((canary) => text.includes(canary));
  expect(leaked, `canary leaked in ${where}`).toEqual([]);
}

/** Every command runs with --debug; everything it prints is kept here. */
function debugContexts() {
  const printed: { name: string; text: () => string }[] = [];
  const make = (
    name: string,
    settings: Settings,
    path: string | undefined,
    extra: { env?: NodeJS.ProcessEnv; json?: boolean } = {},
  ) => {
    const ctx = testContext({
      settings,
      settingsPath: path,
      env: extra.env ?? {},
      options: { yes: true, debug: true },
      debug: true,
      json: extra.json ?? false,
    });
    printed.push({ name, text: () => ctx.captured.all() });
    return ctx;
  };
  return { make, printed };
}

/**
 * Transient AWS errors while the service restarts (past the planning's own DescribeServices calls):
 * --debug reports each retry, and that report is checked too.
 */
function throttleWhileRestarting() {
  sim.faults.inject({ service: "ECS", command: "DescribeServices", error: "throttling", times: 2, after: 6 });
}

const savedSettings = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;

/**
 * No canary in anything mcctl printed, in mcctl.json or in any AWS call except where a secret belongs:
 * PutParameter's input (the write to SSM) and GetParameter's output (a value read to compare it).
 */
async function expectNoLeak(
  printed: { name: string; text: () => string }[],
  settingsPath: string,
  /** The revision an older mcctl registered with plain-text secrets: describing it returns them. */
  legacyRevision?: string,
) {
  for (const { name, text } of printed) expectNoCanary(`the output of ${name}`, text());
  expectNoCanary("mcctl.json", await readFile(settingsPath, "utf8"));
  const registrations = sim.callsOf("RegisterTaskDefinition");
  expect(registrations.length).toBeGreaterThan(0);
  for (const call of registrations)
    expectNoCanary("a RegisterTaskDefinition input", JSON.stringify(call.input));
  for (const call of sim.calls) {
    if (!(call.service === "SSM" && call.command === "PutParameter")) {
      expectNoCanary(`the input of ${call.service}:${call.command}`, JSON.stringify(call.input));
    }
    const describesLegacy =
      legacyRevision !== undefined &&
      call.command === "DescribeTaskDefinition" &&
      JSON.stringify(call.output ?? {}).includes(`task-definition/${legacyRevision}"`);
    if (!(call.service === "SSM" && call.command === "GetParameter") && !describesLegacy) {
      expectNoCanary(`the output of ${call.service}:${call.command}`, JSON.stringify(call.output ?? {}));
    }
  }
}

describe("no secret value ever leaves SSM and the container, even with --debug", () => {
  it("register-task, secrets list, secrets set, status and upgrade on a deployment using all six secrets", async () => {
    const { make, printed } = debugContexts();

    const registration = make("register-task", { environment: ENVIRONMENT }, undefined, { env: CANARIES });
    await expect(runRegisterTask(registration, RegisterTaskOptionsSchema.parse({}))).resolves.toMatchObject({
      revision: 1,
      registered: true,
    });
    const path = registration.settings.path;
    // The calls are kept: the leak check looks at every one, register-task's too.
    await runService(sim, "model-catalogue:1", { keepCalls: true });
    // The service's task got every secret from SSM.
    expect(runningTask(sim).environment).toMatchObject(CANARIES);

    await runSecretsList(
      make("secrets list", await savedSettings(path), path),
      SecretsListOptionsSchema.parse({}),
    );
    await runSecretsList(
      make("secrets list --json", await savedSettings(path), path, { json: true }),
      SecretsListOptionsSchema.parse({}),
    );
    throttleWhileRestarting();
    await runUntilSettled(
      runSecretsSet(
        make("secrets set", await savedSettings(path), path, { env: { MC_S3_SECRET: NEW_S3_SECRET } }),
        SecretsSetOptionsSchema.parse({ name: "MC_S3_SECRET", restart: true, pollInterval: "3s" }),
      ),
    );
    expect(runningTask(sim).environment.MC_S3_SECRET).toBe(NEW_S3_SECRET);
    await runStatus(make("status", await savedSettings(path), path), {});
    await runStatus(make("status --json", await savedSettings(path), path, { json: true }), {});
    throttleWhileRestarting();
    await runUntilSettled(
      runUpgrade(
        make("upgrade", await savedSettings(path), path),
        UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: "3s" }),
      ),
    );

    // The debug lines were really printed, and the values really went through the calls: the leak check
    // looked where they would show.
    expect(printed.map(({ text }) => text()).join("")).toContain("[debug] retrying after a transient error");
    const writes = JSON.stringify(sim.callsOf("PutParameter").map((call) => call.input));
    for (const canary of ALL_CANARIES) expect(writes).toContain(canary);
    await expectNoLeak(printed, path);
    // SSM holds every value, as a SecureString, and the upgraded task got them all.
    for (const [name, value] of Object.entries({ ...CANARIES, MC_S3_SECRET: NEW_S3_SECRET })) {
      expect(sim.ssm.parameter(`/mcctl/model-catalogue/${name}`)).toMatchObject({
        type: "SecureString",
        value,
      });
    }
    const upgraded = runningTask(sim);
    expect(upgraded.revision).toBe("model-catalogue:2");
    expect(upgraded.environment).toMatchObject({ ...CANARIES, MC_S3_SECRET: NEW_S3_SECRET });
  });

  it("moving plain-text secrets of an older revision to SSM (list, status, dry runs, upgrade, register-task) leaks none of them", async () => {
    const { make, printed } = debugContexts();
    const legacy = await seedLegacyRevision(sim, {
      environment: ENVIRONMENT,
      secrets: CANARIES,
      image: "metadata/registry:2.0.0",
    });
    await runService(sim, legacy.revision);

    const list = make("secrets list", legacy.settings, undefined);
    await runSecretsList(list, SecretsListOptionsSchema.parse({}));
    const path = list.settings.path;
    await runStatus(make("status", legacy.settings, path), {});
    // The plans, as machines read them: the changes compare plain values with references.
    await runRegisterTask(
      make("register-task --dry-run --json", legacy.settings, path, { json: true }),
      RegisterTaskOptionsSchema.parse({ dryRun: true }),
    );
    await runUntilSettled(
      runUpgrade(
        make("upgrade --dry-run --json", legacy.settings, path, { json: true }),
        UpgradeOptionsSchema.parse({ tag: "2.0.1", dryRun: true }),
      ),
    );
    throttleWhileRestarting();
    await runUntilSettled(
      runUpgrade(
        make("upgrade", legacy.settings, path),
        UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: "3s" }),
      ),
    );
    await runRegisterTask(
      make("register-task", await savedSettings(path), path),
      RegisterTaskOptionsSchema.parse({}),
    );

    expect(printed.map(({ text }) => text()).join("")).toContain("[debug] retrying after a transient error");
    const dryRun = printed.find(({ name }) => name === "register-task --dry-run --json")?.text() ?? "";
    expect(dryRun).toContain('"before": "plain text ********"');
    await expectNoLeak(printed, path, legacy.revision);
    for (const [name, value] of Object.entries(CANARIES)) {
      expect(sim.ssm.parameter(`/mcctl/model-catalogue/${name}`)).toMatchObject({
        type: "SecureString",
        value,
      });
    }
    expect(runningTask(sim).environment).toMatchObject(CANARIES);
  });

  it("an error while storing a secret, reported with --debug, does not show the value", async () => {
    const { make, printed } = debugContexts();
    const registration = make("register-task", { environment: ENVIRONMENT }, undefined, { env: CANARIES });
    await runRegisterTask(registration, RegisterTaskOptionsSchema.parse({}));
    const path = registration.settings.path;
    sim.faults.inject({ service: "SSM", command: "PutParameter", error: "access-denied" });

    const ctx = make("secrets set", await savedSettings(path), path, {
      env: { MC_S3_SECRET: NEW_S3_SECRET },
    });
    const error = await runSecretsSet(ctx, SecretsSetOptionsSchema.parse({ name: "MC_S3_SECRET" })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    const stderr = new PassThrough();
    let reported = "";
    stderr.on("data", (chunk) => {
      reported += String(chunk);
    });
    expect(reportError(error, true, stderr)).toBe(1);

    expect(reported).toMatch(
      /^mcctl: AWS denied ssm:PutParameter in eu-west-1 for arn:aws:iam::123456789012:user\/test\n/,
    );
    // --debug adds the stacks and the AWS error it was caused by.
    expect(reported).toContain(
      "Caused by: AccessDeniedException: User: arn:aws:iam::123456789012:user/test is not authorized to perform: ssm:PutParameter on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/MC_S3_SECRET",
    );
    expectNoCanary("the --debug error report", reported);
    await expectNoLeak(printed, path);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/MC_S3_SECRET")?.value).toBe(CANARIES.MC_S3_SECRET);
  });
});

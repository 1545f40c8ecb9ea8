import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BackupOptionsSchema, runBackup } from "../../src/commands/backup.js";
import { BackupListOptionsSchema, runBackupList } from "../../src/commands/backup-list.js";
import { DestroyOptionsSchema, runDestroy } from "../../src/commands/destroy.js";
import { LogsOptionsSchema, runLogs } from "../../src/commands/logs.js";
import { runPermissions } from "../../src/commands/permissions.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSecretsList, SecretsListOptionsSchema } from "../../src/commands/secrets-list.js";
import {
  PurgePlaintextOptionsSchema,
  runPurgePlaintext,
} from "../../src/commands/secrets-purge-plaintext.js";
import { runSecretsRm, SecretsRmOptionsSchema } from "../../src/commands/secrets-rm.js";
import { runSecretsSet, SecretsSetOptionsSchema } from "../../src/commands/secrets-set.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runStatus } from "../../src/commands/status.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import type { PolicyDocument } from "../../src/domain/iam-policy.js";
import { testContext } from "../helpers/context.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";
import { mcTaskDefinition, seedEmptyAccount } from "../sim/fixtures.js";
import { createSimulatedAws, type SimulatedAws } from "../sim/index.js";

/**
 * Issue 15: every command's main scenarios, run as a caller whose identity policy is exactly what
 * `mcctl permissions COMMAND` prints for that command, on one simulated account that enforces it as IAM
 * does. Then the policy of every command, as `mcctl permissions` prints it, is shown to hold no action
 * that none of the scenarios needed.
 */
const SECRETS = {
  METADATA_PASSWORD: "Least-Privilege-Db-1",
  MC_SUPERVISOR_PASSWORD: "Least-Privilege-Sup-1",
};
const FIRST_ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};
const BUCKET = "mc-least-privilege-assets";

let sim: SimulatedAws;
let settingsPath: string;

beforeAll(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
  sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seedEmptyAccount(sim);
  settingsPath = join(await mkdtemp(join(tmpdir(), "mcctl-least-privilege-")), "mcctl.json");
});

afterAll(() => {
  sim.restore();
  vi.useRealTimers();
});

const savedSettings = async (): Promise<Settings> => {
  try {
    return JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
  } catch {
    return {};
  }
};

async function context(env: NodeJS.ProcessEnv = {}, settings?: Settings) {
  return testContext({
    settings: settings ?? (await savedSettings()),
    settingsPath,
    env,
    options: { yes: true },
  });
}

const run = <T>(promise: Promise<T>) => runUntilSettled(promise, 4 * 60 * 60_000, 5_000);

/** What `mcctl permissions WORDS…` prints for the deployment as mcctl.json describes it now. */
async function policyFor(words: string[], settings?: Settings): Promise<PolicyDocument[]> {
  sim.setCallerPolicies(undefined);
  const documents = await runPermissions(await context({}, settings ?? (await savedSettings())), {
    commands: words,
  });
  return documents;
}

/** Runs one command as a caller holding exactly its own policy; every refusal fails the step. */
async function as<T>(words: string[], command: () => Promise<T>, settings?: Settings): Promise<T> {
  const documents = await policyFor(words, settings);
  const start = sim.authorizations.length;
  // As the operator pastes them: the JSON text of each document.
  sim.setCallerPolicies(documents.map((document) => JSON.stringify(document)));
  try {
    return await run(command());
  } finally {
    sim.setCallerPolicies(undefined);
    const refused = sim.authorizations.slice(start).filter((record) => !record.allowed);
    expect(refused.map((record) => `${record.action} on ${record.resource}`)).toEqual([]);
  }
}

describe("every command as a caller holding only what `mcctl permissions COMMAND` prints", () => {
  it("setup on an empty account", async () => {
    const outcome = await as(
      ["setup"],
      async () =>
        runSetupCommand(
          await context(SECRETS, {
            ...FIRST_ANSWERS,
            environment: { ...FIRST_ANSWERS.environment, MC_S3_BUCKET: BUCKET },
          }),
          SetupOptionsSchema.parse({}),
        ),
      { ...FIRST_ANSWERS, environment: { ...FIRST_ANSWERS.environment, MC_S3_BUCKET: BUCKET } },
    );
    expect(outcome.complete).toBe(true);
  });

  it("register-task with a changed host", async () => {
    const result = await as(["register-task"], async () =>
      runRegisterTask(
        await context({ METADATA_HOST: "mc.example.org" }),
        RegisterTaskOptionsSchema.parse({}),
      ),
    );
    expect(result).toMatchObject({ registered: true });
  });

  it("restart", async () => {
    await as(["restart"], async () =>
      runRestart(await context(), RestartOptionsSchema.parse({ pollInterval: "3s" })),
    );
  });

  it("upgrade --tag 2.0.1, with its snapshot", async () => {
    await as(["upgrade"], async () =>
      runUpgrade(await context(), UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: "3s" })),
    );
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(1);
  });

  it("rollback", async () => {
    await as(["rollback"], async () =>
      runRollback(await context(), RollbackOptionsSchema.parse({ pollInterval: "3s" })),
    );
  });

  it("status, logs (also of a running task whose log stream was deleted)", async () => {
    await as(["status"], async () => runStatus(await context()));
    await as(["logs"], async () => runLogs(await context(), LogsOptionsSchema.parse({ since: "1h" })));
    const [task] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
    const taskId = task?.taskArn?.split("/").pop() ?? "";
    const group = sim.logs.groups()[0] ?? "";
    const stream = sim.logs.group(group)?.streams.find((name) => name.endsWith(`/mc/${taskId}`)) ?? "";
    sim.logs.deleteLogStream({ logGroupName: group, logStreamName: stream });
    await as(["logs"], async () => runLogs(await context(), LogsOptionsSchema.parse({ since: "1h" })));
    expect(sim.callsOf("DescribeLogStreams").length).toBeGreaterThan(0);
  });

  it("secrets list, set, rm, purge-plaintext", async () => {
    await as(["secrets", "list"], async () =>
      runSecretsList(await context(), SecretsListOptionsSchema.parse({})),
    );
    await as(["secrets", "set"], async () =>
      runSecretsSet(
        await context({ MC_SUPERVISOR_PASSWORD: "Least-Privilege-Sup-2" }),
        SecretsSetOptionsSchema.parse({ name: "MC_SUPERVISOR_PASSWORD", restart: true, pollInterval: "3s" }),
      ),
    );
    await as(["secrets", "rm"], async () =>
      runSecretsRm(await context(), SecretsRmOptionsSchema.parse({ name: "MC_SUPERVISOR_PASSWORD" })),
    );
    // A revision made by hand, with a password in plain text, for purge-plaintext to delete.
    const plain = mcTaskDefinition({ family: "model-catalogue" });
    plain.containerDefinitions?.[0]?.environment?.push({ name: "METADATA_PASSWORD", value: "plain" });
    sim.ecs.registerTaskDefinition(plain);
    const purged = await as(["secrets", "purge-plaintext"], async () =>
      runPurgePlaintext(await context(), PurgePlaintextOptionsSchema.parse({})),
    );
    expect(purged).toBeDefined();
  });

  it("backup, backup list", async () => {
    await as(["backup"], async () => runBackup(await context(), BackupOptionsSchema.parse({ wait: true })));
    await as(["backup", "list"], async () =>
      runBackupList(await context(), BackupListOptionsSchema.parse({})),
    );
  });

  it("destroy, bucket and all", async () => {
    sim.s3.addObject(BUCKET, "assets/logo.png", 1024);
    await as(["destroy"], async () =>
      runDestroy(
        await context(),
        DestroyOptionsSchema.parse({ deleteBucket: true, force: true, pollInterval: "10s" }),
      ),
    );
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toEqual([]);
  });

  it("setup after destroy", async () => {
    const outcome = await as(["setup"], async () =>
      runSetupCommand(await context(SECRETS), SetupOptionsSchema.parse({})),
    );
    expect(outcome.complete).toBe(true);
  });

  it("the policy of every command holds no action that none of the scenarios needed", async () => {
    const documents = await policyFor([]);
    const granted = new Set(
      documents.flatMap((document) => document.Statement.flatMap((statement) => statement.Action)),
    );
    const needed = new Set(
      sim.authorizations.filter((record) => record.allowed).map((record) => record.action),
    );
    expect([...granted].filter((action) => !needed.has(action)).sort()).toEqual([]);
  });
});

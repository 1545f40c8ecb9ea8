import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BackupOptionsSchema, runBackup } from "../../src/commands/backup.js";
import { BackupListOptionsSchema, runBackupList } from "../../src/commands/backup-list.js";
import { CreateServiceOptionsSchema, runCreateService } from "../../src/commands/create-service.js";
import { DestroyOptionsSchema, runDestroy } from "../../src/commands/destroy.js";
import { LogsOptionsSchema, runLogs } from "../../src/commands/logs.js";
import { runPermissions } from "../../src/commands/permissions.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { RestoreOptionsSchema, runRestore } from "../../src/commands/restore.js";
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
import { type CapturedOutput, testContext } from "../helpers/context.js";
import { createSimulatedAws, modelCatalogueImageSizesMiB, type SimulatedAws } from "../helpers/sim.js";
import { mcTaskDefinition, seedEmptyAccount, seedMcCluster } from "../helpers/sim-fixtures.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/**
 * Issue 15: every command's main scenarios, run as a caller whose identity policy is exactly what
 * `mcctl permissions COMMAND` prints for it, on a simulated account that enforces it as IAM does; then
 * the same walk with one action taken out of a policy, which must stop the command or make it say
 * what AWS refused. MCCTL_EVERY_ACTION=1 takes out each action of every policy in turn (slow).
 */
const SECRETS = {
  METADATA_PASSWORD: "Least-Privilege-Db-1",
  MC_SUPERVISOR_PASSWORD: "Least-Privilege-Sup-1",
};
const BUCKET = "mc-least-privilege-assets";
const FIRST_ANSWERS: Settings = {
  environment: {
    METADATA_HOST: "catalogue.example.org",
    MC_SUPERVISOR_EMAIL: "ops@example.org",
    MC_S3_BUCKET: BUCKET,
  },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

interface World {
  sim: SimulatedAws;
  settingsPath: string;
}

interface Step {
  name: string;
  /** The words after `mcctl permissions`. */
  words: string[];
  /** Settings to plan with before mcctl.json exists. */
  settings?: Settings;
  env?: NodeJS.ProcessEnv;
  before?: (world: World) => void;
  run: (context: ReturnType<typeof testContext>, world: World) => Promise<unknown>;
  after?: (world: World) => void;
}

const pollInterval = "3s";

/** A deployment's life, from an empty account to a second setup after destroy. */
const LIFE: Step[] = [
  {
    name: "setup on an empty account",
    words: ["setup"],
    settings: FIRST_ANSWERS,
    env: SECRETS,
    run: (context) => runSetupCommand(context, SetupOptionsSchema.parse({})),
  },
  {
    name: "register-task with a changed host",
    words: ["register-task"],
    env: { METADATA_HOST: "mc.example.org" },
    run: (context) => runRegisterTask(context, RegisterTaskOptionsSchema.parse({})),
  },
  {
    name: "restart",
    words: ["restart"],
    run: (c) => runRestart(c, RestartOptionsSchema.parse({ pollInterval })),
  },
  {
    name: "upgrade --tag 2.0.1 interrupted (SIGTERM) during its pre-pull: the one-off task stopped",
    words: ["upgrade"],
    // Pulls that take time (22 s at the simulator's 50 MiB/s), so that the signal comes during one.
    before: ({ sim }) => {
      for (const [repository, mib] of Object.entries(modelCatalogueImageSizesMiB)) {
        sim.ecs.setImageSize(repository, mib);
      }
    },
    run: async (c, { sim }) => {
      const upgrade = runUpgrade(c, UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval }));
      upgrade.catch(() => {});
      while (sim.callsOf("StartTask").length === 0)
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      process.emit("SIGTERM");
      const error = await upgrade.then(
        () => undefined,
        (caught: unknown) => caught as { exitCode?: number },
      );
      expect(error?.exitCode).toBe(143);
    },
    after: ({ sim }) => {
      expect(sim.callsOf("StopTask")).toHaveLength(1);
      expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
    },
  },
  {
    name: "upgrade --tag 2.0.1, with its snapshot",
    words: ["upgrade"],
    run: (c) => runUpgrade(c, UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval })),
    after: ({ sim }) => expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(1),
  },
  {
    name: "rollback --with-database",
    words: ["rollback"],
    run: (c) => runRollback(c, RollbackOptionsSchema.parse({ withDatabase: true, pollInterval })),
    after: ({ sim }) => expect(sim.callsOf("RestoreDBInstanceFromDBSnapshot")).toHaveLength(1),
  },
  {
    name: "rollback",
    words: ["rollback"],
    run: (c) => runRollback(c, RollbackOptionsSchema.parse({ pollInterval })),
  },
  { name: "status", words: ["status"], run: (c) => runStatus(c) },
  { name: "logs", words: ["logs"], run: (c) => runLogs(c, LogsOptionsSchema.parse({ since: "1h" })) },
  {
    name: "logs of a running task whose log stream was deleted",
    words: ["logs"],
    before: ({ sim }) => {
      const taskId = sim.ecs
        .tasks({ serviceName: "mc", lastStatus: "RUNNING" })[0]
        ?.taskArn?.split("/")
        .pop();
      const group = sim.logs.groups()[0] ?? "";
      const stream = sim.logs.group(group)?.streams.find((name) => name.endsWith(`/mc/${taskId}`)) ?? "";
      sim.logs.deleteLogStream({ logGroupName: group, logStreamName: stream });
    },
    run: (c) => runLogs(c, LogsOptionsSchema.parse({ since: "1h" })),
    after: ({ sim }) => expect(sim.callsOf("DescribeLogStreams").length).toBeGreaterThan(0),
  },
  {
    name: "secrets list",
    words: ["secrets", "list"],
    run: (c) => runSecretsList(c, SecretsListOptionsSchema.parse({})),
  },
  {
    name: "secrets set --restart",
    words: ["secrets", "set"],
    env: { MC_SUPERVISOR_PASSWORD: "Least-Privilege-Sup-2" },
    run: (c) =>
      runSecretsSet(
        c,
        SecretsSetOptionsSchema.parse({ name: "MC_SUPERVISOR_PASSWORD", restart: true, pollInterval }),
      ),
  },
  {
    name: "secrets rm",
    words: ["secrets", "rm"],
    run: (c) => runSecretsRm(c, SecretsRmOptionsSchema.parse({ name: "MC_SUPERVISOR_PASSWORD" })),
  },
  {
    name: "secrets purge-plaintext",
    words: ["secrets", "purge-plaintext"],
    before: ({ sim }) => {
      // A revision made by hand, with the password in plain text.
      const plain = mcTaskDefinition({ family: "model-catalogue" });
      plain.containerDefinitions?.[0]?.environment?.push({ name: "METADATA_PASSWORD", value: "plain" });
      sim.ecs.registerTaskDefinition(plain);
    },
    run: (c) => runPurgePlaintext(c, PurgePlaintextOptionsSchema.parse({})),
    after: ({ sim }) => expect(sim.callsOf("DeleteTaskDefinitions").length).toBeGreaterThan(0),
  },
  {
    name: "backup --wait",
    words: ["backup"],
    run: (c) => runBackup(c, BackupOptionsSchema.parse({ wait: true })),
  },
  {
    name: "backup list",
    words: ["backup", "list"],
    run: (c) => runBackupList(c, BackupListOptionsSchema.parse({})),
  },
  {
    name: "restore --delete-old",
    words: ["restore"],
    run: (c) => runRestore(c, RestoreOptionsSchema.parse({ deleteOld: true, pollInterval })),
    after: ({ sim }) => expect(sim.callsOf("DeleteDBInstance")).toHaveLength(1),
  },
  {
    name: "destroy --delete-bucket --force",
    words: ["destroy"],
    before: ({ sim }) => sim.s3.addObject(BUCKET, "assets/logo.png", 1024),
    run: (c) =>
      runDestroy(c, DestroyOptionsSchema.parse({ deleteBucket: true, force: true, pollInterval: "10s" })),
    after: ({ sim }) => expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toEqual([]),
  },
  {
    name: "setup after destroy",
    words: ["setup"],
    env: SECRETS,
    run: (c) => runSetupCommand(c, SetupOptionsSchema.parse({})),
  },
];

/** create-service on its own: a cluster with an instance and a revision, no service yet. */
const CREATE_SERVICE: Step[] = [
  {
    name: "create-service",
    words: ["create-service"],
    settings: { cluster: "mc", taskFamily: "mc" },
    run: (c) => runCreateService(c, CreateServiceOptionsSchema.parse({ family: "mc", pollInterval })),
  },
];

const worlds: World[] = [];
afterEach(() => {
  for (const world of worlds.splice(0)) world.sim.restore();
  vi.useRealTimers();
});

async function newWorld(seed: (sim: SimulatedAws) => void): Promise<World> {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
  const sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seed(sim);
  const world = {
    sim,
    settingsPath: join(await mkdtemp(join(tmpdir(), "mcctl-least-privilege-")), "mcctl.json"),
  };
  worlds.push(world);
  return world;
}

async function settingsOf(world: World, step: Step): Promise<Settings> {
  try {
    return JSON.parse(await readFile(world.settingsPath, "utf8")) as Settings;
  } catch {
    return step.settings ?? {};
  }
}

function contextFor(world: World, settings: Settings, env: NodeJS.ProcessEnv = {}) {
  const cluster = settings.cluster ?? "default";
  return testContext({ settings, settingsPath: world.settingsPath, env, options: { yes: true, cluster } });
}

/** What `mcctl permissions WORDS…` prints for the deployment as mcctl.json describes it now. */
async function policyFor(world: World, step: Step): Promise<PolicyDocument[]> {
  world.sim.setCallerPolicies(undefined);
  const settings = await settingsOf(world, step);
  return runPermissions(contextFor(world, settings), { commands: step.words });
}

const withoutAction = (documents: PolicyDocument[], action: string): PolicyDocument[] =>
  documents.map((document) => ({
    ...document,
    Statement: document.Statement.map((statement) => ({
      ...statement,
      Action: statement.Action.filter((candidate) => candidate !== action),
    })).filter((statement) => statement.Action.length > 0),
  }));

interface StepOutcome {
  error?: unknown;
  captured: CapturedOutput;
  /** The actions of every policy granted in this step. */
  granted: Set<string>;
}

/** Runs one step as a caller holding exactly its policy (less `remove`, when given). */
async function runStep(world: World, step: Step, remove?: string): Promise<StepOutcome> {
  const full = await policyFor(world, step);
  const documents = remove ? withoutAction(full, remove) : full;
  step.before?.(world);
  const context = contextFor(world, await settingsOf(world, step), step.env);
  // As the operator pastes them: the JSON text of each document.
  world.sim.setCallerPolicies(documents.map((document) => JSON.stringify(document)));
  const outcome: StepOutcome = {
    captured: context.captured,
    granted: new Set(full.flatMap((document) => document.Statement.flatMap((statement) => statement.Action))),
  };
  try {
    await runUntilSettled(step.run(context, world), 4 * 60 * 60_000, 5_000);
  } catch (error) {
    outcome.error = error;
  } finally {
    world.sim.setCallerPolicies(undefined);
  }
  return outcome;
}

/** The whole walk with every policy complete: each step succeeds and AWS refuses nothing. */
async function walk(steps: Step[], seed: (sim: SimulatedAws) => void) {
  const world = await newWorld(seed);
  const needed = new Map<string, string>();
  const granted = new Set<string>();
  for (const step of steps) {
    const start = world.sim.authorizations.length;
    const outcome = await runStep(world, step);
    expect(outcome.error, step.name).toBeUndefined();
    const records = world.sim.authorizations.slice(start);
    expect(
      records.filter((record) => !record.allowed).map((r) => `${r.action} on ${r.resource}`),
      step.name,
    ).toEqual([]);
    step.after?.(world);
    for (const action of outcome.granted) granted.add(action);
    for (const record of records) if (!needed.has(record.action)) needed.set(record.action, step.name);
  }
  return { granted, needed };
}

/**
 * The walk again up to the step that first needed `action`, which runs without it. Good when the
 * simulated AWS refused it in IAM's words and the command stopped, or carried on and said what AWS
 * refused (a best-effort read; the service-linked role, which ECS reports in its own words).
 */
async function walkWithout(steps: Step[], seed: (sim: SimulatedAws) => void, action: string, at: string) {
  const world = await newWorld(seed);
  for (const step of steps) {
    if (step.name !== at) {
      expect((await runStep(world, step)).error, step.name).toBeUndefined();
      continue;
    }
    const outcome = await runStep(world, step, action);
    const refused = world.sim.authorizations.some((entry) => entry.action === action && !entry.allowed);
    const refusal = world.sim.calls.find((call) =>
      String((call.error as Error | undefined)?.message ?? "").includes(
        `not authorized to perform: ${action}`,
      ),
    );
    const inIamWords =
      refusal === undefined ||
      String((refusal.error as Error).message).includes(
        `because no identity-based policy allows the ${action} action`,
      );
    const said = `${(outcome.error as Error | undefined)?.message ?? ""} ${outcome.captured.all()}`;
    const noticed = outcome.error !== undefined || said.includes(action) || /service linked role/i.test(said);
    return { ...outcome, good: refused && inIamWords && noticed, said: said.slice(0, 300) };
  }
  throw new Error(`no step ${at}`);
}

const emptyAccount = (sim: SimulatedAws) => seedEmptyAccount(sim);
const clusterWithoutService = (sim: SimulatedAws) => {
  seedMcCluster(sim);
};

describe("every command as a caller holding only what `mcctl permissions COMMAND` prints", () => {
  it("a deployment's life: each step succeeds; no action of any policy goes unused", async () => {
    const life = await walk(LIFE, emptyAccount);
    const alone = await walk(CREATE_SERVICE, clusterWithoutService);
    const granted = new Set([...life.granted, ...alone.granted]);
    const needed = new Set([...life.needed.keys(), ...alone.needed.keys()]);
    expect([...granted].filter((action) => !needed.has(action)).sort()).toEqual([]);
  });

  it.each([
    ["ecs:UpdateService", "restart"],
    ["iam:PassRole", "setup on an empty account"],
    ["ssm:DescribeParameters", "secrets list"],
    ["rds:CreateDBSnapshot", "destroy --delete-bucket --force"],
    ["s3:PutBucketPublicAccessBlock", "setup on an empty account"],
    ["logs:FilterLogEvents", "logs"],
    ["ec2:RunInstances", "setup on an empty account"],
  ])("without %s, %s stops in AWS's words", async (action, at) => {
    const outcome = await walkWithout(LIFE, emptyAccount, action, at);
    expect(outcome.good, outcome.said).toBe(true);
    expect(outcome.error).toBeDefined();
  });

  it("without iam:CreateServiceLinkedRole, create-service on an account's first cluster fails as ECS says", async () => {
    const outcome = await walkWithout(
      CREATE_SERVICE,
      clusterWithoutService,
      "iam:CreateServiceLinkedRole",
      "create-service",
    );
    expect(String((outcome.error as Error).message)).toMatch(/service linked role/i);
  });

  it.runIf(process.env.MCCTL_EVERY_ACTION === "1")(
    "without any one action of any policy, the first step that needs it stops or says so",
    async () => {
      const life = await walk(LIFE, emptyAccount);
      const alone = await walk(CREATE_SERVICE, clusterWithoutService);
      const report: string[] = [];
      for (const [steps, seed, needed] of [
        [LIFE, emptyAccount, life.needed],
        [CREATE_SERVICE, clusterWithoutService, alone.needed],
      ] as const) {
        for (const [action, at] of needed) {
          const outcome = await walkWithout(steps, seed, action, at);
          const verdict = outcome.good
            ? outcome.error
              ? "stops"
              : "says so"
            : `NOT NOTICED: ${outcome.said}`;
          report.push(`${action} @ ${at}: ${verdict}`);
          for (const world of worlds.splice(0)) world.sim.restore();
        }
      }
      console.log(report.join("\n"));
      expect(report.filter((line) => line.includes("NOT NOTICED"))).toEqual([]);
    },
    20 * 60_000,
  );
});

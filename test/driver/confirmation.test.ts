import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { VERB_MODULES } from "../../src/cli.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import type { Settings } from "../../src/config/settings.js";
import { VERBS, type VerbName } from "../../src/driver/catalogue.js";
import { type DriverOptions, drive } from "../../src/driver/drive.js";
import type { ChangingVerb } from "../../src/driver/verb.js";
import type { Asker } from "../../src/ui/prompts.js";
import { testContext } from "../helpers/context.js";
import { fakeSandbox } from "../helpers/fake-sandbox.js";
import { mcServiceInput, mcTaskDefinition, seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/**
 * Issue 17: the confirmation belongs to the driver, so no verb can change AWS before it. Every verb the
 * catalogue declares as changing AWS (found here, not listed: a new verb is walked too, and fails until
 * it has a scenario) is run on a terminal up to its confirmation, answered No: zero mutating AWS calls,
 * and mcctl.json byte for byte as it was.
 */
const SECRETS = { METADATA_PASSWORD: "Confirm-Db-Pass-1", MC_SUPERVISOR_PASSWORD: "Confirm-Sup-Pass-1" };
const S3_KEYS = { MC_S3_KEY: "AKIACONFIRMTEST", MC_S3_SECRET: "Confirm-S3-Secret" };
const MUTATING =
  /^(Create|Put|Run|Authorize|Revoke|Register|Update|Delete|Modify|Stop|Start|Terminate|Deregister|Add|Tag|Attach|Detach|Restore)/;
const ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

const sim = useSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
const settle = <T>(promise: Promise<T>) => runUntilSettled(promise, 4 * 60 * 60_000, 5_000);

interface Scenario {
  /** Puts the account and mcctl.json in a state where the verb has something to change. */
  arrange(): Promise<{
    settings: Settings;
    env?: NodeJS.ProcessEnv;
    sandbox?: ReturnType<typeof fakeSandbox>;
  }>;
  /** The verb's flags and arguments, as commander would hand them over. */
  raw?: Record<string, unknown>;
}

/** The deployment setup --yes makes: what most verbs act on. */
async function deployed(): Promise<{ settings: Settings; env: NodeJS.ProcessEnv }> {
  seedEmptyAccount(sim);
  const env = { ...SECRETS, ...S3_KEYS };
  const ctx = testContext({ settings: ANSWERS, env, options: { yes: true } });
  await writeFile(ctx.settings.path, JSON.stringify(ANSWERS));
  await settle(runSetupCommand(ctx, SetupOptionsSchema.parse({})));
  return { settings: JSON.parse(await readFile(ctx.settings.path, "utf8")) as Settings, env };
}

/** A service on revision 2 of its family, with plain-text secrets in revision 1 (made by hand). */
async function byHand(): Promise<{ settings: Settings }> {
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  const plain = mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0" });
  const [mc] = plain.containerDefinitions ?? [];
  if (mc) mc.environment = [...(mc.environment ?? []), { name: "METADATA_PASSWORD", value: "Plain-Text-1" }];
  sim.ecs.registerTaskDefinition(plain);
  sim.ecs.registerTaskDefinition(
    mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0" }),
  );
  sim.ecs.registerTaskDefinition(
    mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0" }),
  );
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue:3" }));
  await vi.advanceTimersByTimeAsync(60_000);
  return { settings: { region: "eu-west-1" } };
}

const SCENARIOS: Record<VerbName, Scenario | "reads only"> = {
  setup: {
    arrange: async () => {
      seedEmptyAccount(sim);
      return { settings: ANSWERS, env: { ...SECRETS, ...S3_KEYS } };
    },
  },
  "register-task": {
    arrange: async () => {
      const { settings, env } = await deployed();
      return { settings, env: { ...env, METADATA_HOST: "changed.example.org" } };
    },
  },
  "create-service": {
    arrange: async () => {
      sim.ecs.addCluster("default");
      sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
      sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
      return { settings: { region: "eu-west-1" } };
    },
  },
  restart: { arrange: deployed },
  upgrade: { arrange: deployed, raw: { tag: "2.0.1" } },
  rollback: { arrange: byHand },
  restore: {
    arrange: async () => {
      const deployment = await deployed();
      const identifier = deployment.settings.setup?.database?.identifier ?? "model-catalogue";
      sim.rds.addSnapshot({
        DBSnapshotIdentifier: `mcctl-${identifier}-backup-20261125t030000z`,
        DBInstanceIdentifier: identifier,
        Tags: [{ Key: "managed-by", Value: "mcctl" }],
      });
      return deployment;
    },
  },
  "secrets set": {
    arrange: async () => {
      const { settings, env } = await deployed();
      return { settings, env: { ...env, MC_SUPERVISOR_PASSWORD: "Confirm-New-Sup-2" } };
    },
    raw: { name: "MC_SUPERVISOR_PASSWORD" },
  },
  "secrets rm": {
    arrange: async () => {
      const { settings, env } = await deployed();
      const { MC_SUPERVISOR_PASSWORD: _removed, ...rest } = env;
      return { settings, env: rest };
    },
    raw: { name: "MC_SUPERVISOR_PASSWORD" },
  },
  "secrets purge-plaintext": { arrange: byHand },
  "backup create": { arrange: deployed },
  destroy: { arrange: deployed },
  status: "reads only",
  logs: "reads only",
  "secrets list": "reads only",
  "backup list": "reads only",
  permissions: "reads only",
  "sandbox reset": {
    arrange: async () => ({ settings: { sandbox: true, ...ANSWERS }, sandbox: fakeSandbox() }),
  },
  "sandbox fail": {
    arrange: async () => ({ settings: { sandbox: true, ...ANSWERS }, sandbox: fakeSandbox() }),
    raw: { fault: "out-of-memory" },
  },
};

describe("a No at the confirmation changes nothing, in every verb that can change AWS", () => {
  it("walks every verb of the catalogue", () => {
    for (const verb of VERBS) {
      expect(SCENARIOS[verb.name], `no scenario for ${verb.name}`).toBeDefined();
      expect(SCENARIOS[verb.name] === "reads only", `${verb.name}: changes AWS?`).toBe(!verb.changes);
    }
  });

  it.each(VERBS.filter((verb) => verb.changes).map((verb) => verb.name))("%s", async (name) => {
    const scenario = SCENARIOS[name];
    if (scenario === "reads only") throw new Error(`${name} is declared as changing AWS`);
    const { settings, env = {}, sandbox } = await scenario.arrange();
    const ctx = testContext({ settings, env, options: {}, interactive: true });
    ctx.sandbox = sandbox;
    await writeFile(ctx.settings.path, JSON.stringify(settings));
    const before = await readFile(ctx.settings.path, "utf8");
    sim.clearCalls();

    const module = await VERB_MODULES[name]();
    if (!("plan" in module.verb)) throw new Error(`${name} has no plan`);
    const verb = module.verb as ChangingVerb<DriverOptions>;
    let question: string | undefined;
    const asked: string[] = [];
    // Every question answered with its default (Enter); No, or a wrong name, at the confirmation.
    ctx.ask = {
      askText: async (q) => {
        asked.push(q.message);
        return question !== undefined && q.message.startsWith(question) ? "" : (q.defaultValue ?? "");
      },
      askSecret: async (q) => {
        asked.push(q.message);
        return "";
      },
      askChoice: async (q) => {
        asked.push(q.message);
        return q.defaultValue as never;
      },
      askConfirm: async (message, fallback = false) => {
        asked.push(message);
        return message === question ? false : fallback;
      },
    } satisfies Asker;
    const watched: ChangingVerb<DriverOptions> = {
      ...verb,
      plan: async (context, options) => {
        const plan = await verb.plan(context, options);
        question = plan.question;
        return plan;
      },
    };
    const options = module.options.parse({ ...scenario.raw }) as DriverOptions;
    await expect(settle(drive(ctx, watched, options))).rejects.toThrow(/nothing was changed/);

    expect(question, "the plan reached its confirmation").toBeDefined();
    expect(asked.some((message) => message.startsWith(question ?? "\0"))).toBe(true);
    expect(sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => call.command)).toEqual([]);
    expect(await readFile(ctx.settings.path, "utf8")).toBe(before);
    expect(sandbox?.changes ?? []).toEqual([]);
  });
});

import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi, type EcsApi } from "../../src/aws/ecs.js";
import { createSsmApi, type SsmApi } from "../../src/aws/ssm.js";
import type { Settings } from "../../src/config/settings.js";
import { withSecretReferences } from "../../src/domain/secrets.js";
import { McctlError } from "../../src/errors.js";
import { purgeRevisions } from "../../src/operations/purge-revisions.js";
import { type PurgePlan, planPurgePlaintext, readSecretInventory } from "../../src/plan/secrets-inventory.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { legacyTaskDefinition, TEST_WIRING, testTarget } from "../helpers/secrets.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const FAMILY = "model-catalogue";
const ROLE = "mcctl-model-catalogue-execution";
const TD_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue";
const MUTATING = /^(Create|Put|Register|Update|Delete|Deregister)/;
const PLAIN = { METADATA_PASSWORD: "Canary-Db-Pass-93x", MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-41q" };

const sim = useSimulatedAws();
let aws: { ecs: EcsApi; ssm: SsmApi };

beforeEach(() => {
  aws = { ecs: createEcsApi(config), ssm: createSsmApi(config) };
  sim.ecs.addCluster("mc");
  // The execution role the revisions with references name: ECS refuses a role IAM does not have.
  sim.iam.addRole(ROLE);
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

/** A revision whose mc container gets `names` from SSM, as mcctl registers them now. */
function referencing(...names: string[]): RegisterTaskDefinitionCommandInput {
  return withSecretReferences(mcTaskDefinition({ family: FAMILY }), "mc", names, TEST_WIRING);
}

/** A revision as mcctl registered it before secrets moved to SSM: `plain` in the mc container's environment. */
function legacy(plain: Record<string, string> = PLAIN): RegisterTaskDefinitionCommandInput {
  return legacyTaskDefinition(referencing(...Object.keys(plain)), plain);
}

/** Registers the revisions in turn (1, 2, …), straight in the simulator. */
function registerRevisions(...inputs: RegisterTaskDefinitionCommandInput[]) {
  for (const input of inputs) sim.ecs.registerTaskDefinition(input);
}

const deregister = (...revisions: number[]) => {
  for (const revision of revisions)
    sim.ecs.deregisterTaskDefinition({ taskDefinition: `${FAMILY}:${revision}` });
};

/** The service `mc` in cluster `mc`, with no task: only the revision it names matters here. */
const runService = (revision: number) =>
  sim.ecs.createService(
    mcServiceInput({
      cluster: "mc",
      serviceName: "mc",
      taskDefinition: `${FAMILY}:${revision}`,
      desiredCount: 0,
    }),
  );

function seedParameter(variable: string, ...values: string[]) {
  values.forEach((value, index) => {
    sim.ssm.putParameterDirectly({
      Name: `/mcctl/model-catalogue/${variable}`,
      Value: value,
      Type: "SecureString",
      ...(index > 0 ? { Overwrite: true } : {}),
    });
  });
}

const inventory = (settings: Settings = {}) =>
  readSecretInventory(aws, { settings, family: FAMILY, cluster: "mc", service: "mc", target: testTarget() });

const purgePlan = (recorded?: string) =>
  planPurgePlaintext(aws.ecs, { family: FAMILY, recorded, cluster: "mc", service: "mc" });

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("readSecretInventory", () => {
  it("has a row per secret variable: where SSM holds it (version, date, key) and how the newest revision gets it", async () => {
    registerRevisions(
      legacy(),
      withSecretReferences(
        legacy({ MC_SUPERVISOR_PASSWORD: "plain" }),
        "mc",
        ["METADATA_PASSWORD"],
        TEST_WIRING,
      ),
    );
    seedParameter("METADATA_PASSWORD", "first");
    const firstWrite = sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.lastModified;
    await vi.advanceTimersByTimeAsync(60_000);
    seedParameter("MC_S3_KEY", "AKIAEXAMPLE");
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
      Value: "Canary-Second-Version-8k",
      Type: "SecureString",
      Overwrite: true,
    });
    const secondWrite = sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.lastModified;

    const read = await inventory();

    expect(secondWrite?.getTime()).toBe((firstWrite?.getTime() ?? 0) + 60_000);
    expect(read.family).toBe(FAMILY);
    expect(read.revision).toBe("model-catalogue:2");
    expect(read.store.path).toBe("/mcctl/model-catalogue");
    expect(read.rows).toEqual([
      {
        variable: "MC_SUPERVISOR_PASSWORD",
        parameter: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
        optional: true,
        stored: undefined,
        delivery: "plain",
      },
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        optional: false,
        stored: { version: 2, lastModified: secondWrite, keyId: "alias/aws/ssm" },
        delivery: "ssm",
      },
      {
        variable: "MC_MAIL_PASSWORD",
        parameter: "/mcctl/model-catalogue/MC_MAIL_PASSWORD",
        optional: true,
        stored: undefined,
        delivery: "unset",
      },
      {
        variable: "MC_S3_KEY",
        parameter: "/mcctl/model-catalogue/MC_S3_KEY",
        optional: true,
        stored: { version: 1, lastModified: secondWrite, keyId: "alias/aws/ssm" },
        delivery: "unset",
      },
      {
        variable: "MC_S3_SECRET",
        parameter: "/mcctl/model-catalogue/MC_S3_SECRET",
        optional: true,
        stored: undefined,
        delivery: "unset",
      },
      {
        variable: "MC_GOOGLE_SECRET",
        parameter: "/mcctl/model-catalogue/MC_GOOGLE_SECRET",
        optional: true,
        stored: undefined,
        delivery: "unset",
      },
    ]);
    expect(JSON.stringify(read)).not.toContain("Canary-Second-Version-8k");
    expect(mutatingCalls()).toEqual([]);
  });

  it("describes the revision mcctl.json records rather than the service's or the newest", async () => {
    registerRevisions(legacy(), referencing("METADATA_PASSWORD"), referencing("METADATA_PASSWORD"));
    runService(2);

    const read = await inventory({ taskDefinition: "model-catalogue:1" });

    expect(read.revision).toBe("model-catalogue:1");
    expect(
      read.rows.filter((row) => row.delivery !== "unset").map((row) => `${row.variable}:${row.delivery}`),
    ).toEqual(["MC_SUPERVISOR_PASSWORD:plain", "METADATA_PASSWORD:plain"]);
  });

  it("describes the revision in service rather than the newest when mcctl.json records none", async () => {
    registerRevisions(referencing("METADATA_PASSWORD"), legacy());
    runService(1);

    const read = await inventory();

    expect(read.revision).toBe("model-catalogue:1");
    expect(read.rows.find((row) => row.variable === "METADATA_PASSWORD")?.delivery).toBe("ssm");
    expect(read.rows.find((row) => row.variable === "MC_SUPERVISOR_PASSWORD")?.delivery).toBe("unset");
  });

  it("lists the parameters under mcctl.json's path when the family has no revision yet", async () => {
    sim.ssm.putParameterDirectly({ Name: "/team/mc/METADATA_PASSWORD", Value: "x", Type: "SecureString" });
    seedParameter("MC_S3_KEY", "under the default path, not this one's");

    const read = await inventory({ secrets: { path: "/team/mc" } });

    expect(read.revision).toBeUndefined();
    expect(read.rows.map((row) => row.delivery)).toEqual([
      "unset",
      "unset",
      "unset",
      "unset",
      "unset",
      "unset",
    ]);
    expect(read.rows.filter((row) => row.stored).map((row) => [row.parameter, row.stored?.version])).toEqual([
      ["/team/mc/METADATA_PASSWORD", 1],
    ]);
  });
});

describe("planPurgePlaintext", () => {
  it("lists the ACTIVE and INACTIVE revisions holding plain secrets, newest first, keeping the one in service and the one mcctl.json records", async () => {
    registerRevisions(
      legacy(), // 1, INACTIVE below
      legacy({ METADATA_PASSWORD: "p" }), // 2
      legacy(), // 3, INACTIVE below
      legacy(), // 4
      referencing("METADATA_PASSWORD", "MC_SUPERVISOR_PASSWORD"), // 5, in service
      referencing("METADATA_PASSWORD", "MC_SUPERVISOR_PASSWORD"), // 6, in mcctl.json
      referencing("METADATA_PASSWORD"), // 7, newest, nothing plain
    );
    deregister(1, 3);
    runService(5);

    const plan = await purgePlan("model-catalogue:6");

    expect(plan).toEqual({
      family: FAMILY,
      revisions: [
        {
          arn: `${TD_ARN}:4`,
          name: "model-catalogue:4",
          revision: 4,
          status: "ACTIVE",
          plain: ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD"],
        },
        {
          arn: `${TD_ARN}:3`,
          name: "model-catalogue:3",
          revision: 3,
          status: "INACTIVE",
          plain: ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD"],
        },
        {
          arn: `${TD_ARN}:2`,
          name: "model-catalogue:2",
          revision: 2,
          status: "ACTIVE",
          plain: ["METADATA_PASSWORD"],
        },
        {
          arn: `${TD_ARN}:1`,
          name: "model-catalogue:1",
          revision: 1,
          status: "INACTIVE",
          plain: ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD"],
        },
      ],
      kept: [
        { name: "model-catalogue:5", why: "in service" },
        { name: "model-catalogue:6", why: "described by mcctl.json" },
      ],
    });
    expect(mutatingCalls()).toEqual([]);
  });

  it("keeps the revision in service once when mcctl.json records the same one", async () => {
    registerRevisions(legacy(), referencing("METADATA_PASSWORD"));
    runService(2);

    const plan = await purgePlan("model-catalogue:2");

    expect(plan.kept).toEqual([{ name: "model-catalogue:2", why: "in service" }]);
    expect(plan.revisions.map((revision) => revision.name)).toEqual(["model-catalogue:1"]);
  });

  it("without a service or a recorded revision, every revision holding plain text is a candidate", async () => {
    registerRevisions(legacy(), referencing("METADATA_PASSWORD"), legacy());

    const plan = await purgePlan();

    expect(plan.kept).toEqual([]);
    expect(plan.revisions.map((revision) => revision.name)).toEqual([
      "model-catalogue:3",
      "model-catalogue:1",
    ]);
  });

  it("refuses while the revision in service still holds plain text, and says to register a new one first", async () => {
    registerRevisions(legacy(), legacy(), referencing("METADATA_PASSWORD"));
    runService(2);

    const error = await failure(purgePlan("model-catalogue:3"));

    expect(error.message).toBe(
      "model-catalogue:2 (in service) still holds MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD in plain text, so purging older revisions would not remove them",
    );
    expect(error.suggestion).toContain("`mcctl register-task`");
    // It refused before listing the revisions to purge.
    expect(sim.callsOf("ListTaskDefinitions").filter((call) => call.input?.status === "INACTIVE")).toEqual(
      [],
    );
  });

  it("refuses while the revision mcctl.json records still holds plain text", async () => {
    registerRevisions(legacy(), legacy({ MC_SUPERVISOR_PASSWORD: "p" }), referencing("METADATA_PASSWORD"));
    runService(3);

    const error = await failure(purgePlan("model-catalogue:2"));

    expect(error.message).toBe(
      "model-catalogue:2 (described by mcctl.json) still holds MC_SUPERVISOR_PASSWORD in plain text, so purging older revisions would not remove them",
    );
    expect(error.suggestion).toBe(
      "Run `mcctl register-task` (it moves them to SSM) and put the new revision in service (`mcctl rollback --to N` or `mcctl upgrade`), then purge.",
    );
  });

  it("does not list a revision again once ECS is deleting it", async () => {
    registerRevisions(legacy(), legacy(), referencing("METADATA_PASSWORD"));
    deregister(1);
    sim.ecs.deleteTaskDefinitions({ taskDefinitions: [`${FAMILY}:1`] });

    const plan = await purgePlan();

    expect(plan.revisions.map((revision) => revision.name)).toEqual(["model-catalogue:2"]);
  });
});

describe("purgeRevisions", () => {
  async function purge(plan: PurgePlan) {
    const captured = captureOutput();
    const outcome = await purgeRevisions(aws.ecs, terminalReporter(captured.output), plan);
    return { outcome, lines: captured.all().trimEnd().split("\n") };
  }

  it("deregisters the ACTIVE revisions, then deletes all of them at most 10 per call", async () => {
    registerRevisions(...Array.from({ length: 12 }, () => legacy()), referencing("METADATA_PASSWORD"));
    deregister(1, 2, 3);
    runService(13);
    const plan = await purgePlan();
    expect(plan.revisions).toHaveLength(12);
    sim.clearCalls();

    const { outcome, lines } = await purge(plan);

    const names = (...revisions: number[]) => revisions.map((revision) => `model-catalogue:${revision}`);
    expect(outcome).toEqual({
      deregistered: names(12, 11, 10, 9, 8, 7, 6, 5, 4),
      deleted: names(12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1),
      refused: [],
    });
    expect(mutatingCalls()).toEqual([
      ...Array.from({ length: 9 }, () => "ECS:DeregisterTaskDefinition"),
      "ECS:DeleteTaskDefinitions",
      "ECS:DeleteTaskDefinitions",
    ]);
    expect(sim.callsOf("DeleteTaskDefinitions").map((call) => call.input.taskDefinitions)).toEqual([
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((revision) => `${TD_ARN}:${revision}`),
      [2, 1].map((revision) => `${TD_ARN}:${revision}`),
    ]);
    expect(lines).toEqual([
      ...names(12, 11, 10, 9, 8, 7, 6, 5, 4).map((name) => `Deregistered ${name}`),
      ...names(12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1).map((name) => `✔ Deleted ${name}`),
    ]);
    // ECS deletes them once nothing uses them; the revision in service stays.
    expect(sim.ecs.describeTaskDefinition({ taskDefinition: `${FAMILY}:1` }).taskDefinition?.status).toBe(
      "DELETE_IN_PROGRESS",
    );
    await vi.advanceTimersByTimeAsync(61_000);
    expect(() => sim.ecs.describeTaskDefinition({ taskDefinition: `${FAMILY}:12` })).toThrow();
    expect(sim.ecs.describeTaskDefinition({ taskDefinition: `${FAMILY}:13` }).taskDefinition?.status).toBe(
      "ACTIVE",
    );
    expect((await purgePlan()).revisions).toEqual([]);
  });

  it("reports the revisions ECS refused to delete and deletes the others", async () => {
    registerRevisions(legacy(), legacy(), legacy());
    deregister(1);
    const plan = await purgePlan();
    // Meanwhile someone else purged revision 1, and ECS has finished deleting it.
    sim.ecs.deleteTaskDefinitions({ taskDefinitions: [`${FAMILY}:1`] });
    await vi.advanceTimersByTimeAsync(61_000);

    const { outcome, lines } = await purge(plan);

    const reason =
      "The specified task definition does not exist. Specify a valid account, family, revision and try again.";
    expect(outcome).toEqual({
      deregistered: ["model-catalogue:3", "model-catalogue:2"],
      deleted: ["model-catalogue:3", "model-catalogue:2"],
      refused: [{ name: "model-catalogue:1", reason }],
    });
    expect(lines).toEqual([
      "Deregistered model-catalogue:3",
      "Deregistered model-catalogue:2",
      "✔ Deleted model-catalogue:3",
      "✔ Deleted model-catalogue:2",
      `⚠ ECS did not delete model-catalogue:1: ${reason}`,
    ]);
  });

  it("reports an ACTIVE revision ECS would not delete because the plan took it for INACTIVE", async () => {
    registerRevisions(legacy(), legacy());
    const plan = await purgePlan();
    const stale: PurgePlan = {
      ...plan,
      revisions: plan.revisions.map((revision) => ({ ...revision, status: "INACTIVE" as const })),
    };

    const { outcome } = await purge(stale);

    expect(outcome.deregistered).toEqual([]);
    expect(outcome.deleted).toEqual([]);
    expect(outcome.refused.map((failure) => failure.name)).toEqual([
      "model-catalogue:2",
      "model-catalogue:1",
    ]);
    expect(outcome.refused[0]?.reason).toBe(
      "The specified task definition is still in ACTIVE status. Please deregister the target and try again.",
    );
  });
});

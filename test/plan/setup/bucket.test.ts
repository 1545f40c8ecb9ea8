import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { McctlError, UsageError } from "../../../src/errors.js";
import { defaultBucketName, planBucket } from "../../../src/plan/setup/bucket.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, OTHER_ACCOUNT_ID, type SimulatedAws } from "../../helpers/sim.js";

const ACCOUNT = "123456789012";
const DEFAULT_BUCKET = `model-catalogue-assets-${ACCOUNT}`;
const MUTATING = /^(Create|Put|Authorize|Delete|Modify|Run|Register|Update)/;

let sim: SimulatedAws;
let aws: SetupAws;

function start(region = "eu-west-1") {
  sim?.restore();
  sim = createSimulatedAws({ accountId: ACCOUNT, region });
  sim.install();
  const config: AwsConfig = { region, maxAttempts: 1, retryMode: "standard" };
  aws = setupAwsFor(config);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  start();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const commands = () => sim.calls.map((call) => call.command);
const mutating = () => commands().filter((command) => MUTATING.test(command));

describe("planBucket", () => {
  it("plans the default bucket in an empty account: one look, no change, one line", async () => {
    const { io, all } = testPlanIo();

    const plan = await planBucket(io, aws);

    expect(defaultBucketName(ACCOUNT)).toBe(DEFAULT_BUCKET);
    expect(plan).toEqual({
      name: DEFAULT_BUCKET,
      region: "eu-west-1",
      action: "create",
      line: {
        step: "S3 bucket",
        state: "create",
        detail: `${DEFAULT_BUCKET} in eu-west-1 (public access blocked, default encryption SSE-S3)`,
      },
    });
    // A planner only looks: no mutating call, no bucket.
    expect(commands()).toEqual(["HeadBucket"]);
    expect(mutating()).toEqual([]);
    expect(sim.s3.buckets()).toEqual([]);
    expect(all()).toBe("");
  });

  it("takes MC_S3_BUCKET from the environment first, then environment.MC_S3_BUCKET in mcctl.json, then setup.bucket", async () => {
    const settings = {
      environment: { MC_S3_BUCKET: "from-settings-environment" },
      setup: { bucket: "from-setup-bucket" },
    };

    const fromEnv = await planBucket(testPlanIo({ env: { MC_S3_BUCKET: "from-env" }, settings }).io, aws);
    const fromFile = await planBucket(testPlanIo({ settings }).io, aws);
    const legacy = await planBucket(
      testPlanIo({ settings: { setup: { bucket: "from-setup-bucket" } } }).io,
      aws,
    );

    expect([fromEnv.name, fromFile.name, legacy.name]).toEqual([
      "from-env",
      "from-settings-environment",
      "from-setup-bucket",
    ]);
    expect(sim.callsOf("HeadBucket").map((call) => call.input.Bucket)).toEqual([
      "from-env",
      "from-settings-environment",
      "from-setup-bucket",
    ]);
    expect(mutating()).toEqual([]);
  });

  it("asks the name on a terminal (default model-catalogue-assets-ACCOUNT); once it exists, a re-run asks nothing and uses it", async () => {
    const { asker, asked } = scriptedAsker({ "S3 bucket for Model Catalogue assets": "acme-mc-assets" });
    const first = testPlanIo({ interactive: true, ask: asker });
    expect(await planBucket(first.io, aws)).toMatchObject({ name: "acme-mc-assets", action: "create" });
    expect(asked).toEqual(["S3 bucket for Model Catalogue assets (MC_S3_BUCKET)"]);

    // Apply created it, and mcctl.json now names it.
    sim.s3.addBucket("acme-mc-assets", { region: "eu-west-1" });
    sim.clearCalls();
    // The default asker fails the test on any question.
    const again = testPlanIo({
      interactive: true,
      settings: { environment: { MC_S3_BUCKET: "acme-mc-assets" } },
    });
    const plan = await planBucket(again.io, aws);

    expect(plan).toEqual({
      name: "acme-mc-assets",
      region: "eu-west-1",
      action: "use",
      line: {
        step: "S3 bucket",
        state: "exists",
        detail: "acme-mc-assets in eu-west-1: exists, used as it is",
      },
    });
    expect(commands()).toEqual(["HeadBucket"]);
    expect(again.all()).toBe("");
  });

  it("offers model-catalogue-assets-ACCOUNT as the default on a terminal", async () => {
    const { asker } = scriptedAsker({ "S3 bucket for Model Catalogue assets": undefined });

    const plan = await planBucket(testPlanIo({ interactive: true, ask: asker }).io, aws);

    expect(plan).toMatchObject({ name: DEFAULT_BUCKET, action: "create" });
  });

  it("without a terminal takes the default name without asking", async () => {
    const plan = await planBucket(testPlanIo({ interactive: false }).io, aws);
    expect(plan.name).toBe(DEFAULT_BUCKET);
  });

  it("uses an existing bucket as it is, and says MC_S3_REGION follows it when it is in another region", async () => {
    sim.s3.addBucket("mc-assets-oregon", { region: "us-west-2", publicAccessBlock: null, encryption: null });
    const { io, infos, warnings } = testPlanIo({
      settings: { environment: { MC_S3_BUCKET: "mc-assets-oregon" } },
    });

    const plan = await planBucket(io, aws);

    expect(plan).toEqual({
      name: "mc-assets-oregon",
      region: "us-west-2",
      action: "use",
      line: {
        step: "S3 bucket",
        state: "exists",
        detail: "mc-assets-oregon in us-west-2: exists, used as it is",
      },
    });
    expect(mutating()).toEqual([]);
    expect(infos).toEqual([
      "S3 bucket mc-assets-oregon is in us-west-2, not eu-west-1: MC_S3_REGION will be us-west-2.",
    ]);
    expect(warnings).toEqual([]);
  });

  it("asks for another name on a terminal when another account owns the bucket, and never offers that name again", async () => {
    sim.s3.addBucket(DEFAULT_BUCKET, { ownerAccount: OTHER_ACCOUNT_ID });
    const { asker, asked, refused } = scriptedAsker({
      "S3 bucket for Model Catalogue assets": undefined, // Enter: the default, which is taken
      "Another name for the S3 bucket": [DEFAULT_BUCKET, "acme-mc-assets-2"],
    });
    const { io, warnings } = testPlanIo({ interactive: true, ask: asker });

    const plan = await planBucket(io, aws);

    expect(plan).toMatchObject({ name: "acme-mc-assets-2", region: "eu-west-1", action: "create" });
    expect(asked[1]).toBe(
      `Another name for the S3 bucket (${DEFAULT_BUCKET} belongs to another AWS account)`,
    );
    expect(refused).toEqual([`bucket ${DEFAULT_BUCKET} belongs to another AWS account`]);
    expect(warnings).toEqual([
      `S3 bucket ${DEFAULT_BUCKET} belongs to another AWS account (bucket names are shared by all accounts): choose another name.`,
    ]);
    expect(sim.callsOf("HeadBucket").map((call) => call.input.Bucket)).toEqual([
      DEFAULT_BUCKET,
      "acme-mc-assets-2",
    ]);
    expect(mutating()).toEqual([]);
  });

  it("fails without a terminal when another account owns the bucket, naming what to change", async () => {
    sim.s3.addBucket("mc-assets", { ownerAccount: OTHER_ACCOUNT_ID });
    const { io } = testPlanIo({ settings: { environment: { MC_S3_BUCKET: "mc-assets" } } });

    const error = await planBucket(io, aws).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe("S3 bucket mc-assets belongs to another AWS account");
    expect((error as McctlError).suggestion).toContain("set MC_S3_BUCKET (environment or mcctl.json)");
    expect(mutating()).toEqual([]);
  });

  it("checks the name: a bad one from the file or the environment is an error without a terminal, naming its source", async () => {
    for (const [options, source] of [
      [{ settings: { setup: { bucket: "Model_Catalogue" } } }, "setup.bucket in mcctl.json"],
      [
        { settings: { environment: { MC_S3_BUCKET: "Model_Catalogue" } } },
        "environment.MC_S3_BUCKET in mcctl.json",
      ],
      [{ env: { MC_S3_BUCKET: "Model_Catalogue" } }, "MC_S3_BUCKET (environment)"],
    ] as const) {
      const error = await planBucket(testPlanIo(options).io, aws).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe(
        `${source}: bucket name "Model_Catalogue" may only contain lowercase letters, digits, dots and hyphens`,
      );
    }
    expect(sim.calls).toHaveLength(0);
  });

  it("on a terminal, a bad name from the file is shown and asked again; a typed bad name is refused", async () => {
    const { asker, refused } = scriptedAsker({
      "S3 bucket for Model Catalogue assets": ["Model_Catalogue", "acme-mc-assets"],
    });
    const { io, warnings } = testPlanIo({
      interactive: true,
      ask: asker,
      settings: { setup: { bucket: "Bad_Name" } },
    });

    const plan = await planBucket(io, aws);

    expect(plan.name).toBe("acme-mc-assets");
    expect(warnings).toEqual([
      'setup.bucket in mcctl.json: bucket name "Bad_Name" may only contain lowercase letters, digits, dots and hyphens',
    ]);
    expect(refused).toEqual([
      'bucket name "Model_Catalogue" may only contain lowercase letters, digits, dots and hyphens',
    ]);

    // A single typed answer the prompt refuses fails before any AWS call.
    sim.clearCalls();
    const typed = testPlanIo({
      interactive: true,
      ask: scriptedAsker({ "S3 bucket": "Model_Catalogue" }).asker,
    });
    await expect(planBucket(typed.io, aws)).rejects.toThrow(/rejected: bucket name "Model_Catalogue"/);
    expect(sim.calls).toHaveLength(0);
  });
});

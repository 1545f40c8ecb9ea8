import { BucketAlreadyExists, BucketAlreadyOwnedByYou } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { McctlError, UsageError } from "../../../src/errors.js";
import { defaultBucketName, ensureBucket } from "../../../src/operations/setup/bucket.js";
import type { SetupAws } from "../../../src/operations/setup/types.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, testSetupIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, OTHER_ACCOUNT_ID, type SimulatedAws } from "../../sim/index.js";

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

describe("ensureBucket", () => {
  it("creates the default bucket once in an empty account: region constraint, public access blocked, encrypted", async () => {
    const { io, saved, lines, captured } = testSetupIo();

    const result = await ensureBucket(io, aws);

    expect(defaultBucketName(ACCOUNT)).toBe(DEFAULT_BUCKET);
    expect(result).toEqual({ bucket: DEFAULT_BUCKET, region: "eu-west-1", created: true });
    expect(commands()).toEqual(["HeadBucket", "CreateBucket", "PutPublicAccessBlock", "PutBucketEncryption"]);
    expect(sim.callsOf("CreateBucket")[0]?.input).toEqual({
      Bucket: DEFAULT_BUCKET,
      CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
    });
    expect(sim.callsOf("PutPublicAccessBlock")[0]?.input).toMatchObject({
      Bucket: DEFAULT_BUCKET,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(sim.callsOf("PutBucketEncryption")[0]?.input).toMatchObject({
      Bucket: DEFAULT_BUCKET,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    expect(sim.s3.bucket(DEFAULT_BUCKET)).toMatchObject({ ownerAccount: ACCOUNT, region: "eu-west-1" });
    expect(saved).toContainEqual({ setup: { bucket: DEFAULT_BUCKET } });
    // One line says what was done: the plan line, and nothing besides it.
    expect(lines).toEqual([
      {
        step: "S3 bucket",
        state: "create",
        detail: `${DEFAULT_BUCKET} in eu-west-1 (public access blocked, default encryption SSE-S3): created`,
      },
    ]);
    expect(captured.all()).toBe("");
  });

  it("sends no LocationConstraint in us-east-1", async () => {
    start("us-east-1");
    const { io } = testSetupIo({
      region: "us-east-1",
      settings: { setup: { bucket: "mc-assets-virginia" } },
    });

    await ensureBucket(io, aws);

    expect(sim.callsOf("CreateBucket")[0]?.input).toEqual({ Bucket: "mc-assets-virginia" });
    expect(sim.s3.bucket("mc-assets-virginia")?.region).toBe("us-east-1");
  });

  it("asks the name on a terminal, then on a re-run asks nothing and creates nothing", async () => {
    const { asker, asked } = scriptedAsker({ "S3 bucket for Model Catalogue assets": "acme-mc-assets" });
    const first = testSetupIo({ interactive: true, ask: asker });
    expect(await ensureBucket(first.io, aws)).toMatchObject({ bucket: "acme-mc-assets", created: true });
    expect(asked).toHaveLength(1);

    sim.clearCalls();
    // The default asker fails the test on any question.
    const again = testSetupIo({ interactive: true, settings: first.current() });
    const result = await ensureBucket(again.io, aws);

    expect(result).toEqual({ bucket: "acme-mc-assets", region: "eu-west-1", created: false });
    expect(commands()).toEqual(["HeadBucket"]);
    expect(again.lines).toEqual([
      { step: "S3 bucket", state: "exists", detail: "acme-mc-assets in eu-west-1: exists, used as it is" },
    ]);
    expect(again.captured.all()).toBe("");
    expect(sim.s3.buckets()).toHaveLength(1);
  });

  it("uses an existing bucket as it is, and reports its region when it is another one", async () => {
    sim.s3.addBucket("mc-assets-oregon", { region: "us-west-2", publicAccessBlock: null, encryption: null });
    const { io, captured } = testSetupIo({ settings: { setup: { bucket: "mc-assets-oregon" } } });

    const result = await ensureBucket(io, aws);

    expect(result).toEqual({ bucket: "mc-assets-oregon", region: "us-west-2", created: false });
    expect(commands().filter((command) => MUTATING.test(command))).toEqual([]);
    expect(captured.stderr()).toContain("MC_S3_REGION will be us-west-2");
  });

  it("asks for another name on a terminal when another account owns the bucket", async () => {
    sim.s3.addBucket(DEFAULT_BUCKET, { ownerAccount: OTHER_ACCOUNT_ID });
    const { asker, asked } = scriptedAsker({
      "S3 bucket for Model Catalogue assets": undefined, // Enter: the default, which is taken
      "Another name for the S3 bucket": "acme-mc-assets-2",
    });
    const { io, captured, saved } = testSetupIo({ interactive: true, ask: asker });

    const result = await ensureBucket(io, aws);

    expect(result).toMatchObject({ bucket: "acme-mc-assets-2", created: true });
    expect(asked[1]).toContain(`${DEFAULT_BUCKET} belongs to another AWS account`);
    expect(captured.stderr()).toContain(`S3 bucket ${DEFAULT_BUCKET} belongs to another AWS account`);
    expect(sim.callsOf("CreateBucket").map((call) => call.input.Bucket)).toEqual(["acme-mc-assets-2"]);
    expect(saved).toEqual([{ setup: { bucket: "acme-mc-assets-2" } }]);
  });

  it("fails without a terminal when another account owns the bucket, naming what to change", async () => {
    sim.s3.addBucket("mc-assets", { ownerAccount: OTHER_ACCOUNT_ID });
    const { io, saved } = testSetupIo({ settings: { setup: { bucket: "mc-assets" } } });

    const error = await ensureBucket(io, aws).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe("S3 bucket mc-assets belongs to another AWS account");
    expect((error as McctlError).suggestion).toContain("setup.bucket");
    expect(sim.callsOf("CreateBucket")).toHaveLength(0);
    expect(saved).toEqual([]);
  });

  it("treats BucketAlreadyOwnedByYou on create as success and still secures the bucket", async () => {
    // The first CreateBucket succeeded but its answer was lost: S3 now says the bucket is ours.
    sim.faults.inject({
      service: "S3",
      command: "CreateBucket",
      applied: true,
      error: new BucketAlreadyOwnedByYou({ message: "Your previous request succeeded", $metadata: {} }),
    });
    const { io } = testSetupIo();

    const result = await ensureBucket(io, aws);

    expect(result).toMatchObject({ bucket: DEFAULT_BUCKET, created: true });
    expect(sim.callsOf("PutPublicAccessBlock")).toHaveLength(1);
    expect(sim.callsOf("PutBucketEncryption")).toHaveLength(1);
  });

  it("reports a name taken by another account between HeadBucket and CreateBucket", async () => {
    sim.faults.inject({
      service: "S3",
      command: "CreateBucket",
      error: new BucketAlreadyExists({
        message: "The requested bucket name is not available",
        $metadata: {},
      }),
    });
    const { io } = testSetupIo();

    await expect(ensureBucket(io, aws)).rejects.toThrow(
      `S3 bucket ${DEFAULT_BUCKET} belongs to another AWS account`,
    );
    expect(sim.callsOf("PutPublicAccessBlock")).toHaveLength(0);
  });

  it("checks the name: a bad one in mcctl.json is an error without a terminal, a typed one is refused", async () => {
    const fromFile = testSetupIo({ settings: { setup: { bucket: "Model_Catalogue" } } });
    const error = await ensureBucket(fromFile.io, aws).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain("setup.bucket");

    const { asker } = scriptedAsker({ "S3 bucket": "Model_Catalogue" });
    const typed = testSetupIo({ interactive: true, ask: asker });
    await expect(ensureBucket(typed.io, aws)).rejects.toThrow(/rejected: bucket name "Model_Catalogue"/);
    expect(sim.calls).toHaveLength(0);
  });

  it("only looks in a dry run: a plan line, no mutating call, nothing saved", async () => {
    const { io, lines, saved } = testSetupIo({ dryRun: true });

    const result = await ensureBucket(io, aws);

    expect(result).toEqual({ bucket: DEFAULT_BUCKET, region: "eu-west-1", created: false });
    expect(commands()).toEqual(["HeadBucket"]);
    expect(commands().filter((command) => MUTATING.test(command))).toEqual([]);
    expect(lines).toEqual([
      {
        step: "S3 bucket",
        state: "create",
        detail: `${DEFAULT_BUCKET} in eu-west-1 (public access blocked, default encryption SSE-S3): would be created`,
      },
    ]);
    expect(saved).toEqual([]);
    expect(sim.s3.buckets()).toEqual([]);
  });
});

import { BucketAlreadyExists, BucketAlreadyOwnedByYou } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { McctlError } from "../../../src/errors.js";
import { createBucket } from "../../../src/operations/setup/bucket.js";
import { planBucket } from "../../../src/plan/setup/bucket.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, testApplyIo, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, OTHER_ACCOUNT_ID, type SimulatedAws } from "../../helpers/sim.js";

const ACCOUNT = "123456789012";
const DEFAULT_BUCKET = `model-catalogue-assets-${ACCOUNT}`;

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

describe("createBucket", () => {
  it("creates the bucket once: region constraint, public access blocked, encrypted; one line says so", async () => {
    const { io, captured, saved } = testApplyIo();

    await createBucket(io, aws, DEFAULT_BUCKET);

    expect(commands()).toEqual([
      "CreateBucket",
      "PutPublicAccessBlock",
      "PutBucketEncryption",
      "PutBucketTagging",
    ]);
    expect(sim.s3.bucket(DEFAULT_BUCKET)?.tags).toContainEqual({ Key: "managed-by", Value: "mcctl" });
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
    // One line says what was done, and nothing besides it.
    expect(captured.stderr()).toBe(
      `✔ Created S3 bucket ${DEFAULT_BUCKET} in eu-west-1 (public access blocked, default encryption, tagged)\n`,
    );
    expect(captured.stdout()).toBe("");
    // The name is in mcctl.json since the confirmation (the plan's settings): nothing more to save.
    expect(saved).toEqual([]);
  });

  it("sends no LocationConstraint in us-east-1", async () => {
    start("us-east-1");
    const { io } = testApplyIo({ region: "us-east-1" });

    await createBucket(io, aws, "mc-assets-virginia");

    expect(sim.callsOf("CreateBucket")[0]?.input).toEqual({ Bucket: "mc-assets-virginia" });
    expect(sim.s3.bucket("mc-assets-virginia")?.region).toBe("us-east-1");
  });

  it("creates the name the operator chose on a terminal after the first was another account's", async () => {
    sim.s3.addBucket(DEFAULT_BUCKET, { ownerAccount: OTHER_ACCOUNT_ID });
    const { asker } = scriptedAsker({
      "S3 bucket for Model Catalogue assets": undefined,
      "Another name for the S3 bucket": "acme-mc-assets-2",
    });
    const plan = await planBucket(testPlanIo({ interactive: true, ask: asker }).io, aws);

    await createBucket(testApplyIo().io, aws, plan.name);

    expect(sim.callsOf("CreateBucket").map((call) => call.input.Bucket)).toEqual(["acme-mc-assets-2"]);
    expect(sim.s3.bucket("acme-mc-assets-2")?.ownerAccount).toBe(ACCOUNT);
    expect(sim.s3.bucket(DEFAULT_BUCKET)?.ownerAccount).toBe(OTHER_ACCOUNT_ID);
  });

  it("treats BucketAlreadyOwnedByYou on create as success and still secures the bucket", async () => {
    // The first CreateBucket succeeded but its answer was lost: S3 now says the bucket is ours.
    sim.faults.inject({
      service: "S3",
      command: "CreateBucket",
      applied: true,
      error: new BucketAlreadyOwnedByYou({ message: "Your previous request succeeded", $metadata: {} }),
    });
    const { io, captured } = testApplyIo();

    await createBucket(io, aws, DEFAULT_BUCKET);

    expect(sim.callsOf("PutPublicAccessBlock")).toHaveLength(1);
    expect(sim.callsOf("PutBucketEncryption")).toHaveLength(1);
    expect(sim.s3.buckets()).toHaveLength(1);
    expect(captured.stderr()).toContain(`Created S3 bucket ${DEFAULT_BUCKET}`);
  });

  it("fails when another account took the name between the plan and the apply, and secures nothing", async () => {
    sim.faults.inject({
      service: "S3",
      command: "CreateBucket",
      error: new BucketAlreadyExists({
        message: "The requested bucket name is not available",
        $metadata: {},
      }),
    });
    const { io, captured } = testApplyIo();

    const error = await createBucket(io, aws, DEFAULT_BUCKET).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      `S3 bucket ${DEFAULT_BUCKET} was taken by another AWS account since the plan was made`,
    );
    expect((error as McctlError).suggestion).toBe(
      "Set MC_S3_BUCKET to another name and run `mcctl setup` again.",
    );
    expect(sim.callsOf("PutPublicAccessBlock")).toHaveLength(0);
    expect(sim.callsOf("PutBucketEncryption")).toHaveLength(0);
    expect(captured.all()).toBe("");
  });

  it("passes any other failure on as it is", async () => {
    sim.faults.inject({ service: "S3", command: "CreateBucket", error: "access-denied" });

    const error = await createBucket(testApplyIo().io, aws, DEFAULT_BUCKET).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(/^AWS denied s3:CreateBucket/);
    expect(sim.callsOf("PutPublicAccessBlock")).toHaveLength(0);
  });
});

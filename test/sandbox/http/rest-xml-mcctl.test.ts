// mcctl's own S3 calls (src/aws/s3.ts: path-style when an endpoint is set, region redirects followed) against
// the simulator served over REST-XML: what `mcctl --sandbox` will do to its buckets.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createS3Api, type S3Api } from "../../../src/aws/s3.js";
import { restXmlProtocol } from "../../../src/sandbox/http/rest-xml.js";
import { createSimulatedAws, type SimulatedAws } from "../../../src/sandbox/sim/index.js";
import { OTHER_ACCOUNT_ID } from "../../../src/sandbox/sim/s3.js";
import { TEST_START } from "../../helpers/simulated-aws.js";
import { serveWireProtocol, type WireHarness } from "../../helpers/wire-harness.js";

let sim: SimulatedAws;
let harness: WireHarness;
let s3: S3Api;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(TEST_START);
  sim = createSimulatedAws();
  harness = await serveWireProtocol(sim, "S3", restXmlProtocol);
  s3 = createS3Api({ region: "eu-west-1", endpoint: harness.url, maxAttempts: 1, retryMode: "standard" });
});

afterEach(async () => {
  await harness.close();
  vi.useRealTimers();
});

describe("mcctl's S3 calls over HTTP", () => {
  it("create, secure and tag a bucket", async () => {
    sim.s3.addBucket("mc-foreign", { ownerAccount: OTHER_ACCOUNT_ID });
    expect(await s3.inspectBucket("mc-state")).toEqual({ state: "missing" });
    expect(await s3.inspectBucket("mc-foreign")).toEqual({ state: "foreign" });
    await s3.createBucket("mc-state", "eu-west-1");
    expect(await s3.inspectBucket("mc-state")).toEqual({ state: "ours", region: "eu-west-1" });
    await s3.blockPublicAccess("mc-state");
    await s3.enableDefaultEncryption("mc-state");
    expect(await s3.bucketTags("mc-state")).toEqual({});
    await s3.tagBucket("mc-state", { "mcctl:deployment": "prod", owner: "ops & <dev>" });
    expect(await s3.bucketTags("mc-state")).toEqual({ "mcctl:deployment": "prod", owner: "ops & <dev>" });
    expect(sim.s3.bucket("mc-state")).toMatchObject({
      region: "eu-west-1",
      encryption: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }],
      },
    });
  });

  it("count, empty (a thousand keys a call) and delete a bucket", async () => {
    sim.s3.addBucket("mc-full");
    for (let index = 0; index < 2_345; index++)
      sim.s3.addObject("mc-full", `objects/${String(index).padStart(5, "0")}`, 1);
    expect(await s3.countObjects("mc-full", 10)).toEqual({ count: 10, more: true });
    expect(await s3.deleteBucket("mc-full")).toBe("not-empty");
    expect(await s3.emptyBucket("mc-full")).toBe(2_345);
    expect(sim.callsOf("DeleteObjects").map((call) => call.input.Delete?.Objects?.length)).toEqual([
      1000, 1000, 345,
    ]);
    expect(await s3.countObjects("mc-full", 10)).toEqual({ count: 0, more: false });
    expect(await s3.deleteBucket("mc-full")).toBe("deleted");
    expect(await s3.deleteBucket("mc-full")).toBe("missing");
  });
});

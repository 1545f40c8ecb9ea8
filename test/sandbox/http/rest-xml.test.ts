// S3's REST-XML protocol between a real S3Client and the simulator: every operation the simulator answers gives
// the client, over HTTP, what `sim.send` gives in-process on an identical simulator, and leaves both in the same
// state; errors keep the SDK's exception class, code, message and members.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { restXmlProtocol } from "../../../src/sandbox/http/rest-xml.js";
import { createSimulatedAws, type SimulatedAws } from "../../../src/sandbox/sim/index.js";
import { OTHER_ACCOUNT_ID, s3Commands } from "../../../src/sandbox/sim/s3.js";
import { TEST_START } from "../../helpers/simulated-aws.js";
import { serveWireProtocol, type WireHarness } from "../../helpers/wire-harness.js";

/** The simulator behind the HTTP server, and its twin that tests call in-process. */
let served: SimulatedAws;
let twin: SimulatedAws;
let harness: WireHarness;

/** The same buckets and objects in both simulators. */
function setUp(sim: SimulatedAws): void {
  sim.s3.addBucket("mc-data");
  sim.s3.addBucket("mc-tagged", { tags: [{ Key: "owner", Value: "ops & <dev>" }] });
  sim.s3.addBucket("mc-bare", { publicAccessBlock: null, encryption: null });
  sim.s3.addBucket("mc-empty");
  sim.s3.addBucket("mc-abroad", { region: "us-west-2" });
  sim.s3.addBucket("taken-elsewhere", { ownerAccount: OTHER_ACCOUNT_ID });
  for (const key of ["a.txt", "logs/2026/01.log", "logs/2026/02.log", "logs/old.log", "z é ü/ünï.txt"]) {
    sim.s3.addObject("mc-data", key, key.length * 10);
  }
}

beforeEach(async () => {
  // Only Date is fake: both simulators see the same instants, while sockets and the SDK's timers run.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(TEST_START);
  served = createSimulatedAws();
  twin = createSimulatedAws();
  setUp(served);
  setUp(twin);
  harness = await serveWireProtocol(served, "S3", restXmlProtocol);
});

afterEach(async () => {
  await harness.close();
  vi.useRealTimers();
});

function client(options: { region?: string; followRegionRedirects?: boolean } = {}): S3Client {
  return new S3Client({
    region: options.region ?? "eu-west-1",
    endpoint: harness.url,
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIDSANDBOXTEST", secretAccessKey: "sandbox-secret" },
    maxAttempts: 1,
    followRegionRedirects: options.followRegionRedirects ?? false,
  });
}

function withoutMetadata(output: object): Record<string, unknown> {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return rest;
}

/** What the SDK puts on an S3 error that tells it apart: class, code, message, status, members. */
function errorFacts(error: unknown): Record<string, unknown> {
  const sdk = error as S3ServiceException & { Code?: string; BucketName?: string };
  return {
    class: sdk.constructor.name,
    name: sdk.name,
    message: sdk.message,
    fault: sdk.$fault,
    status: sdk.$metadata?.httpStatusCode,
    Code: sdk.Code,
    BucketName: sdk.BucketName,
  };
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

interface Case {
  operation: keyof typeof s3Commands;
  title: string;
  input: Record<string, unknown>;
}

/** Sends `input` with the command class the simulator's table names for `operation`. */
async function sendOverHttp(operation: keyof typeof s3Commands, input: object): Promise<object> {
  // Typed as one command class: the table holds a different one per operation.
  const Command = s3Commands[operation][0] as unknown as new (input: object) => HeadBucketCommand;
  return client().send(new Command(input));
}

const cases: Case[] = [
  {
    operation: "HeadBucket",
    title: "a bucket of ours",
    input: { Bucket: "mc-data" },
  },
  {
    operation: "CreateBucket",
    title: "with a LocationConstraint body",
    input: { Bucket: "mc-new", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } },
  },
  {
    operation: "PutPublicAccessBlock",
    title: "booleans in the body",
    input: {
      Bucket: "mc-bare",
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: false,
        BlockPublicPolicy: true,
      },
    },
  },
  {
    operation: "GetPublicAccessBlock",
    title: "a payload structure",
    input: { Bucket: "mc-data" },
  },
  {
    operation: "PutBucketEncryption",
    title: "a flattened list of rules",
    input: {
      Bucket: "mc-bare",
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/mc" },
            BucketKeyEnabled: true,
          },
        ],
      },
    },
  },
  {
    operation: "GetBucketEncryption",
    title: "the default SSE-S3 rule",
    input: { Bucket: "mc-data" },
  },
  {
    operation: "DeleteBucket",
    title: "an empty bucket (204)",
    input: { Bucket: "mc-empty" },
  },
  {
    operation: "PutBucketTagging",
    title: "tags with markup in them",
    input: {
      Bucket: "mc-data",
      Tagging: {
        TagSet: [
          { Key: "mcctl:deployment", Value: "prod" },
          { Key: "note", Value: `<a href="x">&amp;</a> 'quoted'` },
          { Key: "empty", Value: "" },
        ],
      },
    },
  },
  {
    operation: "GetBucketTagging",
    title: "a tag set",
    input: { Bucket: "mc-tagged" },
  },
  {
    operation: "DeleteBucketTagging",
    title: "204 without body",
    input: { Bucket: "mc-tagged" },
  },
  {
    operation: "PutObject",
    title: "a key with slashes, spaces and accents",
    input: { Bucket: "mc-data", Key: "dir/sub dir/é+x?.txt", Body: "hello, world" },
  },
  {
    operation: "ListObjectsV2",
    title: "every key",
    input: { Bucket: "mc-data" },
  },
  {
    operation: "ListObjectsV2",
    title: "a prefix, a delimiter and a page of two",
    input: { Bucket: "mc-data", Prefix: "logs/", Delimiter: "/", MaxKeys: 2 },
  },
  {
    operation: "ListObjectsV2",
    title: "an empty bucket",
    input: { Bucket: "mc-empty", StartAfter: "m" },
  },
  {
    operation: "ListObjectVersions",
    title: "flattened versions and common prefixes",
    input: { Bucket: "mc-data", Delimiter: "/" },
  },
  {
    operation: "ListObjectVersions",
    title: "a truncated page and its markers",
    input: { Bucket: "mc-data", MaxKeys: 2, KeyMarker: "a.txt", VersionIdMarker: "null" },
  },
  {
    operation: "DeleteObjects",
    title: "deleted keys and per-key errors",
    input: {
      Bucket: "mc-data",
      Delete: {
        Objects: [
          { Key: "a.txt" },
          { Key: "logs/old.log", VersionId: "null" },
          { Key: "z", VersionId: "v2" },
        ],
      },
    },
  },
  {
    operation: "DeleteObjects",
    title: "quiet",
    input: { Bucket: "mc-data", Delete: { Objects: [{ Key: "a.txt" }], Quiet: true } },
  },
];

describe("every operation the simulator answers", () => {
  it("has a case here", () => {
    expect([...new Set(cases.map((entry) => entry.operation))].sort()).toEqual(
      Object.keys(s3Commands).sort(),
    );
  });

  it.each(cases)("$operation: $title", async ({ operation, input }) => {
    const overHttp = await sendOverHttp(operation, structuredClone(input));
    const inProcess = await twin.send("S3", operation, structuredClone(input));
    expect(withoutMetadata(overHttp)).toEqual(withoutMetadata(inProcess as object));
    // The server answered what the client asked for, and both simulators changed alike.
    expect(harness.exchanges.map((exchange) => exchange.operation)).toEqual([operation]);
    expect(served.s3.buckets()).toEqual(twin.s3.buckets());
    for (const bucket of twin.s3.buckets()) {
      expect(served.s3.objects(bucket.name)).toEqual(twin.s3.objects(bucket.name));
    }
  });
});

describe("outputs on the wire", () => {
  it("puts header members in headers, a 204 without body, and the body in S3's namespace", async () => {
    await client().send(new HeadBucketCommand({ Bucket: "mc-data" }));
    await client().send(new DeleteBucketTaggingCommand({ Bucket: "mc-tagged" }));
    await client().send(new ListObjectsV2Command({ Bucket: "mc-data", MaxKeys: 1 }));
    const [head, deleted, listed] = harness.exchanges.map((exchange) => exchange.response);
    expect(head?.headers).toMatchObject({
      "x-amz-bucket-region": "eu-west-1",
      "x-amz-access-point-alias": "false",
    });
    expect(head?.body).toBe("");
    expect(deleted).toMatchObject({ status: 204, body: "" });
    expect(listed?.headers["content-type"]).toBe("application/xml");
    expect(String(listed?.body)).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><ListBucketResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/,
    );
    expect(String(listed?.body)).toContain("<IsTruncated>true</IsTruncated>");
    expect(String(listed?.body)).toContain(
      "<Contents><Key>a.txt</Key><LastModified>2026-11-25T03:00:00.000Z",
    );
  });

  it("pages through ListObjectsV2 with the continuation token it hands out", async () => {
    const s3 = client();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: "mc-data", MaxKeys: 2, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ""));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(twin.s3.objects("mc-data").map((object) => object.key));
  });
});

describe("a stream body", () => {
  it("arrives aws-chunked with its checksum in a trailer, and is stored decoded", async () => {
    const body = Readable.from([Buffer.from("hello, "), Buffer.from("chunked world")]);
    const output = await client().send(
      new PutObjectCommand({ Bucket: "mc-data", Key: "streamed", Body: body, ContentLength: 20 }),
    );
    const request = harness.exchanges[0]?.request;
    expect(request?.headers["content-encoding"]).toContain("aws-chunked");
    const md5 = createHash("md5").update("hello, chunked world").digest("hex");
    expect(output.ETag).toBe(`"${md5}"`);
    expect(served.s3.objects("mc-data").find((object) => object.key === "streamed")).toMatchObject({
      size: 20,
      etag: `"${md5}"`,
    });
  });
});

describe("errors", () => {
  it("NoSuchBucket keeps its class, message and BucketName", async () => {
    const overHttp = await failure(client().send(new GetBucketTaggingCommand({ Bucket: "mc-missing" })));
    const inProcess = await failure(twin.send("S3", "GetBucketTagging", { Bucket: "mc-missing" }));
    expect(overHttp).toBeInstanceOf(NoSuchBucket);
    expect(errorFacts(overHttp)).toEqual(errorFacts(inProcess));
    expect(errorFacts(overHttp)).toMatchObject({ status: 404, BucketName: "mc-missing" });
    expect((overHttp as S3ServiceException).$metadata.requestId).toBe("SANDBOX000000001");
  });

  it.each([
    ["BucketAlreadyOwnedByYou", "mc-data", BucketAlreadyOwnedByYou],
    ["BucketAlreadyExists", "taken-elsewhere", BucketAlreadyExists],
  ])("%s on CreateBucket", async (_code, bucket, Exception) => {
    const input = { Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" as const } };
    const overHttp = await failure(client().send(new CreateBucketCommand(input)));
    const inProcess = await failure(twin.send("S3", "CreateBucket", input));
    expect(overHttp).toBeInstanceOf(Exception);
    expect(errorFacts(overHttp)).toEqual(errorFacts(inProcess));
  });

  it("an unmodeled code (NoSuchTagSet) is an S3ServiceException named after it", async () => {
    const overHttp = await failure(client().send(new GetBucketTaggingCommand({ Bucket: "mc-data" })));
    const inProcess = await failure(twin.send("S3", "GetBucketTagging", { Bucket: "mc-data" }));
    expect(overHttp).toBeInstanceOf(S3ServiceException);
    expect(errorFacts(overHttp)).toEqual(errorFacts(inProcess));
    expect(errorFacts(overHttp)).toMatchObject({ name: "NoSuchTagSet", status: 404, BucketName: "mc-data" });
  });

  it.each([
    ["a missing bucket: NotFound", "mc-missing", 404],
    ["another account's bucket: Unknown", "taken-elsewhere", 403],
  ])("on HEAD, %s, from the status alone", async (_title, bucket, status) => {
    const overHttp = await failure(client().send(new HeadBucketCommand({ Bucket: bucket })));
    const inProcess = await failure(twin.send("S3", "HeadBucket", { Bucket: bucket }));
    expect(errorFacts(overHttp)).toEqual(errorFacts(inProcess));
    expect(errorFacts(overHttp)).toMatchObject({ status, message: "UnknownError" });
    if (status === 404) expect(overHttp).toBeInstanceOf(NotFound);
    expect(harness.exchanges[0]?.response.body).toBe("");
  });

  it("a bucket in another region answers 301 PermanentRedirect with x-amz-bucket-region", async () => {
    const overHttp = await failure(client().send(new GetBucketTaggingCommand({ Bucket: "mc-abroad" })));
    const inProcess = await failure(twin.send("S3", "GetBucketTagging", { Bucket: "mc-abroad" }));
    expect(errorFacts(overHttp)).toEqual(errorFacts(inProcess));
    expect(errorFacts(overHttp)).toMatchObject({ name: "PermanentRedirect", status: 301 });
    expect(overHttp).toMatchObject({ Endpoint: "mc-abroad.s3.us-west-2.amazonaws.com", Bucket: "mc-abroad" });
    const response = (overHttp as { $response?: { headers: Record<string, string> } }).$response;
    expect(response?.headers["x-amz-bucket-region"]).toBe("us-west-2");
  });

  it("an operation the simulator does not implement fails on the server's side", async () => {
    const { PutBucketVersioningCommand } = await import("@aws-sdk/client-s3");
    const error = await failure(
      client().send(
        new PutBucketVersioningCommand({ Bucket: "mc-data", VersioningConfiguration: { Status: "Enabled" } }),
      ),
    );
    expect(harness.exchanges[0]?.operation).toBe("PutBucketVersioning");
    expect(errorFacts(error)).toMatchObject({ name: "InternalError", status: 500, fault: "server" });
    expect((error as Error).message).toContain("simulated AWS does not implement S3:PutBucketVersioning");
  });
});

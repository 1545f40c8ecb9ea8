// The REST-XML protocol with a stub behind it instead of the simulator: members the simulator's operations do not
// use (timestamps and maps in headers, streaming payloads, attributes and namespaces, modeled error members) make
// the round trip through a real S3Client, and requests S3 refuses before any operation runs are refused here too.
import { createHash } from "node:crypto";
import {
  GetBucketAclCommand,
  type GetBucketAclOutput,
  GetObjectCommand,
  HeadBucketCommand,
  InvalidObjectState,
  ListBucketsCommand,
  type ListBucketsOutput,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { restXmlProtocol } from "../../../src/sandbox/http/rest-xml.js";
import { serveWireProtocol, type WireHarness } from "../../helpers/wire-harness.js";

interface Call {
  operation: string;
  input: Record<string, unknown>;
}

let harness: WireHarness;
let calls: Call[];

/** Serves a stub that records each call and answers with `answer` (a value, or a function that may throw). */
async function serve(answer: (call: Call) => unknown): Promise<void> {
  calls = [];
  harness = await serveWireProtocol(
    {
      send: async (_service, operation, input) => {
        const call = { operation, input: input as Record<string, unknown> };
        calls.push(call);
        return answer(call);
      },
    },
    "S3",
    restXmlProtocol,
  );
}

afterEach(async () => {
  await harness.close();
});

function client(followRegionRedirects = false): S3Client {
  return new S3Client({
    region: "eu-west-1",
    endpoint: harness.url,
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIDSANDBOXTEST", secretAccessKey: "sandbox-secret" },
    maxAttempts: 1,
    followRegionRedirects,
  });
}

/** An S3 error as the SDK builds it from the service's error: the status and modeled fields. */
function serviceError(name: string, status: number, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name === "Unknown" ? "UnknownError" : `${name} happened`), {
    name,
    $fault: "client",
    $metadata: { httpStatusCode: status },
    ...fields,
  });
}

describe("inputs", () => {
  it("binds labels, headers, timestamps in headers, prefix headers and the raw payload", async () => {
    await serve(() => ({ ETag: '"etag"' }));
    const expires = new Date("2027-01-02T03:04:05Z");
    const retainUntil = new Date("2028-05-06T07:08:09Z");
    await client().send(
      new PutObjectCommand({
        Bucket: "mc-data",
        Key: "dir/a b.txt",
        Body: "payload bytes",
        ContentType: "text/plain",
        CacheControl: "no-cache",
        Expires: expires,
        ObjectLockRetainUntilDate: retainUntil,
        Metadata: { project: "mc", "release-note": "a, b" },
      }),
    );
    const [call] = calls;
    expect(call?.operation).toBe("PutObject");
    expect(call?.input).toMatchObject({
      Bucket: "mc-data",
      Key: "dir/a b.txt",
      ContentType: "text/plain",
      CacheControl: "no-cache",
      Expires: expires,
      ObjectLockRetainUntilDate: retainUntil,
      Metadata: { project: "mc", "release-note": "a, b" },
      ContentLength: 13,
    });
    expect(Buffer.from(call?.input.Body as Uint8Array).toString()).toBe("payload bytes");
  });
});

describe("outputs", () => {
  it("writes headers (an http-date, a number, a boolean, a map) and a streaming payload", async () => {
    const lastModified = new Date("2026-11-25T03:00:00Z");
    await serve(() => ({
      Body: Buffer.from("object body"),
      ContentLength: 11,
      ContentType: "text/plain",
      LastModified: lastModified,
      ETag: '"abc"',
      DeleteMarker: false,
      TagCount: 2,
      Metadata: { project: "mc" },
    }));
    const output = await client().send(new GetObjectCommand({ Bucket: "mc-data", Key: "k" }));
    expect(await output.Body?.transformToString()).toBe("object body");
    expect(output).toMatchObject({
      ContentLength: 11,
      ContentType: "text/plain",
      LastModified: lastModified,
      ETag: '"abc"',
      DeleteMarker: false,
      TagCount: 2,
      Metadata: { project: "mc" },
    });
    expect(harness.exchanges[0]?.response.headers["last-modified"]).toBe("Wed, 25 Nov 2026 03:00:00 GMT");
  });

  it("writes a request without bucket, a list of items and nested structures", async () => {
    const answer: ListBucketsOutput = {
      Buckets: [
        { Name: "a-bucket", CreationDate: new Date("2026-01-01T00:00:00Z"), BucketRegion: "eu-west-1" },
        { Name: "b-bucket", CreationDate: new Date("2026-02-01T12:30:00Z"), BucketRegion: "us-east-1" },
      ],
      Owner: { DisplayName: "ops", ID: "abc123" },
      Prefix: "",
    };
    await serve(() => answer);
    const { $metadata: _metadata, ...output } = await client().send(new ListBucketsCommand({}));
    expect(output).toEqual(answer);
    expect(calls[0]).toEqual({ operation: "ListBuckets", input: {} });
  });

  it("writes attributes in their namespace (a grantee's xsi:type)", async () => {
    const answer: GetBucketAclOutput = {
      Owner: { ID: "abc123" },
      Grants: [
        { Grantee: { Type: "CanonicalUser", ID: "abc123", DisplayName: "ops" }, Permission: "FULL_CONTROL" },
        {
          Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" },
          Permission: "READ",
        },
      ],
    };
    await serve(() => answer);
    const { $metadata: _metadata, ...output } = await client().send(
      new GetBucketAclCommand({ Bucket: "mc-data" }),
    );
    expect(output).toEqual(answer);
    expect(String(harness.exchanges[0]?.response.body)).toContain(
      '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">',
    );
  });
});

describe("errors", () => {
  it("writes a modeled error's members", async () => {
    await serve(() => {
      throw serviceError("InvalidObjectState", 403, {
        StorageClass: "GLACIER",
        AccessTier: "ARCHIVE_ACCESS",
      });
    });
    const error = await client()
      .send(new GetObjectCommand({ Bucket: "mc-data", Key: "frozen" }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidObjectState);
    expect(error).toMatchObject({
      StorageClass: "GLACIER",
      AccessTier: "ARCHIVE_ACCESS",
      message: "InvalidObjectState happened",
    });
  });

  it("sends x-amz-bucket-region with a bodiless HEAD redirect, which followRegionRedirects follows", async () => {
    await serve(({ operation }) => {
      if (calls.length === 1) throw serviceError("Unknown", 301, { BucketRegion: "us-west-2" });
      return operation === "HeadBucket" ? { BucketRegion: "us-west-2" } : {};
    });
    const output = await client(true).send(new HeadBucketCommand({ Bucket: "mc-abroad" }));
    expect(output.BucketRegion).toBe("us-west-2");
    const [redirect, followed] = harness.exchanges;
    expect(redirect?.response).toMatchObject({ status: 301, body: "" });
    expect(redirect?.response.headers["x-amz-bucket-region"]).toBe("us-west-2");
    expect(String(followed?.request.headers.authorization)).toContain("/us-west-2/s3/aws4_request");
  });
});

describe("requests S3 refuses before the operation", () => {
  const deleteBody = '<?xml version="1.0" encoding="UTF-8"?><Delete><Object><Key>a</Key></Object></Delete>';
  const md5 = (text: string) => createHash("md5").update(text).digest("base64");

  async function post(path: string, body: string, headers: Record<string, string>) {
    const response = await fetch(`${harness.url}${path}`, { method: "POST", body, headers });
    return { status: response.status, text: await response.text() };
  }

  it.each([
    ["no digest", {}, "InvalidRequest", "Missing required header for this request: Content-MD5"],
    [
      "a wrong Content-MD5",
      { "content-md5": md5("other") },
      "BadDigest",
      "The Content-MD5 you specified did not match",
    ],
    [
      "a wrong CRC32",
      { "x-amz-checksum-crc32": "AAAAAA==" },
      "BadDigest",
      "The CRC32 you specified did not match",
    ],
    [
      "a wrong SHA-256",
      { "x-amz-checksum-sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
      "BadDigest",
      "The sha256 you specified did not match",
    ],
    [
      "an algorithm without its checksum",
      { "x-amz-sdk-checksum-algorithm": "CRC32", "content-md5": md5(deleteBody) },
      "InvalidRequest",
      "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-*",
    ],
  ])("DeleteObjects with %s", async (_what, headers, code, message) => {
    await serve(() => ({}));
    const { status, text } = await post("/mc-data?delete", deleteBody, headers);
    expect(status).toBe(400);
    expect(text).toContain(`<Code>${code}</Code><Message>${message}`);
    expect(calls).toEqual([]);
  });

  it("a wrong Content-MD5 is answered with both digests", async () => {
    await serve(() => ({}));
    const { text } = await post("/mc-data?delete", deleteBody, { "content-md5": md5("other") });
    const expected = Buffer.from(md5("other"), "base64").toString("hex");
    expect(text).toContain(
      `<ExpectedDigest>${expected}</ExpectedDigest><CalculatedDigest>${md5(deleteBody)}</CalculatedDigest>`,
    );
  });

  it("DeleteObjects with the right Content-MD5 reaches the operation", async () => {
    await serve(() => ({}));
    const { status } = await post("/mc-data?delete", deleteBody, { "content-md5": md5(deleteBody) });
    expect(status).toBe(200);
    expect(calls).toEqual([
      { operation: "DeleteObjects", input: { Bucket: "mc-data", Delete: { Objects: [{ Key: "a" }] } } },
    ]);
  });

  it.each([
    ["XML that is not well-formed", "<Delete><Object></Delete>"],
    ["another root element", "<Tagging><TagSet/></Tagging>"],
    ["a boolean that is none", "<Delete><Quiet>maybe</Quiet></Delete>"],
  ])("MalformedXML for %s", async (_what, body) => {
    await serve(() => ({}));
    const { status, text } = await post("/mc-data?delete", body, { "content-md5": md5(body) });
    expect(status).toBe(400);
    expect(text).toContain("<Code>MalformedXML</Code>");
    expect(calls).toEqual([]);
  });

  it.each([
    [
      "a header",
      "PUT",
      "/mc-data/k",
      { "x-amz-object-lock-retain-until-date": "soon" },
      "x-amz-object-lock-retain-until-date",
      "soon",
    ],
    ["a query key", "GET", "/mc-data?list-type=2&max-keys=many", {}, "max-keys", "many"],
  ])("InvalidArgument for %s that is not of its type", async (_what, method, path, headers, name, value) => {
    await serve(() => ({}));
    const response = await fetch(`${harness.url}${path}`, { method, headers });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      `<Code>InvalidArgument</Code><Message>Invalid value for ${name}</Message><ArgumentName>${name}</ArgumentName><ArgumentValue>${value}</ArgumentValue>`,
    );
    expect(calls).toEqual([]);
  });
});

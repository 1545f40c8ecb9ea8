import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  NoSuchBucket,
  NotFound,
  PutBucketEncryptionCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, OTHER_ACCOUNT_ID, type SimulatedAws } from "../../helpers/sim.js";

let sim: SimulatedAws;
let s3: S3Client;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws({ region: "eu-west-1" });
  sim.install();
  s3 = new S3Client({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (e: unknown) => e,
  );

describe("S3 HeadBucket", () => {
  it("answers 200 with the region for our bucket", async () => {
    sim.s3.addBucket("mc-data");
    const output = await s3.send(new HeadBucketCommand({ Bucket: "mc-data" }));
    expect(output).toMatchObject({ BucketRegion: "eu-west-1", AccessPointAlias: false });
    expect(output.$metadata.httpStatusCode).toBe(200);
  });

  it("answers a bodiless 403 for another account's bucket and 404 NotFound for a free name, as SDK v3 surfaces them", async () => {
    sim.s3.addBucket("taken", { ownerAccount: OTHER_ACCOUNT_ID });
    const forbidden = await fail(s3.send(new HeadBucketCommand({ Bucket: "taken" })));
    expect(forbidden).toBeInstanceOf(S3ServiceException);
    expect(forbidden).toMatchObject({
      name: "Unknown",
      message: "UnknownError",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
    });
    const missing = await fail(s3.send(new HeadBucketCommand({ Bucket: "free-name" })));
    expect(missing).toBeInstanceOf(NotFound);
    expect(missing).toMatchObject({ name: "NotFound", $metadata: { httpStatusCode: 404 } });
  });

  it("redirects (301) for our bucket in another region unless the client follows region redirects", async () => {
    sim.s3.addBucket("mc-elsewhere", { region: "us-west-2" });
    await expect(s3.send(new HeadBucketCommand({ Bucket: "mc-elsewhere" }))).rejects.toMatchObject({
      name: "Unknown",
      $metadata: { httpStatusCode: 301 },
    });
    const following = new S3Client({ region: "eu-west-1", followRegionRedirects: true });
    await expect(following.send(new HeadBucketCommand({ Bucket: "mc-elsewhere" }))).resolves.toMatchObject({
      BucketRegion: "us-west-2",
    });
  });
});

describe("S3 CreateBucket", () => {
  it("creates a bucket in the client's region, with Block Public Access and SSE-S3 on by default", async () => {
    const output = await s3.send(
      new CreateBucketCommand({
        Bucket: "mc-data",
        CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
      }),
    );
    expect(output.Location).toBe("http://mc-data.s3.amazonaws.com/");
    expect(sim.s3.bucket("mc-data")).toMatchObject({
      ownerAccount: "123456789012",
      region: "eu-west-1",
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      encryption: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }],
      },
    });
    expect(sim.callsOf("CreateBucket", "S3")[0]?.input.CreateBucketConfiguration?.LocationConstraint).toBe(
      "eu-west-1",
    );
  });

  it("rejects a missing or different LocationConstraint outside us-east-1", async () => {
    const missing = await fail(s3.send(new CreateBucketCommand({ Bucket: "mc-data" })));
    expect(missing).toBeInstanceOf(S3ServiceException);
    expect(missing).toMatchObject({
      name: "IllegalLocationConstraintException",
      Code: "IllegalLocationConstraintException",
      message:
        "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      s3.send(
        new CreateBucketCommand({
          Bucket: "mc-data",
          CreateBucketConfiguration: { LocationConstraint: "us-west-2" },
        }),
      ),
    ).rejects.toMatchObject({
      name: "IllegalLocationConstraintException",
      message:
        "The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.",
    });
    expect(sim.s3.bucket("mc-data")).toBeUndefined();
  });

  it("in us-east-1 takes no LocationConstraint, refuses an explicit us-east-1 and re-creating answers 200", async () => {
    const east = createSimulatedAws({ region: "us-east-1" });
    sim.restore();
    east.install();
    try {
      const client = new S3Client({ region: "us-east-1" });
      await expect(client.send(new CreateBucketCommand({ Bucket: "mc-east" }))).resolves.toMatchObject({
        Location: "/mc-east",
      });
      await expect(client.send(new CreateBucketCommand({ Bucket: "mc-east" }))).resolves.toMatchObject({
        Location: "/mc-east",
      });
      await expect(
        client.send(
          new CreateBucketCommand({
            Bucket: "mc-other",
            CreateBucketConfiguration: { LocationConstraint: "us-east-1" as never },
          }),
        ),
      ).rejects.toMatchObject({
        name: "InvalidLocationConstraint",
        message: "The specified location-constraint is not valid",
      });
    } finally {
      east.restore();
    }
  });

  it("answers BucketAlreadyOwnedByYou, BucketAlreadyExists and InvalidBucketName like S3", async () => {
    sim.s3.addBucket("mc-data");
    sim.s3.addBucket("taken", { ownerAccount: OTHER_ACCOUNT_ID, region: "us-east-1" });
    const create = (Bucket: string) =>
      s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }),
      );

    const owned = await fail(create("mc-data"));
    expect(owned).toBeInstanceOf(BucketAlreadyOwnedByYou);
    expect(owned).toMatchObject({
      name: "BucketAlreadyOwnedByYou",
      message: "Your previous request to create the named bucket succeeded and you already own it.",
      BucketName: "mc-data",
      $metadata: { httpStatusCode: 409 },
    });
    const taken = await fail(create("taken"));
    expect(taken).toBeInstanceOf(BucketAlreadyExists);
    expect(taken).toMatchObject({ name: "BucketAlreadyExists", $metadata: { httpStatusCode: 409 } });
    expect((taken as Error).message).toMatch(/^The requested bucket name is not available\./);

    for (const bad of ["MC-Data", "mc_data", "ab", "-mc", "mc..data", "192.168.1.1", "xn--mc"]) {
      await expect(create(bad)).rejects.toMatchObject({
        name: "InvalidBucketName",
        message: "The specified bucket is not valid.",
        BucketName: bad,
      });
    }
  });
});

describe("S3 bucket settings", () => {
  it("puts and gets Block Public Access and default encryption", async () => {
    sim.s3.addBucket("mc-data", { publicAccessBlock: null });
    const missing = await fail(s3.send(new GetPublicAccessBlockCommand({ Bucket: "mc-data" })));
    expect(missing).toMatchObject({
      name: "NoSuchPublicAccessBlockConfiguration",
      message: "The public access block configuration was not found",
      $metadata: { httpStatusCode: 404 },
    });

    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: "mc-data",
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true },
      }),
    );
    const { PublicAccessBlockConfiguration } = await s3.send(
      new GetPublicAccessBlockCommand({ Bucket: "mc-data" }),
    );
    expect(PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });

    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: "mc-data",
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }],
        },
      }),
    );
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: "mc-data" }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" },
      BucketKeyEnabled: true,
    });
    expect(sim.s3.bucket("mc-data")?.encryption?.Rules?.[0]?.BucketKeyEnabled).toBe(true);

    await expect(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: "mc-data",
          ServerSideEncryptionConfiguration: { Rules: [] },
        }),
      ),
    ).rejects.toMatchObject({ name: "MalformedXML", $metadata: { httpStatusCode: 400 } });
  });

  it("fails with NoSuchBucket, AccessDenied (another account) and PermanentRedirect (another region)", async () => {
    sim.s3.addBucket("taken", { ownerAccount: OTHER_ACCOUNT_ID });
    sim.s3.addBucket("mc-elsewhere", { region: "us-west-2" });
    const get = (Bucket: string) => s3.send(new GetBucketEncryptionCommand({ Bucket }));
    const none = await fail(get("nope-bucket"));
    expect(none).toBeInstanceOf(NoSuchBucket);
    expect(none).toMatchObject({
      message: "The specified bucket does not exist",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(get("taken")).rejects.toMatchObject({ name: "AccessDenied", message: "Access Denied" });
    await expect(get("mc-elsewhere")).rejects.toMatchObject({
      name: "PermanentRedirect",
      Endpoint: "mc-elsewhere.s3.us-west-2.amazonaws.com",
      $metadata: { httpStatusCode: 301 },
    });
  });
});

describe("S3 in the simulated AWS", () => {
  it("logs calls as S3, injects S3-shaped faults and fails unimplemented commands loudly", async () => {
    sim.s3.addBucket("mc-data");
    sim.faults.inject({ service: "S3", command: "HeadBucket", error: "access-denied" });
    sim.faults.inject({
      service: "S3",
      command: "PutBucketEncryption",
      match: (input) => input.Bucket === "mc-data",
      error: "access-denied",
    });
    await expect(s3.send(new HeadBucketCommand({ Bucket: "mc-data" }))).rejects.toMatchObject({
      name: "Unknown",
      $metadata: { httpStatusCode: 403 },
    });
    const denied = await fail(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: "mc-data",
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
          },
        }),
      ),
    );
    expect(denied).toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    expect((denied as Error).message).toBe(
      'User: arn:aws:iam::123456789012:user/test is not authorized to perform: s3:PutEncryptionConfiguration on resource: "arn:aws:s3:::mc-data" because no identity-based policy allows the s3:PutEncryptionConfiguration action',
    );
    sim.faults.inject({ service: "S3", error: "throttling" });
    await expect(s3.send(new GetBucketEncryptionCommand({ Bucket: "mc-data" }))).rejects.toMatchObject({
      name: "SlowDown",
      $metadata: { httpStatusCode: 503 },
    });
    const { GetBucketVersioningCommand } = await import("@aws-sdk/client-s3");
    await expect(s3.send(new GetBucketVersioningCommand({ Bucket: "mc-data" }))).rejects.toThrow(
      "simulated AWS does not implement S3:GetBucketVersioning",
    );
    expect(sim.calls.map((call) => `${call.service}:${call.command}`)).toEqual([
      "S3:HeadBucket",
      "S3:PutBucketEncryption",
      "S3:GetBucketEncryption",
      "S3:GetBucketVersioning",
    ]);
  });
});

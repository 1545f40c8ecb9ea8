import { createHash } from "node:crypto";
import {
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NoSuchBucket,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, OTHER_ACCOUNT_ID, type SimulatedAws } from "../../helpers/sim.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
let sim: SimulatedAws;
let s3: S3Client;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws({ region: "eu-west-1" });
  sim.install();
  s3 = new S3Client({ region: "eu-west-1" });
  sim.s3.addBucket("mc-data");
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (error: unknown) => error,
  );

describe("S3 objects", () => {
  it("PutObject stores the key and the body's size; ListObjectsV2 lists them in key order", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: "mc-data", Key: "b/2.txt", Body: "héllo" }));
    expect(put.ETag).toBe(`"${createHash("md5").update("héllo").digest("hex")}"`);
    expect(put).toMatchObject({ ServerSideEncryption: "AES256" });
    await s3.send(new PutObjectCommand({ Bucket: "mc-data", Key: "a.txt", Body: new Uint8Array(7) }));
    vi.setSystemTime(T0 + 1_500);
    await s3.send(new PutObjectCommand({ Bucket: "mc-data", Key: "b/1.txt", Body: "x" }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "mc-data" }));
    expect(listed).toMatchObject({
      Name: "mc-data",
      Prefix: "",
      MaxKeys: 1000,
      KeyCount: 3,
      IsTruncated: false,
    });
    expect(listed.Contents?.map((object) => [object.Key, object.Size, object.StorageClass])).toEqual([
      ["a.txt", 7, "STANDARD"],
      ["b/1.txt", 1, "STANDARD"],
      ["b/2.txt", 6, "STANDARD"],
    ]);
    // S3 keeps whole seconds.
    expect(listed.Contents?.[1]?.LastModified).toEqual(new Date(T0 + 1_000));
    expect(listed.Contents?.[2]?.ETag).toBe(put.ETag);
    expect(sim.s3.objects("mc-data").map((object) => object.key)).toEqual(["a.txt", "b/1.txt", "b/2.txt"]);
  });

  it("ListObjectsV2 pages with MaxKeys and ContinuationToken, and folds keys with Prefix and Delimiter", async () => {
    for (const key of ["logs/1", "logs/2", "logs/3", "snap/x/1", "snap/x/2", "snap/y", "top"]) {
      sim.s3.addObject("mc-data", key, 10);
    }
    const first = await s3.send(new ListObjectsV2Command({ Bucket: "mc-data", MaxKeys: 3 }));
    expect(first).toMatchObject({ KeyCount: 3, IsTruncated: true, MaxKeys: 3 });
    const second = await s3.send(
      new ListObjectsV2Command({
        Bucket: "mc-data",
        MaxKeys: 3,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    const third = await s3.send(
      new ListObjectsV2Command({
        Bucket: "mc-data",
        MaxKeys: 3,
        ContinuationToken: second.NextContinuationToken,
      }),
    );
    expect([first, second, third].flatMap((page) => page.Contents?.map((object) => object.Key))).toEqual([
      "logs/1",
      "logs/2",
      "logs/3",
      "snap/x/1",
      "snap/x/2",
      "snap/y",
      "top",
    ]);
    expect(third).toMatchObject({
      KeyCount: 1,
      IsTruncated: false,
      ContinuationToken: second.NextContinuationToken,
    });
    expect(third.NextContinuationToken).toBeUndefined();

    const folded = await s3.send(
      new ListObjectsV2Command({ Bucket: "mc-data", Prefix: "snap/", Delimiter: "/" }),
    );
    expect(folded.Contents?.map((object) => object.Key)).toEqual(["snap/y"]);
    expect(folded.CommonPrefixes).toEqual([{ Prefix: "snap/x/" }]);
    expect(folded.KeyCount).toBe(2);

    const empty = await s3.send(new ListObjectsV2Command({ Bucket: "mc-data", Prefix: "none/" }));
    expect(empty).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(empty.Contents).toBeUndefined();
    expect(
      await fail(s3.send(new ListObjectsV2Command({ Bucket: "mc-data", ContinuationToken: "garbage" }))),
    ).toMatchObject({ name: "InvalidArgument", $metadata: { httpStatusCode: 400 } });
  });

  it("ListObjectVersions: one version null per object, no delete markers, pages by KeyMarker", async () => {
    for (const key of ["a", "b", "c"]) sim.s3.addObject("mc-data", key, 1);
    const first = await s3.send(new ListObjectVersionsCommand({ Bucket: "mc-data", MaxKeys: 2 }));
    expect(first).toMatchObject({
      Name: "mc-data",
      IsTruncated: true,
      NextKeyMarker: "b",
      NextVersionIdMarker: "null",
      MaxKeys: 2,
    });
    expect(first.Versions).toEqual([
      expect.objectContaining({ Key: "a", VersionId: "null", IsLatest: true, Size: 1 }),
      expect.objectContaining({ Key: "b", VersionId: "null", IsLatest: true }),
    ]);
    expect(first.DeleteMarkers).toBeUndefined();
    const second = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: "mc-data",
        MaxKeys: 2,
        KeyMarker: first.NextKeyMarker,
        VersionIdMarker: first.NextVersionIdMarker,
      }),
    );
    expect(second).toMatchObject({ IsTruncated: false, KeyMarker: "b", VersionIdMarker: "null" });
    expect(second.Versions?.map((version) => version.Key)).toEqual(["c"]);
    expect(second.NextKeyMarker).toBeUndefined();
    expect(
      await fail(s3.send(new ListObjectVersionsCommand({ Bucket: "mc-data", VersionIdMarker: "null" }))),
    ).toMatchObject({ name: "InvalidArgument" });
  });

  it("DeleteObjects deletes up to 1000 keys, missing ones included, and reports versions that do not exist", async () => {
    for (const key of ["a", "b", "c"]) sim.s3.addObject("mc-data", key, 1);
    const answer = await s3.send(
      new DeleteObjectsCommand({
        Bucket: "mc-data",
        Delete: {
          Objects: [
            { Key: "a" },
            { Key: "b", VersionId: "null" },
            { Key: "never-there" },
            { Key: "c", VersionId: "3HL4kqtJlcpXroDTDmJ" },
          ],
        },
      }),
    );
    expect(answer.Deleted).toEqual([{ Key: "a" }, { Key: "b", VersionId: "null" }, { Key: "never-there" }]);
    expect(answer.Errors).toEqual([
      {
        Key: "c",
        VersionId: "3HL4kqtJlcpXroDTDmJ",
        Code: "NoSuchVersion",
        Message: "The specified version does not exist.",
      },
    ]);
    expect(sim.s3.objects("mc-data").map((object) => object.key)).toEqual(["c"]);

    const quiet = await s3.send(
      new DeleteObjectsCommand({ Bucket: "mc-data", Delete: { Objects: [{ Key: "c" }], Quiet: true } }),
    );
    expect(quiet.Deleted).toBeUndefined();
    expect(sim.s3.objects("mc-data")).toEqual([]);

    const tooMany = Array.from({ length: 1001 }, (_, index) => ({ Key: `k${index}` }));
    expect(
      await fail(s3.send(new DeleteObjectsCommand({ Bucket: "mc-data", Delete: { Objects: tooMany } }))),
    ).toMatchObject({ name: "MalformedXML", $metadata: { httpStatusCode: 400 } });
    expect(
      await fail(s3.send(new DeleteObjectsCommand({ Bucket: "mc-data", Delete: { Objects: [] } }))),
    ).toMatchObject({ name: "MalformedXML" });
    await s3.send(
      new DeleteObjectsCommand({ Bucket: "mc-data", Delete: { Objects: tooMany.slice(0, 1000) } }),
    );
  });

  it("object operations on a bucket that does not exist fail with NoSuchBucket", async () => {
    for (const send of [
      () => s3.send(new PutObjectCommand({ Bucket: "gone", Key: "a", Body: "x" })),
      () => s3.send(new ListObjectsV2Command({ Bucket: "gone" })),
      () => s3.send(new ListObjectVersionsCommand({ Bucket: "gone" })),
      () => s3.send(new DeleteObjectsCommand({ Bucket: "gone", Delete: { Objects: [{ Key: "a" }] } })),
    ]) {
      expect(await fail(send())).toBeInstanceOf(NoSuchBucket);
    }
  });
});

describe("S3 DeleteBucket", () => {
  it("refuses a bucket with objects (BucketNotEmpty, 409), then deletes it once emptied", async () => {
    sim.s3.addObject("mc-data", "backup.sql.gz", 1024);
    expect(await fail(s3.send(new DeleteBucketCommand({ Bucket: "mc-data" })))).toMatchObject({
      name: "BucketNotEmpty",
      message: "The bucket you tried to delete is not empty",
      BucketName: "mc-data",
      $metadata: { httpStatusCode: 409 },
    });
    await s3.send(
      new DeleteObjectsCommand({ Bucket: "mc-data", Delete: { Objects: [{ Key: "backup.sql.gz" }] } }),
    );
    const deleted = await s3.send(new DeleteBucketCommand({ Bucket: "mc-data" }));
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect(sim.s3.bucket("mc-data")).toBeUndefined();
    expect(await fail(s3.send(new HeadBucketCommand({ Bucket: "mc-data" })))).toMatchObject({
      name: "NotFound",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("fails with NoSuchBucket (404) for an unknown bucket and AccessDenied for another account's", async () => {
    const missing = await fail(s3.send(new DeleteBucketCommand({ Bucket: "gone" })));
    expect(missing).toBeInstanceOf(NoSuchBucket);
    expect(missing).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    sim.s3.addBucket("taken", { ownerAccount: OTHER_ACCOUNT_ID });
    expect(await fail(s3.send(new DeleteBucketCommand({ Bucket: "taken" })))).toMatchObject({
      name: "AccessDenied",
    });
  });

  it("takes S3-shaped faults and logs the calls", async () => {
    sim.faults.inject({ command: "DeleteBucket", error: "access-denied" });
    const denied = await fail(s3.send(new DeleteBucketCommand({ Bucket: "mc-data" })));
    expect((denied as Error).message).toContain('s3:DeleteBucket on resource: "arn:aws:s3:::mc-data"');
    sim.faults.inject({ command: "PutObject", error: "throttling" });
    expect(
      await fail(s3.send(new PutObjectCommand({ Bucket: "mc-data", Key: "k", Body: "x" }))),
    ).toMatchObject({
      name: "SlowDown",
    });
    expect(sim.s3.objects("mc-data")).toEqual([]);
    expect(sim.callsOf("DeleteBucket", "S3").map((call) => call.input.Bucket)).toEqual(["mc-data"]);
  });
});

describe("S3 bucket tagging", () => {
  it("PutBucketTagging replaces the tag set; GetBucketTagging answers it; DeleteBucketTagging removes it", async () => {
    const missing = await fail(s3.send(new GetBucketTaggingCommand({ Bucket: "mc-data" })));
    expect(missing).toMatchObject({
      name: "NoSuchTagSet",
      message: "The TagSet does not exist",
      $metadata: { httpStatusCode: 404 },
    });
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: "mc-data",
        Tagging: { TagSet: [{ Key: "app", Value: "mcctl" }] },
      }),
    );
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: "mc-data",
        Tagging: {
          TagSet: [
            { Key: "app", Value: "mcctl" },
            { Key: "env", Value: "test" },
          ],
        },
      }),
    );
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: "mc-data" }))).TagSet).toEqual([
      { Key: "app", Value: "mcctl" },
      { Key: "env", Value: "test" },
    ]);
    expect(sim.s3.bucket("mc-data")?.tags).toHaveLength(2);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: "mc-data" }));
    expect(await fail(s3.send(new GetBucketTaggingCommand({ Bucket: "mc-data" })))).toMatchObject({
      name: "NoSuchTagSet",
    });
  });

  it("refuses duplicate keys and answers NoSuchBucket for an unknown bucket", async () => {
    const duplicate = await fail(
      s3.send(
        new PutBucketTaggingCommand({
          Bucket: "mc-data",
          Tagging: {
            TagSet: [
              { Key: "app", Value: "a" },
              { Key: "app", Value: "b" },
            ],
          },
        }),
      ),
    );
    expect(duplicate).toMatchObject({ name: "InvalidTag", $metadata: { httpStatusCode: 400 } });
    expect(await fail(s3.send(new GetBucketTaggingCommand({ Bucket: "gone" })))).toBeInstanceOf(NoSuchBucket);
    sim.s3.addBucket("tagged", { tags: [{ Key: "app", Value: "mcctl" }] });
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: "tagged" }))).TagSet).toEqual([
      { Key: "app", Value: "mcctl" },
    ]);
  });
});

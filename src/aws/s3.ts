import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
  PutBucketEncryptionCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { AwsConfig } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { S3_PERMISSIONS } from "./s3-permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of S3Api without a declaration. */
const DECLARED: PermissionTable<S3Api> = S3_PERMISSIONS;

export type BucketOwnership =
  | { state: "ours"; region: string | undefined }
  | { state: "foreign" }
  | { state: "missing" };

/** The part of S3 that mcctl uses. */
export interface S3Api {
  /** Whether the bucket exists and whether this account may use it (HeadBucket: 200, 403 or 404). */
  inspectBucket(bucket: string): Promise<BucketOwnership>;
  createBucket(bucket: string, region: string): Promise<void>;
  blockPublicAccess(bucket: string): Promise<void>;
  enableDefaultEncryption(bucket: string): Promise<void>;
  tagBucket(bucket: string, tags: Record<string, string>): Promise<void>;
  /** The bucket's tags ({} when it has none). */
  bucketTags(bucket: string): Promise<Record<string, string>>;
  /**
   * How many objects (every version and delete marker) the bucket holds, counting up to `limit`:
   * `more` says there are others.
   */
  countObjects(bucket: string, limit: number): Promise<{ count: number; more: boolean }>;
  /** Deletes every object version and delete marker, a thousand a call; returns how many. */
  emptyBucket(bucket: string): Promise<number>;
  /** "deleted", "missing", or "not-empty" (S3's BucketNotEmpty: an object arrived meanwhile). */
  deleteBucket(bucket: string): Promise<"deleted" | "missing" | "not-empty">;
}

/** S3 lists and deletes at most this many keys a call. */
const S3_BATCH = 1000;

export function createS3Api(config: AwsConfig, limits: AwsLimits = {}): S3Api {
  // Custom endpoints (LocalStack, MinIO) rarely serve virtual-hosted bucket names. A bucket of ours in
  // another region answers 301 to the configured region's endpoint: the SDK follows it, so HeadBucket
  // reports the bucket (and its region) instead of failing.
  const client = new S3Client({
    ...clientOptions(config),
    forcePathStyle: Boolean(config.endpoint),
    followRegionRedirects: true,
  });
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  return {
    inspectBucket: (bucket) =>
      call({ declared: DECLARED.inspectBucket }, async () => {
        try {
          const output = await client.send(new HeadBucketCommand({ Bucket: bucket }));
          return { state: "ours", region: output.BucketRegion };
        } catch (error) {
          const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status === 404) return { state: "missing" };
          if (status === 403) return { state: "foreign" };
          throw error;
        }
      }),

    createBucket: (bucket, region) =>
      call({ declared: DECLARED.createBucket }, async () => {
        // us-east-1 is the one region that refuses an explicit LocationConstraint.
        const configuration =
          region === "us-east-1"
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
        await client.send(new CreateBucketCommand({ Bucket: bucket, ...configuration }));
      }),

    blockPublicAccess: (bucket) =>
      call({ declared: DECLARED.blockPublicAccess }, async () => {
        await client.send(
          new PutPublicAccessBlockCommand({
            Bucket: bucket,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        );
      }),

    enableDefaultEncryption: (bucket) =>
      call({ declared: DECLARED.enableDefaultEncryption }, async () => {
        await client.send(
          new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [
                { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true },
              ],
            },
          }),
        );
      }),

    tagBucket: (bucket, tags) =>
      call({ declared: DECLARED.tagBucket }, async () => {
        await client.send(
          new PutBucketTaggingCommand({
            Bucket: bucket,
            Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          }),
        );
      }),

    bucketTags: (bucket) =>
      call({ declared: DECLARED.bucketTags }, async () => {
        try {
          const output = await client.send(new GetBucketTaggingCommand({ Bucket: bucket }));
          return Object.fromEntries((output.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
        } catch (error) {
          if (awsErrorName(error) === "NoSuchTagSet") return {};
          throw error;
        }
      }),

    countObjects: (bucket, limit) =>
      call({ declared: DECLARED.countObjects }, async () => {
        let count = 0;
        for await (const batch of objectVersions(bucket)) {
          count += batch.length;
          if (count >= limit) return { count: limit, more: true };
        }
        return { count, more: false };
      }),

    emptyBucket: (bucket) =>
      call({ declared: DECLARED.emptyBucket }, async () => {
        let deleted = 0;
        for await (const batch of objectVersions(bucket)) {
          if (batch.length === 0) continue;
          const output = await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
          );
          const failed = output.Errors ?? [];
          if (failed.length > 0) {
            const first = failed[0];
            throw new Error(
              `S3 did not delete ${failed.length} object(s) of ${bucket}, e.g. ${first?.Key}: ${first?.Code} ${first?.Message ?? ""}`.trim(),
            );
          }
          deleted += batch.length;
        }
        return deleted;
      }),

    deleteBucket: (bucket) =>
      call({ declared: DECLARED.deleteBucket }, async () => {
        try {
          await client.send(new DeleteBucketCommand({ Bucket: bucket }));
          return "deleted" as const;
        } catch (error) {
          const name = awsErrorName(error);
          if (name === "NoSuchBucket") return "missing" as const;
          if (name === "BucketNotEmpty") return "not-empty" as const;
          throw error;
        }
      }),
  };

  /** The bucket's object versions and delete markers, a page at a time. */
  async function* objectVersions(bucket: string): AsyncGenerator<ObjectIdentifier[]> {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          MaxKeys: S3_BATCH,
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(versionIdMarker === undefined ? {} : { VersionIdMarker: versionIdMarker }),
        }),
      );
      yield [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].flatMap((entry) =>
        entry.Key ? [{ Key: entry.Key, VersionId: entry.VersionId }] : [],
      );
      if (!page.IsTruncated) return;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    } while (keyMarker !== undefined);
  }
}

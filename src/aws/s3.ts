import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { AwsConfig } from "./config.js";
import { awsCaller } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import { applyLimits, clientOptions } from "./transport.js";

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
}

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
      call({ action: "s3:ListBucket" }, async () => {
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
      call({ action: "s3:CreateBucket" }, async () => {
        // us-east-1 is the one region that refuses an explicit LocationConstraint.
        const configuration =
          region === "us-east-1"
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
        await client.send(new CreateBucketCommand({ Bucket: bucket, ...configuration }));
      }),

    blockPublicAccess: (bucket) =>
      call({ action: "s3:PutBucketPublicAccessBlock" }, async () => {
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
      call({ action: "s3:PutEncryptionConfiguration" }, async () => {
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
  };
}

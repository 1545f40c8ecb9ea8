/**
 * A bucket's settings in the simulated S3: its tag set (Put/Get/DeleteBucketTagging), Block Public Access
 * (Put/GetPublicAccessBlock) and default encryption (Put/GetBucketEncryption). `S3Simulator` (s3.ts) hands the
 * calls over with the way it finds the caller's bucket.
 */
import type {
  DeleteBucketTaggingCommandInput,
  GetBucketEncryptionCommandInput,
  GetBucketEncryptionOutput,
  GetBucketTaggingCommandInput,
  GetBucketTaggingOutput,
  GetPublicAccessBlockCommandInput,
  GetPublicAccessBlockOutput,
  PutBucketEncryptionCommandInput,
  PutBucketTaggingCommandInput,
  PutPublicAccessBlockCommandInput,
} from "@aws-sdk/client-s3";
import { clone, type SimRequest } from "./core.js";
import type { S3Errors } from "./s3-errors.js";
import type { BucketRecord } from "./s3-model.js";

/** What `S3BucketSettings` needs of the S3 simulator. */
export interface S3BucketSettingsHost {
  /** Runs what is due. */
  sync(): void;
  /** The caller's bucket, or S3's error: NoSuchBucket, AccessDenied (not ours), PermanentRedirect (elsewhere). */
  ownBucket(name: string | undefined, expectedOwner: string | undefined, request: SimRequest): BucketRecord;
  readonly errors: S3Errors;
}

export class S3BucketSettings {
  readonly #host: S3BucketSettingsHost;

  constructor(host: S3BucketSettingsHost) {
    this.#host = host;
  }

  /** Replaces the bucket's tag set (at most 50 tags, distinct keys, none starting with "aws:"). */
  putBucketTagging(input: PutBucketTaggingCommandInput, request: SimRequest = {}): Record<string, never> {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const tags = input.Tagging?.TagSet;
    if (!tags) throw this.#host.errors.malformedXml();
    const keys = tags.map((tag) => tag.Key ?? "");
    if (new Set(keys).size !== keys.length) {
      throw this.#host.errors.error("InvalidTag", "Cannot provide multiple Tags with the same key", 400);
    }
    if (keys.some((key) => key.toLowerCase().startsWith("aws:"))) {
      throw this.#host.errors.error("InvalidTag", "System tags cannot be added/updated by requester", 400);
    }
    if (tags.length > 50) {
      throw this.#host.errors.error("BadRequest", "Bucket tag count cannot be greater than 50", 400);
    }
    record.tags = tags.map((tag) => ({ Key: tag.Key, Value: tag.Value ?? "" }));
    return {};
  }

  /** The tag set; NoSuchTagSet (404) for a bucket without tags. */
  getBucketTagging(input: GetBucketTaggingCommandInput, request: SimRequest = {}): GetBucketTaggingOutput {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (!record.tags || record.tags.length === 0) {
      throw this.#host.errors.error("NoSuchTagSet", "The TagSet does not exist", 404, {
        BucketName: record.name,
      });
    }
    return { TagSet: clone(record.tags) };
  }

  deleteBucketTagging(
    input: DeleteBucketTaggingCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    record.tags = undefined;
    return {};
  }

  putPublicAccessBlock(
    input: PutPublicAccessBlockCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const configuration = input.PublicAccessBlockConfiguration;
    if (!configuration) throw this.#host.errors.malformedXml();
    record.publicAccessBlock = {
      BlockPublicAcls: configuration.BlockPublicAcls ?? false,
      IgnorePublicAcls: configuration.IgnorePublicAcls ?? false,
      BlockPublicPolicy: configuration.BlockPublicPolicy ?? false,
      RestrictPublicBuckets: configuration.RestrictPublicBuckets ?? false,
    };
    return {};
  }

  getPublicAccessBlock(
    input: GetPublicAccessBlockCommandInput,
    request: SimRequest = {},
  ): GetPublicAccessBlockOutput {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (!record.publicAccessBlock) {
      throw this.#host.errors.error(
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
        404,
        { BucketName: record.name },
      );
    }
    return { PublicAccessBlockConfiguration: clone(record.publicAccessBlock) };
  }

  putBucketEncryption(
    input: PutBucketEncryptionCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const rules = input.ServerSideEncryptionConfiguration?.Rules ?? [];
    const algorithms = ["AES256", "aws:kms", "aws:kms:dsse"];
    if (
      rules.length === 0 ||
      rules.some((rule) => !algorithms.includes(rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? ""))
    ) {
      throw this.#host.errors.malformedXml();
    }
    record.encryption = clone({ Rules: rules });
    return {};
  }

  getBucketEncryption(
    input: GetBucketEncryptionCommandInput,
    request: SimRequest = {},
  ): GetBucketEncryptionOutput {
    this.#host.sync();
    const record = this.#host.ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (!record.encryption) {
      throw this.#host.errors.error(
        "ServerSideEncryptionConfigurationNotFoundError",
        "The server side encryption configuration was not found",
        404,
        { BucketName: record.name },
      );
    }
    return { ServerSideEncryptionConfiguration: clone(record.encryption) };
  }
}

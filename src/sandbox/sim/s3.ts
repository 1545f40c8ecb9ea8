/**
 * Simulated Amazon S3: buckets (a global namespace shared with other, simulated, accounts), their Block
 * Public Access settings, default encryption and tags, DeleteBucket, and their objects (s3-objects.ts). Each bucket
 * has an owner account and a region.
 *
 * The simulator treats every call as sent to the simulated region's endpoint (`createSimulatedAws({ region })`),
 * the way a client configured for that region sends it: CreateBucket's LocationConstraint must name that
 * region, and calls about one of our buckets in another region get S3's 301 redirect unless the client has
 * `followRegionRedirects: true` (then the SDK would follow it and succeed).
 *
 * Errors look the way SDK v3 (3.1164) surfaces them; HeadBucket errors have no body, so the SDK only knows
 * the status: 404 is `NotFound`, anything else a plain `S3ServiceException` named "Unknown" whose message
 * is "UnknownError" (check `$metadata.httpStatusCode`: 403 for a bucket of another account).
 *
 * The buckets' settings (tags, Block Public Access, default encryption) are s3-bucket-settings.ts's, S3's errors
 * s3-errors.ts's, bucket records and naming rules s3-model.ts's.
 */
import type * as S3 from "@aws-sdk/client-s3";
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NoSuchBucket,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { clone, compact, createSimContext, type SimContext, type SimRequest } from "./core.js";
import { modeledError, type ServiceErrorProfile } from "./errors.js";
import { S3BucketSettings } from "./s3-bucket-settings.js";
import { S3Errors } from "./s3-errors.js";
import {
  type AddBucketOptions,
  type BucketRecord,
  bucketNameProblem,
  defaultBucketEncryption,
  defaultPublicAccessBlock,
  followsRedirects,
  REGION_NAME,
  type S3BucketState,
} from "./s3-model.js";
import { S3Objects, type S3ObjectView } from "./s3-objects.js";

export {
  type AddBucketOptions,
  bucketNameProblem,
  defaultBucketEncryption,
  defaultPublicAccessBlock,
  OTHER_ACCOUNT_ID,
  type S3BucketState,
} from "./s3-model.js";
export type { S3ObjectView } from "./s3-objects.js";

export class S3Simulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #buckets = new Map<string, BucketRecord>();
  readonly #errors: S3Errors;
  /** The objects in the buckets (s3-objects.ts). */
  readonly #objects: S3Objects;
  /** Tags, Block Public Access and default encryption (s3-bucket-settings.ts). */
  readonly #settings: S3BucketSettings;

  constructor(context: SimContext = createSimContext()) {
    this.#ctx = context;
    this.#errors = new S3Errors(context.ids);
    this.#objects = new S3Objects(context, (code, message, httpStatusCode) =>
      this.#errors.error(code, message, httpStatusCode),
    );
    this.#settings = new S3BucketSettings({
      sync: () => context.clock.advance(),
      ownBucket: (name, expectedOwner, request) => this.#ownBucket(name, expectedOwner, request),
      errors: this.#errors,
    });
    this.errorProfile = {
      service: "S3",
      iamPrefix: "s3",
      BaseException: S3ServiceException,
      resourceArn: (_command, input) => {
        const { Bucket: bucket, Key: key } = (input ?? {}) as { Bucket?: string; Key?: string };
        if (!bucket) return "*";
        return key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
      },
      faultError: (kind, call, faultContext) =>
        this.#errors.faultError(kind, call, faultContext.principalArn, (command, input) =>
          this.errorProfile.resourceArn(command, input),
        ),
    };
  }

  // ===============================================================================================
  // Test setup and inspection

  /** Adds a bucket without going through the API (ours unless `ownerAccount` says otherwise). */
  addBucket(name: string, options: AddBucketOptions = {}): S3BucketState {
    this.#ctx.clock.advance();
    if (this.#buckets.has(name)) throw new Error(`simulated S3: bucket ${name} exists already`);
    const problem = bucketNameProblem(name);
    if (problem) throw new Error(`simulated S3: "${name}" is not a valid bucket name: it ${problem}`);
    const record: BucketRecord = {
      name,
      ownerAccount: options.ownerAccount ?? this.#ctx.accountId,
      region: options.region ?? this.#ctx.region,
      creationDate: this.#ctx.clock.date(),
      publicAccessBlock:
        options.publicAccessBlock === null
          ? undefined
          : clone(options.publicAccessBlock ?? defaultPublicAccessBlock),
      encryption:
        options.encryption === null ? undefined : clone(options.encryption ?? defaultBucketEncryption),
      tags: options.tags && clone(options.tags),
    };
    this.#buckets.set(name, record);
    return clone(record);
  }

  /** Adds an object of `size` bytes to a bucket (any owner) without going through the API. */
  addObject(bucket: string, key: string, size = 0): S3ObjectView {
    this.#ctx.clock.advance();
    if (!this.#buckets.has(bucket)) throw new Error(`simulated S3: no bucket ${bucket}`);
    return this.#objects.put(bucket, key, size);
  }

  /** A bucket's objects in key order (empty for a bucket that does not exist). */
  objects(bucket: string): S3ObjectView[] {
    return this.#objects.list(bucket);
  }

  /** A bucket's current state (whoever owns it), or undefined when the name is free. */
  bucket(name: string): S3BucketState | undefined {
    const record = this.#buckets.get(name);
    return record && clone(record);
  }

  /** Every bucket, in the order they were created. */
  buckets(): S3BucketState[] {
    return [...this.#buckets.values()].map((record) => clone(record));
  }

  // ===============================================================================================
  // API: buckets (their settings: s3-bucket-settings.ts)

  headBucket(input: S3.HeadBucketCommandInput, request: SimRequest = {}): S3.HeadBucketOutput {
    this.#ctx.clock.advance();
    const record = this.#buckets.get(input.Bucket ?? "");
    // A HEAD response has no body: the SDK sees nothing but the status code.
    if (!record) throw modeledError(NotFound, "UnknownError", this.#ctx.ids, 404);
    if (!this.#ours(record, input.ExpectedBucketOwner)) throw this.#errors.bodyless(403);
    if (record.region !== this.#ctx.region && !followsRedirects(request)) throw this.#errors.bodyless(301);
    return { BucketRegion: record.region, AccessPointAlias: false };
  }

  createBucket(input: S3.CreateBucketCommandInput): S3.CreateBucketOutput {
    this.#ctx.clock.advance();
    const name = input.Bucket ?? "";
    if (bucketNameProblem(name)) {
      throw this.#errors.error("InvalidBucketName", "The specified bucket is not valid.", 400, {
        BucketName: name,
      });
    }
    const endpoint = this.#ctx.region;
    const requested = input.CreateBucketConfiguration?.LocationConstraint as string | undefined;
    const constraint = requested === "EU" ? "eu-west-1" : requested;
    if (
      constraint !== undefined &&
      (!REGION_NAME.test(constraint) || (constraint === "us-east-1" && endpoint === "us-east-1"))
    ) {
      throw this.#errors.error(
        "InvalidLocationConstraint",
        "The specified location-constraint is not valid",
        400,
        {
          LocationConstraint: requested,
        },
      );
    }
    const region = constraint ?? "us-east-1";
    if (region !== endpoint) {
      throw this.#errors.error(
        "IllegalLocationConstraintException",
        `The ${requested ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        400,
      );
    }
    const location = region === "us-east-1" ? `/${name}` : `http://${name}.s3.amazonaws.com/`;
    const existing = this.#buckets.get(name);
    if (existing && existing.ownerAccount !== this.#ctx.accountId) {
      throw this.#errors.modeled(
        BucketAlreadyExists,
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        409,
        { BucketName: name },
      );
    }
    if (existing) {
      // For legacy compatibility, us-east-1 answers 200 OK when you re-create a bucket you own there.
      if (existing.region === "us-east-1" && region === "us-east-1") return { Location: location };
      throw this.#errors.modeled(
        BucketAlreadyOwnedByYou,
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
        { BucketName: name },
      );
    }
    this.#buckets.set(name, {
      name,
      ownerAccount: this.#ctx.accountId,
      region,
      creationDate: this.#ctx.clock.date(),
      publicAccessBlock: clone(defaultPublicAccessBlock),
      encryption: clone(defaultBucketEncryption),
      tags: undefined,
    });
    return { Location: location };
  }

  /** NoSuchBucket (404) for an unknown bucket, BucketNotEmpty (409) while it holds objects. */
  deleteBucket(input: S3.DeleteBucketCommandInput, request: SimRequest = {}): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (this.#objects.count(record.name) > 0) {
      throw this.#errors.error("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, {
        BucketName: record.name,
      });
    }
    this.#buckets.delete(record.name);
    this.#objects.dropBucket(record.name);
    return {};
  }

  /** Replaces the bucket's tag set (at most 50 tags, distinct keys, none starting with "aws:"). */
  putBucketTagging(input: S3.PutBucketTaggingCommandInput, request: SimRequest = {}): Record<string, never> {
    return this.#settings.putBucketTagging(input, request);
  }

  /** The tag set; NoSuchTagSet (404) for a bucket without tags. */
  getBucketTagging(
    input: S3.GetBucketTaggingCommandInput,
    request: SimRequest = {},
  ): S3.GetBucketTaggingOutput {
    return this.#settings.getBucketTagging(input, request);
  }

  deleteBucketTagging(
    input: S3.DeleteBucketTaggingCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    return this.#settings.deleteBucketTagging(input, request);
  }

  putPublicAccessBlock(
    input: S3.PutPublicAccessBlockCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    return this.#settings.putPublicAccessBlock(input, request);
  }

  getPublicAccessBlock(
    input: S3.GetPublicAccessBlockCommandInput,
    request: SimRequest = {},
  ): S3.GetPublicAccessBlockOutput {
    return this.#settings.getPublicAccessBlock(input, request);
  }

  putBucketEncryption(
    input: S3.PutBucketEncryptionCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    return this.#settings.putBucketEncryption(input, request);
  }

  getBucketEncryption(
    input: S3.GetBucketEncryptionCommandInput,
    request: SimRequest = {},
  ): S3.GetBucketEncryptionOutput {
    return this.#settings.getBucketEncryption(input, request);
  }

  // ===============================================================================================
  // API: objects (s3-objects.ts)

  /** Stores the key and the body's size (the body itself is not kept); see s3-objects.ts. */
  putObject(input: S3.PutObjectCommandInput, request: SimRequest = {}): S3.PutObjectOutput {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const object = this.#objects.putObject(input);
    const algorithm = record.encryption?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    return compact({ ETag: object.etag, ServerSideEncryption: algorithm });
  }

  listObjectsV2(input: S3.ListObjectsV2CommandInput, request: SimRequest = {}): S3.ListObjectsV2Output {
    this.#ctx.clock.advance();
    this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    return this.#objects.listObjectsV2(input);
  }

  /** One version ("null") per object: the buckets are unversioned. */
  listObjectVersions(
    input: S3.ListObjectVersionsCommandInput,
    request: SimRequest = {},
  ): S3.ListObjectVersionsOutput {
    this.#ctx.clock.advance();
    this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    return this.#objects.listObjectVersions(input);
  }

  /** Up to 1000 keys (MalformedXML beyond); see s3-objects.ts. */
  deleteObjects(input: S3.DeleteObjectsCommandInput, request: SimRequest = {}): S3.DeleteObjectsOutput {
    this.#ctx.clock.advance();
    this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    return this.#objects.deleteObjects(input);
  }

  // ===============================================================================================
  // Internals

  #ours(record: BucketRecord, expectedOwner: string | undefined): boolean {
    if (record.ownerAccount !== this.#ctx.accountId) return false;
    return expectedOwner === undefined || expectedOwner === record.ownerAccount;
  }

  /** The bucket a bucket-level operation (with a body in its error responses) may act on. */
  #ownBucket(name: string | undefined, expectedOwner: string | undefined, request: SimRequest): BucketRecord {
    const record = this.#buckets.get(name ?? "");
    if (!record) {
      throw this.#errors.modeled(NoSuchBucket, "The specified bucket does not exist", 404, {
        BucketName: name,
      });
    }
    if (!this.#ours(record, expectedOwner)) throw this.#errors.error("AccessDenied", "Access Denied", 403);
    if (record.region !== this.#ctx.region && !followsRedirects(request)) {
      throw this.#errors.error(
        "PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
        301,
        { Bucket: record.name, Endpoint: `${record.name}.s3.${record.region}.amazonaws.com` },
      );
    }
    return record;
  }
}

/** The S3 commands the simulator answers: operation name → [SDK command class, S3Simulator method]. */
export const s3Commands = {
  HeadBucket: [HeadBucketCommand, "headBucket"],
  CreateBucket: [CreateBucketCommand, "createBucket"],
  PutPublicAccessBlock: [PutPublicAccessBlockCommand, "putPublicAccessBlock"],
  GetPublicAccessBlock: [GetPublicAccessBlockCommand, "getPublicAccessBlock"],
  PutBucketEncryption: [PutBucketEncryptionCommand, "putBucketEncryption"],
  GetBucketEncryption: [GetBucketEncryptionCommand, "getBucketEncryption"],
  DeleteBucket: [DeleteBucketCommand, "deleteBucket"],
  PutBucketTagging: [PutBucketTaggingCommand, "putBucketTagging"],
  GetBucketTagging: [GetBucketTaggingCommand, "getBucketTagging"],
  DeleteBucketTagging: [DeleteBucketTaggingCommand, "deleteBucketTagging"],
  PutObject: [PutObjectCommand, "putObject"],
  ListObjectsV2: [ListObjectsV2Command, "listObjectsV2"],
  ListObjectVersions: [ListObjectVersionsCommand, "listObjectVersions"],
  DeleteObjects: [DeleteObjectsCommand, "deleteObjects"],
} as const satisfies Record<string, readonly [unknown, keyof S3Simulator]>;

export type S3CommandName = keyof typeof s3Commands;

export type S3Input<N extends S3CommandName> = S3Simulator[(typeof s3Commands)[N][1]] extends (
  input: infer I,
  ...rest: never[]
) => unknown
  ? I
  : never;

export type S3Inputs = { [N in S3CommandName]: S3Input<N> };

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
 */
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  type CreateBucketCommandInput,
  type CreateBucketOutput,
  DeleteBucketCommand,
  type DeleteBucketCommandInput,
  DeleteBucketTaggingCommand,
  type DeleteBucketTaggingCommandInput,
  DeleteObjectsCommand,
  type DeleteObjectsCommandInput,
  type DeleteObjectsOutput,
  GetBucketEncryptionCommand,
  type GetBucketEncryptionCommandInput,
  type GetBucketEncryptionOutput,
  GetBucketTaggingCommand,
  type GetBucketTaggingCommandInput,
  type GetBucketTaggingOutput,
  GetPublicAccessBlockCommand,
  type GetPublicAccessBlockCommandInput,
  type GetPublicAccessBlockOutput,
  HeadBucketCommand,
  type HeadBucketCommandInput,
  type HeadBucketOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2Output,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
  type ListObjectVersionsOutput,
  NoSuchBucket,
  NotFound,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  type PutBucketEncryptionCommandInput,
  PutBucketTaggingCommand,
  type PutBucketTaggingCommandInput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type PutObjectOutput,
  PutPublicAccessBlockCommand,
  type PutPublicAccessBlockCommandInput,
  S3ServiceException,
  type ServerSideEncryptionConfiguration,
  type Tag,
} from "@aws-sdk/client-s3";
import { clone, compact, createSimContext, type SimContext, type SimRequest } from "./core.js";
import {
  accessDeniedMessage,
  type FaultedCall,
  type FaultKind,
  modeledError,
  type ServiceErrorProfile,
  unmodeledError,
} from "./errors.js";
import { S3Objects, type S3ObjectView } from "./s3-objects.js";

export type { S3ObjectView } from "./s3-objects.js";

/** Another account, owning buckets whose names are therefore taken. */
export const OTHER_ACCOUNT_ID = "210987654321";

export interface AddBucketOptions {
  /** Default: the simulated account. Another account id makes the name taken but the bucket not ours. */
  ownerAccount?: string;
  /** Default: the simulated region. */
  region?: string;
  /** Default: all four settings on, as S3 creates buckets since April 2023. `null`: no configuration. */
  publicAccessBlock?: PublicAccessBlockConfiguration | null;
  /** Default: SSE-S3 (AES256), as S3 encrypts every bucket since January 2023. `null`: none. */
  encryption?: ServerSideEncryptionConfiguration | null;
  /** Bucket tags (GetBucketTagging). Default: none. */
  tags?: Tag[];
}

/** A bucket as the simulator holds it (see `sim.s3.bucket(name)`). */
export interface S3BucketState {
  name: string;
  ownerAccount: string;
  region: string;
  creationDate: Date;
  publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  encryption: ServerSideEncryptionConfiguration | undefined;
  /** The bucket's tag set; undefined when it has none (GetBucketTagging: NoSuchTagSet). */
  tags: Tag[] | undefined;
}

/** What S3 applies to every new bucket (Block Public Access on, SSE-S3 default encryption). */
export const defaultPublicAccessBlock: Readonly<Required<PublicAccessBlockConfiguration>> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export const defaultBucketEncryption: Readonly<ServerSideEncryptionConfiguration> = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }],
};

/** IAM actions S3 checks for each operation (they are not all named like the operation). */
const iamActions: Record<string, string> = {
  HeadBucket: "s3:ListBucket",
  CreateBucket: "s3:CreateBucket",
  PutPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
  GetPublicAccessBlock: "s3:GetBucketPublicAccessBlock",
  PutBucketEncryption: "s3:PutEncryptionConfiguration",
  GetBucketEncryption: "s3:GetEncryptionConfiguration",
  DeleteBucket: "s3:DeleteBucket",
  PutBucketTagging: "s3:PutBucketTagging",
  GetBucketTagging: "s3:GetBucketTagging",
  DeleteBucketTagging: "s3:PutBucketTagging",
  PutObject: "s3:PutObject",
  ListObjectsV2: "s3:ListBucket",
  ListObjectVersions: "s3:ListBucketVersions",
  DeleteObjects: "s3:DeleteObject",
};

const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** Why S3 would reject a general purpose bucket name, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "may contain only lowercase letters, digits, dots and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not look like an IP address";
  if (/^(?:xn--|sthree-|amzn-s3-demo-)/.test(name)) return "must not start with a reserved prefix";
  if (/(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return "must not end with a reserved suffix";
  return undefined;
}

interface BucketRecord {
  name: string;
  ownerAccount: string;
  region: string;
  creationDate: Date;
  publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  encryption: ServerSideEncryptionConfiguration | undefined;
  /** The bucket's tag set; undefined when it has none (GetBucketTagging: NoSuchTagSet). */
  tags: Tag[] | undefined;
}

export class S3Simulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #buckets = new Map<string, BucketRecord>();
  /** The objects in the buckets (s3-objects.ts). */
  readonly #objects: S3Objects;

  constructor(context: SimContext = createSimContext()) {
    this.#ctx = context;
    this.#objects = new S3Objects(context, (code, message, httpStatusCode) =>
      this.#error(code, message, httpStatusCode),
    );
    this.errorProfile = {
      service: "S3",
      iamPrefix: "s3",
      BaseException: S3ServiceException,
      resourceArn: (_command, input) => {
        const { Bucket: bucket, Key: key } = (input ?? {}) as { Bucket?: string; Key?: string };
        if (!bucket) return "*";
        return key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
      },
      faultError: (kind, call, faultContext) => this.#faultError(kind, call, faultContext.principalArn),
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
  // API

  headBucket(input: HeadBucketCommandInput, request: SimRequest = {}): HeadBucketOutput {
    this.#ctx.clock.advance();
    const record = this.#buckets.get(input.Bucket ?? "");
    // A HEAD response has no body: the SDK sees nothing but the status code.
    if (!record) throw modeledError(NotFound, "UnknownError", this.#ctx.ids, 404);
    if (!this.#ours(record, input.ExpectedBucketOwner)) throw this.#bodyless(403);
    if (record.region !== this.#ctx.region && !followsRedirects(request)) throw this.#bodyless(301);
    return { BucketRegion: record.region, AccessPointAlias: false };
  }

  createBucket(input: CreateBucketCommandInput): CreateBucketOutput {
    this.#ctx.clock.advance();
    const name = input.Bucket ?? "";
    if (bucketNameProblem(name)) {
      throw this.#error("InvalidBucketName", "The specified bucket is not valid.", 400, { BucketName: name });
    }
    const endpoint = this.#ctx.region;
    const requested = input.CreateBucketConfiguration?.LocationConstraint as string | undefined;
    const constraint = requested === "EU" ? "eu-west-1" : requested;
    if (
      constraint !== undefined &&
      (!REGION_NAME.test(constraint) || (constraint === "us-east-1" && endpoint === "us-east-1"))
    ) {
      throw this.#error("InvalidLocationConstraint", "The specified location-constraint is not valid", 400, {
        LocationConstraint: requested,
      });
    }
    const region = constraint ?? "us-east-1";
    if (region !== endpoint) {
      throw this.#error(
        "IllegalLocationConstraintException",
        `The ${requested ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        400,
      );
    }
    const location = region === "us-east-1" ? `/${name}` : `http://${name}.s3.amazonaws.com/`;
    const existing = this.#buckets.get(name);
    if (existing && existing.ownerAccount !== this.#ctx.accountId) {
      throw this.#modeled(
        BucketAlreadyExists,
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        409,
        { BucketName: name },
      );
    }
    if (existing) {
      // For legacy compatibility, us-east-1 answers 200 OK when you re-create a bucket you own there.
      if (existing.region === "us-east-1" && region === "us-east-1") return { Location: location };
      throw this.#modeled(
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
  deleteBucket(input: DeleteBucketCommandInput, request: SimRequest = {}): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (this.#objects.count(record.name) > 0) {
      throw this.#error("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, {
        BucketName: record.name,
      });
    }
    this.#buckets.delete(record.name);
    this.#objects.dropBucket(record.name);
    return {};
  }

  /** Replaces the bucket's tag set (at most 50 tags, distinct keys, none starting with "aws:"). */
  putBucketTagging(input: PutBucketTaggingCommandInput, request: SimRequest = {}): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const tags = input.Tagging?.TagSet;
    if (!tags) throw this.#malformedXml();
    const keys = tags.map((tag) => tag.Key ?? "");
    if (new Set(keys).size !== keys.length) {
      throw this.#error("InvalidTag", "Cannot provide multiple Tags with the same key", 400);
    }
    if (keys.some((key) => key.toLowerCase().startsWith("aws:"))) {
      throw this.#error("InvalidTag", "System tags cannot be added/updated by requester", 400);
    }
    if (tags.length > 50) {
      throw this.#error("BadRequest", "Bucket tag count cannot be greater than 50", 400);
    }
    record.tags = tags.map((tag) => ({ Key: tag.Key, Value: tag.Value ?? "" }));
    return {};
  }

  /** The tag set; NoSuchTagSet (404) for a bucket without tags. */
  getBucketTagging(input: GetBucketTaggingCommandInput, request: SimRequest = {}): GetBucketTaggingOutput {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (!record.tags || record.tags.length === 0) {
      throw this.#error("NoSuchTagSet", "The TagSet does not exist", 404, { BucketName: record.name });
    }
    return { TagSet: clone(record.tags) };
  }

  deleteBucketTagging(
    input: DeleteBucketTaggingCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    record.tags = undefined;
    return {};
  }

  /** Stores the key and the body's size (the body itself is not kept); see s3-objects.ts. */
  putObject(input: PutObjectCommandInput, request: SimRequest = {}): PutObjectOutput {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const object = this.#objects.putObject(input);
    const algorithm = record.encryption?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    return compact({ ETag: object.etag, ServerSideEncryption: algorithm });
  }

  listObjectsV2(input: ListObjectsV2CommandInput, request: SimRequest = {}): ListObjectsV2Output {
    this.#ctx.clock.advance();
    this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    return this.#objects.listObjectsV2(input);
  }

  /** One version ("null") per object: the buckets are unversioned. */
  listObjectVersions(
    input: ListObjectVersionsCommandInput,
    request: SimRequest = {},
  ): ListObjectVersionsOutput {
    this.#ctx.clock.advance();
    this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    return this.#objects.listObjectVersions(input);
  }

  /** Up to 1000 keys (MalformedXML beyond); see s3-objects.ts. */
  deleteObjects(input: DeleteObjectsCommandInput, request: SimRequest = {}): DeleteObjectsOutput {
    this.#ctx.clock.advance();
    this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    return this.#objects.deleteObjects(input);
  }

  putPublicAccessBlock(
    input: PutPublicAccessBlockCommandInput,
    request: SimRequest = {},
  ): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const configuration = input.PublicAccessBlockConfiguration;
    if (!configuration) throw this.#malformedXml();
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
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (!record.publicAccessBlock) {
      throw this.#error(
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
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    const rules = input.ServerSideEncryptionConfiguration?.Rules ?? [];
    const algorithms = ["AES256", "aws:kms", "aws:kms:dsse"];
    if (
      rules.length === 0 ||
      rules.some((rule) => !algorithms.includes(rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? ""))
    ) {
      throw this.#malformedXml();
    }
    record.encryption = clone({ Rules: rules });
    return {};
  }

  getBucketEncryption(
    input: GetBucketEncryptionCommandInput,
    request: SimRequest = {},
  ): GetBucketEncryptionOutput {
    this.#ctx.clock.advance();
    const record = this.#ownBucket(input.Bucket, input.ExpectedBucketOwner, request);
    if (!record.encryption) {
      throw this.#error(
        "ServerSideEncryptionConfigurationNotFoundError",
        "The server side encryption configuration was not found",
        404,
        { BucketName: record.name },
      );
    }
    return { ServerSideEncryptionConfiguration: clone(record.encryption) };
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
      throw this.#modeled(NoSuchBucket, "The specified bucket does not exist", 404, { BucketName: name });
    }
    if (!this.#ours(record, expectedOwner)) throw this.#error("AccessDenied", "Access Denied", 403);
    if (record.region !== this.#ctx.region && !followsRedirects(request)) {
      throw this.#error(
        "PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
        301,
        { Bucket: record.name, Endpoint: `${record.name}.s3.${record.region}.amazonaws.com` },
      );
    }
    return record;
  }

  #malformedXml(): Error {
    return this.#error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
      400,
    );
  }

  /** An error for a response without body (HEAD): the SDK names it "Unknown", its message is "UnknownError". */
  #bodyless(httpStatusCode: number): Error {
    return unmodeledError(S3ServiceException, {
      name: "Unknown",
      message: "UnknownError",
      httpStatusCode,
      ids: this.#ctx.ids,
    });
  }

  /** An unmodeled S3 error: the SDK copies the XML body's Code (and other members) onto the exception. */
  #error(code: string, message: string, httpStatusCode: number, extra: Record<string, unknown> = {}): Error {
    const error = unmodeledError(S3ServiceException, {
      name: code,
      message,
      httpStatusCode,
      ids: this.#ctx.ids,
    });
    return Object.assign(error, { Code: code, ...extra });
  }

  #modeled<E extends Error>(
    Exception: new (options: { message: string; $metadata: object }) => E,
    message: string,
    httpStatusCode: number,
    extra: Record<string, unknown> = {},
  ): E {
    const error = modeledError(Exception, message, this.#ctx.ids, httpStatusCode);
    return Object.assign(error, { Code: error.name, ...extra });
  }

  #faultError(kind: FaultKind, call: FaultedCall, principalArn: string): Error | undefined {
    const status = { throttling: 503, server: 500, unavailable: 503, "access-denied": 403 } as const;
    if (kind === "connection-reset" || kind === "timeout") return undefined;
    if (call.command === "HeadBucket") {
      const error = this.#bodyless(status[kind]);
      return kind === "throttling" ? Object.assign(error, { $retryable: { throttling: true } }) : error;
    }
    switch (kind) {
      case "throttling":
        return Object.assign(this.#error("SlowDown", "Please reduce your request rate.", 503), {
          $retryable: { throttling: true },
        });
      case "server":
        return this.#error("InternalError", "We encountered an internal error. Please try again.", 500);
      case "unavailable":
        return this.#error("ServiceUnavailable", "Service is unable to handle request.", 503);
      case "access-denied": {
        const denial = call.denial ?? {
          action: iamActions[call.command] ?? `s3:${call.command}`,
          resource: this.errorProfile.resourceArn(call.command, call.input),
        };
        return this.#error(
          "AccessDenied",
          accessDeniedMessage(principalArn, denial, { quoteResource: true }),
          403,
        );
      }
    }
  }
}

function followsRedirects(request: SimRequest): boolean {
  return request.clientConfig?.followRegionRedirects === true;
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

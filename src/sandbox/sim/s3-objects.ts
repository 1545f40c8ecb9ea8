/**
 * Objects in the simulated S3's buckets: PutObject (the key and the body's size; the body itself is not kept),
 * ListObjectsV2, ListObjectVersions and DeleteObjects. `S3Simulator` (s3.ts) owns one `S3Objects`, checks the
 * bucket (exists, ours, this region) and hands the call over.
 *
 * Buckets are unversioned: every object has one version, "null", and there are no delete markers. Keys are listed
 * in UTF-8 binary order, as S3 lists them; pages hold at most 1000 keys.
 */
import { createHash } from "node:crypto";
import type {
  _Error,
  _Object,
  CommonPrefix,
  DeletedObject,
  DeleteObjectsCommandInput,
  DeleteObjectsOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2Output,
  ListObjectVersionsCommandInput,
  ListObjectVersionsOutput,
  ObjectVersion,
  PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { compact, type SimContext } from "./core.js";

/** An object as tests inspect it (`sim.s3.objects(bucket)`). */
export interface S3ObjectView {
  key: string;
  size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"`. */
  etag: string;
  lastModified: Date;
}

/** What `S3Objects` needs of the S3 simulator: its error shape (the code, message, HTTP status). */
export type S3ErrorFactory = (code: string, message: string, httpStatusCode: number) => Error;

const MAX_KEYS = 1000;
const MALFORMED_XML =
  "The XML you provided was not well-formed or did not validate against our published schema";

/** One listing entry: an object, or a common prefix standing for every key under it. */
type Entry = { key: string; object: S3ObjectView } | { prefix: string; lastKey: string };

export class S3Objects {
  readonly #ctx: SimContext;
  readonly #error: S3ErrorFactory;
  /** Bucket name → key → object. */
  readonly #buckets = new Map<string, Map<string, S3ObjectView>>();

  constructor(context: SimContext, error: S3ErrorFactory) {
    this.#ctx = context;
    this.#error = error;
  }

  /** Stores an object (replacing one with that key); `body` gives the ETag when it is a string or bytes. */
  put(bucket: string, key: string, size: number, body?: unknown): S3ObjectView {
    const objects = this.#buckets.get(bucket) ?? new Map<string, S3ObjectView>();
    this.#buckets.set(bucket, objects);
    const bytes = typeof body === "string" || body instanceof Uint8Array ? body : `${bucket}/${key}:${size}`;
    const object: S3ObjectView = {
      key,
      size,
      etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
      lastModified: new Date(Math.floor(this.#ctx.clock.now() / 1000) * 1000),
    };
    objects.set(key, object);
    return { ...object };
  }

  /** The bucket's objects in key order. */
  list(bucket: string): S3ObjectView[] {
    return this.#sorted(bucket).map((object) => ({ ...object }));
  }

  count(bucket: string): number {
    return this.#buckets.get(bucket)?.size ?? 0;
  }

  /** Forgets a deleted bucket's objects. */
  dropBucket(bucket: string): void {
    this.#buckets.delete(bucket);
  }

  putObject(input: PutObjectCommandInput): S3ObjectView {
    const key = input.Key ?? "";
    if (key === "") throw this.#error("InvalidArgument", "A key must be specified", 400);
    return this.put(input.Bucket ?? "", key, bodySize(input.Body, input.ContentLength), input.Body);
  }

  /** ListObjectsV2: Prefix, Delimiter (CommonPrefixes count as keys), StartAfter, MaxKeys, ContinuationToken. */
  listObjectsV2(input: ListObjectsV2CommandInput): ListObjectsV2Output {
    const bucket = input.Bucket ?? "";
    const maxKeys = this.#maxKeys(input.MaxKeys);
    let after = input.StartAfter;
    if (input.ContinuationToken !== undefined) after = this.#decodeToken(input.ContinuationToken);
    const { entries, truncated } = this.#entries(bucket, input.Prefix, input.Delimiter, after, maxKeys);
    const last = entries.at(-1);
    const contents: _Object[] = [];
    const prefixes: CommonPrefix[] = [];
    for (const entry of entries) {
      if ("object" in entry) {
        const { object } = entry;
        contents.push({
          Key: object.key,
          LastModified: object.lastModified,
          ETag: object.etag,
          Size: object.size,
          StorageClass: "STANDARD",
        });
      } else {
        prefixes.push({ Prefix: entry.prefix });
      }
    }
    return compact({
      IsTruncated: truncated,
      Contents: contents.length > 0 ? contents : undefined,
      Name: bucket,
      Prefix: input.Prefix ?? "",
      Delimiter: input.Delimiter,
      MaxKeys: maxKeys,
      CommonPrefixes: prefixes.length > 0 ? prefixes : undefined,
      KeyCount: entries.length,
      ContinuationToken: input.ContinuationToken,
      NextContinuationToken: truncated && last ? encodeToken(lastKeyOf(last)) : undefined,
      StartAfter: input.StartAfter,
    } satisfies ListObjectsV2Output);
  }

  /**
   * ListObjectVersions of an unversioned bucket: one version "null" per object (IsLatest), no delete markers;
   * pages go on from KeyMarker (and VersionIdMarker "null": the version after it is the next key's).
   */
  listObjectVersions(input: ListObjectVersionsCommandInput): ListObjectVersionsOutput {
    const bucket = input.Bucket ?? "";
    const maxKeys = this.#maxKeys(input.MaxKeys);
    if (input.VersionIdMarker && !input.KeyMarker) {
      throw this.#error(
        "InvalidArgument",
        "A version-id marker cannot be specified without a key marker.",
        400,
      );
    }
    if (input.VersionIdMarker && input.VersionIdMarker !== "null") {
      throw this.#error("InvalidArgument", "Invalid version id specified", 400);
    }
    const after = input.KeyMarker || undefined;
    const { entries, truncated } = this.#entries(bucket, input.Prefix, input.Delimiter, after, maxKeys);
    const versions: ObjectVersion[] = [];
    const prefixes: CommonPrefix[] = [];
    for (const entry of entries) {
      if ("object" in entry) {
        const { object } = entry;
        versions.push({
          ETag: object.etag,
          Size: object.size,
          StorageClass: "STANDARD",
          Key: object.key,
          VersionId: "null",
          IsLatest: true,
          LastModified: object.lastModified,
        });
      } else {
        prefixes.push({ Prefix: entry.prefix });
      }
    }
    const last = entries.at(-1);
    return compact({
      IsTruncated: truncated,
      KeyMarker: input.KeyMarker ?? "",
      VersionIdMarker: input.VersionIdMarker ?? "",
      NextKeyMarker: truncated && last ? lastKeyOf(last) : undefined,
      NextVersionIdMarker: truncated && last && "object" in last ? "null" : undefined,
      Versions: versions.length > 0 ? versions : undefined,
      Name: bucket,
      Prefix: input.Prefix ?? "",
      Delimiter: input.Delimiter,
      MaxKeys: maxKeys,
      CommonPrefixes: prefixes.length > 0 ? prefixes : undefined,
    } satisfies ListObjectVersionsOutput);
  }

  /**
   * DeleteObjects: 1 to 1000 keys (else MalformedXML). A key that does not exist counts as deleted, as S3 answers;
   * a VersionId other than "null" is an error for that key (the bucket is unversioned). Quiet: errors only.
   */
  deleteObjects(input: DeleteObjectsCommandInput): DeleteObjectsOutput {
    const bucket = input.Bucket ?? "";
    const requested = input.Delete?.Objects ?? [];
    if (requested.length === 0 || requested.length > MAX_KEYS) {
      throw this.#error("MalformedXML", MALFORMED_XML, 400);
    }
    const objects = this.#buckets.get(bucket);
    const deleted: DeletedObject[] = [];
    const errors: _Error[] = [];
    for (const { Key: key = "", VersionId: versionId } of requested) {
      if (versionId !== undefined && versionId !== "null") {
        errors.push({
          Key: key,
          VersionId: versionId,
          Code: "NoSuchVersion",
          Message: "The specified version does not exist.",
        });
        continue;
      }
      objects?.delete(key);
      deleted.push(compact({ Key: key, VersionId: versionId }));
    }
    return compact({
      Deleted: input.Delete?.Quiet || deleted.length === 0 ? undefined : deleted,
      Errors: errors.length > 0 ? errors : undefined,
    });
  }

  // ===============================================================================================
  // Internals

  #sorted(bucket: string): S3ObjectView[] {
    return [...(this.#buckets.get(bucket)?.values() ?? [])].sort((a, b) =>
      Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)),
    );
  }

  /** Up to `maxKeys` entries after `after` (binary order), keys under a delimited prefix folded into one. */
  #entries(
    bucket: string,
    prefix = "",
    delimiter: string | undefined,
    after: string | undefined,
    maxKeys: number,
  ): { entries: Entry[]; truncated: boolean } {
    if (maxKeys === 0) return { entries: [], truncated: false };
    const afterBytes = after === undefined ? undefined : Buffer.from(after);
    const keys = this.#sorted(bucket).filter(
      (object) =>
        object.key.startsWith(prefix) &&
        (afterBytes === undefined || Buffer.compare(Buffer.from(object.key), afterBytes) > 0),
    );
    const entries: Entry[] = [];
    for (let index = 0; index < keys.length; index++) {
      const object = keys[index] as S3ObjectView;
      if (entries.length === maxKeys) return { entries, truncated: true };
      const cut = delimiter ? object.key.indexOf(delimiter, prefix.length) : -1;
      if (delimiter && cut !== -1) {
        const common = object.key.slice(0, cut + delimiter.length);
        let lastKey = object.key;
        while (keys[index + 1]?.key.startsWith(common)) lastKey = (keys[++index] as S3ObjectView).key;
        entries.push({ prefix: common, lastKey });
      } else {
        entries.push({ key: object.key, object });
      }
    }
    return { entries, truncated: false };
  }

  #maxKeys(maxKeys: number | undefined): number {
    if (maxKeys !== undefined && (!Number.isInteger(maxKeys) || maxKeys < 0)) {
      throw this.#error("InvalidArgument", "maxKeys should be non-negative", 400);
    }
    return Math.min(maxKeys ?? MAX_KEYS, MAX_KEYS);
  }

  #decodeToken(token: string): string {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
      const after = (parsed as { simulatedAfter?: unknown }).simulatedAfter;
      if (typeof after === "string") return after;
    } catch {
      // fall through
    }
    throw this.#error("InvalidArgument", "The continuation token provided is incorrect", 400);
  }
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ simulatedAfter: after })).toString("base64");
}

function lastKeyOf(entry: Entry): string {
  return "object" in entry ? entry.key : entry.lastKey;
}

/** The size of a PutObject body: a string's UTF-8 bytes, a buffer's length, a Blob's size, else ContentLength or 0. */
function bodySize(body: unknown, contentLength: number | undefined): number {
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  if (typeof Blob !== "undefined" && body instanceof Blob) return body.size;
  return contentLength ?? 0;
}

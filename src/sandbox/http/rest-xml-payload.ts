/**
 * An S3 request's body as the operation sees it: aws-chunked uploads decoded (the SDK sends a stream body that
 * way, with its checksum in a trailer), and the body checked against the Content-MD5 and x-amz-checksum-* it
 * came with. Operations whose model sets `requestChecksumRequired` (DeleteObjects, the PutBucket* and Put*Acl
 * family…) need one of them.
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { WireRequestError } from "./protocol.js";

/** The request's headers, names lowercased, one string a header. */
export type HeaderMap = Record<string, string>;

/**
 * The S3 model's operations with `httpChecksum.requestChecksumRequired` (the SDK adds a checksum to them
 * whatever its configuration): the static schemas keep only that there is an httpChecksum trait.
 */
const CHECKSUM_REQUIRED = new Set([
  "CreateBucketMetadataConfiguration",
  "CreateBucketMetadataTableConfiguration",
  "DeleteObjects",
  "PutBucketAcl",
  "PutBucketCors",
  "PutBucketEncryption",
  "PutBucketLifecycleConfiguration",
  "PutBucketLogging",
  "PutBucketOwnershipControls",
  "PutBucketPolicy",
  "PutBucketReplication",
  "PutBucketRequestPayment",
  "PutBucketTagging",
  "PutBucketVersioning",
  "PutBucketWebsite",
  "PutObjectAcl",
  "PutObjectLegalHold",
  "PutObjectLockConfiguration",
  "PutObjectRetention",
  "PutObjectTagging",
  "PutPublicAccessBlock",
  "UpdateBucketMetadataAnnotationTableConfiguration",
  "UpdateBucketMetadataInventoryTableConfiguration",
  "UpdateBucketMetadataJournalTableConfiguration",
  "UpdateObjectEncryption",
]);

/**
 * The digests S3 checks here, and the name its BadDigest message gives each ("The CRC32 you specified…", "The
 * sha256 you specified…"); CRC32C and CRC64NVME are accepted unchecked (Node has neither).
 */
const DIGESTS: Record<string, { label: string; digest: (body: Buffer) => string }> = {
  crc32: {
    label: "CRC32",
    digest: (body) => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(crc32(body));
      return bytes.toString("base64");
    },
  },
  sha1: { label: "sha1", digest: (body) => createHash("sha1").update(body).digest("base64") },
  sha256: { label: "sha256", digest: (body) => createHash("sha256").update(body).digest("base64") },
};

/** One string a header, names lowercased (Node already lowercases them; repeated ones are joined). */
export function headerMap(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * The body with aws-chunked framing removed; its trailers join the headers, and the headers then describe the
 * decoded body (Content-Length from x-amz-decoded-content-length, Content-Encoding without aws-chunked), as S3
 * stores it.
 */
export function decodeBody(
  body: Buffer,
  headers: HeaderMap,
  operation: string,
): { body: Buffer; headers: HeaderMap } {
  const encodings = (headers["content-encoding"] ?? "").split(",").map((token) => token.trim());
  const chunked =
    encodings.includes("aws-chunked") || (headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-");
  if (!chunked) return { body, headers };
  const { payload, trailers } = decodeChunks(body, operation);
  const decoded: HeaderMap = { ...headers, ...trailers, "content-length": String(payload.length) };
  const others = encodings.filter((token) => token !== "aws-chunked" && token !== "");
  if (others.length > 0) decoded["content-encoding"] = others.join(", ");
  else delete decoded["content-encoding"];
  return { body: payload, headers: decoded };
}

function decodeChunks(body: Buffer, operation: string): { payload: Buffer; trailers: HeaderMap } {
  const chunks: Buffer[] = [];
  const trailers: HeaderMap = {};
  const malformed = () =>
    new WireRequestError({
      name: "IncompleteBody",
      message: "The request body terminated unexpectedly",
      operation,
    });
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd === -1) throw malformed();
    // "<hex size>" or "<hex size>;chunk-signature=<signature>" for signed chunks.
    const size = Number.parseInt(body.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (Number.isNaN(size) || size < 0) throw malformed();
    at = lineEnd + 2;
    if (size === 0) break;
    if (at + size + 2 > body.length) throw malformed();
    chunks.push(body.subarray(at, at + size));
    at += size + 2;
  }
  // Trailers ("name:value" lines) end with an empty line; without a checksum the SDK sends none, nor the line.
  for (const line of body.subarray(at).toString("utf8").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}

/** Refuses the request, as S3 does, when its body does not match its digests or a required one is missing. */
export function checkIntegrity(body: Buffer, headers: HeaderMap, operation: string): void {
  const refuse = (name: string, message: string, members?: Record<string, unknown>) =>
    new WireRequestError({ name, message, operation, ...(members ? { members } : {}) });
  const md5 = headers["content-md5"];
  const calculated = createHash("md5").update(body).digest("base64");
  if (md5 !== undefined && calculated !== md5) {
    throw refuse("BadDigest", "The Content-MD5 you specified did not match what we received.", {
      ExpectedDigest: Buffer.from(md5, "base64").toString("hex"),
      CalculatedDigest: calculated,
    });
  }
  const checksums = Object.keys(headers).filter(
    (name) => name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-type",
  );
  for (const name of checksums) {
    const checked = DIGESTS[name.slice("x-amz-checksum-".length)];
    if (checked && checked.digest(body) !== headers[name]) {
      throw refuse("BadDigest", `The ${checked.label} you specified did not match the calculated checksum.`);
    }
  }
  if (
    headers["x-amz-sdk-checksum-algorithm"] !== undefined &&
    checksums.length === 0 &&
    !headers["x-amz-trailer"]
  ) {
    throw refuse(
      "InvalidRequest",
      "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.",
    );
  }
  if (CHECKSUM_REQUIRED.has(operation) && md5 === undefined && checksums.length === 0) {
    throw refuse("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
}

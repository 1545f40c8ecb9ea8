/**
 * Buckets of the simulated S3 as records, what S3 applies to new ones, its bucket-naming rules, and how a call
 * reaches a bucket in another region.
 */
import type {
  PublicAccessBlockConfiguration,
  ServerSideEncryptionConfiguration,
  Tag,
} from "@aws-sdk/client-s3";
import type { SimRequest } from "./core.js";

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

export const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

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

export interface BucketRecord {
  name: string;
  ownerAccount: string;
  region: string;
  creationDate: Date;
  publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  encryption: ServerSideEncryptionConfiguration | undefined;
  /** The bucket's tag set; undefined when it has none (GetBucketTagging: NoSuchTagSet). */
  tags: Tag[] | undefined;
}

/** Whether the client follows S3's 301 to the bucket's region (then the call succeeds as if sent there). */
export function followsRedirects(request: SimRequest): boolean {
  return request.clientConfig?.followRegionRedirects === true;
}

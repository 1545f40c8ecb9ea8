/**
 * What IAM requires for each simulated S3 command. S3's actions are not all named like its operations. Sources:
 * Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3" (bucket and object
 * resources, `arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/key`, no region or account); the S3 API Reference's
 * "Permissions" sections (in the `@aws-sdk/client-s3` model documentation): HeadBucket and ListObjectsV2 need
 * s3:ListBucket, ListObjectVersions s3:ListBucketVersions, DeleteBucketTagging s3:PutBucketTagging,
 * PutPublicAccessBlock s3:PutBucketPublicAccessBlock, PutBucketEncryption s3:PutEncryptionConfiguration, DeleteObjects
 * s3:DeleteObject for each key (s3:DeleteObjectVersion with a version id), CreateBucket with an ACL
 * s3:PutBucketAcl, with ObjectOwnership s3:PutBucketOwnershipControls, with Object Lock
 * s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning; PutObject with an ACL s3:PutObjectAcl, with
 * Tagging s3:PutObjectTagging.
 */
import type { CreateBucketCommandInput, PutObjectCommandInput } from "@aws-sdk/client-s3";
import type { AuthorizationTable, ConditionContext, Requirement } from "./authorization.js";
import type { S3Inputs } from "./s3.js";

export const s3Authorization: AuthorizationTable<S3Inputs> = {
  HeadBucket: (input) => [onBucket("s3:ListBucket", input.Bucket)],
  CreateBucket: (input) => createBucket(input),
  PutPublicAccessBlock: (input) => [onBucket("s3:PutBucketPublicAccessBlock", input.Bucket)],
  GetPublicAccessBlock: (input) => [onBucket("s3:GetBucketPublicAccessBlock", input.Bucket)],
  PutBucketEncryption: (input) => [onBucket("s3:PutEncryptionConfiguration", input.Bucket)],
  GetBucketEncryption: (input) => [onBucket("s3:GetEncryptionConfiguration", input.Bucket)],
  DeleteBucket: (input) => [onBucket("s3:DeleteBucket", input.Bucket)],
  PutBucketTagging: (input) => [onBucket("s3:PutBucketTagging", input.Bucket)],
  GetBucketTagging: (input) => [onBucket("s3:GetBucketTagging", input.Bucket)],
  DeleteBucketTagging: (input) => [onBucket("s3:PutBucketTagging", input.Bucket)],
  PutObject: (input) => putObject(input),
  ListObjectsV2: (input) => [onBucket("s3:ListBucket", input.Bucket, listKeys(input.Prefix, input.MaxKeys))],
  ListObjectVersions: (input) => [
    onBucket("s3:ListBucketVersions", input.Bucket, listKeys(input.Prefix, input.MaxKeys)),
  ],
  DeleteObjects: (input) =>
    (input.Delete?.Objects ?? []).map((object) =>
      object.VersionId !== undefined
        ? {
            action: "s3:DeleteObjectVersion",
            resource: objectArn(input.Bucket, object.Key),
            context: { "s3:versionid": object.VersionId },
          }
        : { action: "s3:DeleteObject", resource: objectArn(input.Bucket, object.Key) },
    ),
};

function createBucket(input: CreateBucketCommandInput): Requirement[] {
  const acl = [input.ACL, input.GrantFullControl, input.GrantRead, input.GrantReadACP, input.GrantWrite];
  const location = input.CreateBucketConfiguration?.LocationConstraint;
  return [
    onBucket("s3:CreateBucket", input.Bucket, location ? { "s3:locationconstraint": location } : undefined),
    ...(acl.some((value) => value !== undefined) || input.GrantWriteACP !== undefined
      ? [onBucket("s3:PutBucketAcl", input.Bucket)]
      : []),
    ...(input.ObjectOwnership !== undefined ? [onBucket("s3:PutBucketOwnershipControls", input.Bucket)] : []),
    ...(input.ObjectLockEnabledForBucket
      ? [
          onBucket("s3:PutBucketObjectLockConfiguration", input.Bucket),
          onBucket("s3:PutBucketVersioning", input.Bucket),
        ]
      : []),
  ];
}

function putObject(input: PutObjectCommandInput): Requirement[] {
  const resource = objectArn(input.Bucket, input.Key);
  const acl = [input.ACL, input.GrantFullControl, input.GrantRead, input.GrantReadACP, input.GrantWriteACP];
  return [
    { action: "s3:PutObject", resource },
    ...(acl.some((value) => value !== undefined) ? [{ action: "s3:PutObjectAcl", resource }] : []),
    ...(input.Tagging ? [{ action: "s3:PutObjectTagging", resource }] : []),
  ];
}

function onBucket(action: string, bucket: string | undefined, context?: ConditionContext): Requirement {
  const resource = `arn:aws:s3:::${bucket ?? ""}`;
  return context ? { action, resource, context } : { action, resource };
}

function objectArn(bucket: string | undefined, key: string | undefined): string {
  return `arn:aws:s3:::${bucket ?? ""}/${key ?? ""}`;
}

/** The listing's condition keys s3:prefix and s3:max-keys, when given. */
function listKeys(prefix: string | undefined, maxKeys: number | undefined): ConditionContext | undefined {
  const keys: Record<string, string> = {};
  if (prefix !== undefined) keys["s3:prefix"] = prefix;
  if (maxKeys !== undefined) keys["s3:max-keys"] = String(maxKeys);
  return Object.keys(keys).length > 0 ? keys : undefined;
}

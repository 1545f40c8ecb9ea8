import { allow, arns } from "./permissions.js";

/** What IAM must allow for each S3 call (Service Authorization Reference, Amazon S3). */
export const S3_PERMISSIONS = {
  inspectBucket: [allow("s3:ListBucket", arns.s3Bucket)],
  createBucket: [allow("s3:CreateBucket", arns.s3Bucket)],
  blockPublicAccess: [allow("s3:PutBucketPublicAccessBlock", arns.s3Bucket)],
  enableDefaultEncryption: [allow("s3:PutEncryptionConfiguration", arns.s3Bucket)],
  tagBucket: [allow("s3:PutBucketTagging", arns.s3Bucket)],
  bucketTags: [allow("s3:GetBucketTagging", arns.s3Bucket)],
  countObjects: [allow("s3:ListBucketVersions", arns.s3Bucket)],
  emptyBucket: [
    allow("s3:ListBucketVersions", arns.s3Bucket),
    // Every key is deleted by its version (ListObjectVersions gives them), which S3 authorizes as
    // s3:DeleteObjectVersion alone.
    allow("s3:DeleteObjectVersion", arns.s3Objects),
  ],
  deleteBucket: [allow("s3:DeleteBucket", arns.s3Bucket)],
} as const;

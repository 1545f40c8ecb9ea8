import { awsErrorName } from "../../aws/errors.js";
import { McctlError } from "../../errors.js";
import type { SetupAws } from "../../plan/setup/types.js";
import type { ApplyIo } from "./types.js";

/**
 * Creates the planned bucket: in the deployment's region, public access blocked, default encryption,
 * tagged managed-by=mcctl.
 * A bucket this account already owns (an earlier attempt whose answer was lost) is finished, not an error.
 */
export async function createBucket(io: ApplyIo, aws: SetupAws, bucket: string): Promise<void> {
  try {
    await aws.s3.createBucket(bucket, io.region);
  } catch (error) {
    const code = awsErrorName(error instanceof McctlError ? error.cause : error);
    if (code === "BucketAlreadyExists") {
      throw new McctlError(`S3 bucket ${bucket} was taken by another AWS account since the plan was made`, {
        suggestion: "Set MC_S3_BUCKET to another name and run `mcctl setup` again.",
        cause: error,
      });
    }
    if (code !== "BucketAlreadyOwnedByYou") throw error;
  }
  await aws.s3.blockPublicAccess(bucket);
  await aws.s3.enableDefaultEncryption(bucket);
  // The tag is how `mcctl destroy --delete-bucket` knows mcctl made the bucket.
  await aws.s3.tagBucket(bucket, io.tags);
  io.reporter.success(
    `Created S3 bucket ${bucket} in ${io.region} (public access blocked, default encryption, tagged)`,
  );
}

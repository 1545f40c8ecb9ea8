import { awsErrorName } from "../../aws/errors.js";
import { validateS3BucketName } from "../../domain/environment.js";
import { McctlError, UsageError } from "../../errors.js";
import { answerText } from "./answers.js";
import type { SetupAws, SetupIo } from "./types.js";

export interface BucketResult {
  bucket: string;
  /** Where the bucket is: MC_S3_REGION. Usually io.region; another one for a bucket made elsewhere. */
  region: string;
  /** Created by this run (false for an existing bucket, and in a dry run). */
  created: boolean;
}

const STEP = "S3 bucket";

export function defaultBucketName(accountId: string): string {
  return `model-catalogue-assets-${accountId}`;
}

/**
 * Step 1: the S3 bucket for uploaded assets. Uses the bucket when it exists and is ours (changing
 * nothing on it), creates it when the name is free (in io.region, public access blocked, default
 * encryption), and asks for another name — or fails without a terminal — when another account owns it.
 * One plan line says what would be done (dry run), or what was done or found.
 */
export async function ensureBucket(io: SetupIo, aws: SetupAws): Promise<BucketResult> {
  /** Names found to belong to other accounts in this run: never offered or accepted again. */
  const taken = new Set<string>();
  let known = io.settings().setup?.bucket;
  for (;;) {
    const bucket = await askBucketName(io, known, taken);
    known = undefined;
    const ownership = await aws.s3.inspectBucket(bucket);
    if (ownership.state === "foreign") {
      refuseForeign(io, bucket, taken);
      continue;
    }
    await io.remember({ setup: { bucket } });
    if (ownership.state === "ours") return useExisting(io, bucket, ownership.region ?? io.region);
    const result = await createBucket(io, aws, bucket);
    if (result) return result;
    // Another account took the name between HeadBucket and CreateBucket.
    refuseForeign(io, bucket, taken);
  }
}

async function askBucketName(io: SetupIo, known: string | undefined, taken: ReadonlySet<string>) {
  if (known !== undefined) {
    const problem = validateS3BucketName(known);
    if (problem === undefined) return known;
    if (!io.interactive) {
      throw new UsageError(`setup.bucket in the settings file: ${problem}`, {
        suggestion: "Correct setup.bucket in mcctl.json (lowercase letters, digits, dots and hyphens).",
      });
    }
    io.output.warn(`setup.bucket in the settings file: ${problem}`);
  }
  const fallback = defaultBucketName(io.accountId);
  const names = [...taken];
  return answerText(io, {
    name: "setup.bucket",
    message:
      names.length === 0
        ? "S3 bucket for Model Catalogue assets"
        : `Another name for the S3 bucket (${names.join(", ")} ${names.length === 1 ? "belongs" : "belong"} to another AWS account)`,
    defaultValue: taken.has(fallback) ? undefined : fallback,
    validate: (value) =>
      taken.has(value) ? `bucket ${value} belongs to another AWS account` : validateS3BucketName(value),
  });
}

/** Says the name is taken: a warning on a terminal (the caller asks again), an error otherwise. */
function refuseForeign(io: SetupIo, bucket: string, taken: Set<string>): void {
  taken.add(bucket);
  if (!io.interactive) {
    throw new McctlError(`S3 bucket ${bucket} belongs to another AWS account`, {
      suggestion:
        "Bucket names are shared by all AWS accounts: set setup.bucket in mcctl.json to another name and run again " +
        "(if the bucket is yours, your credentials lack s3:ListBucket on it).",
    });
  }
  io.output.warn(
    `S3 bucket ${bucket} belongs to another AWS account (bucket names are shared by all accounts): choose another name.`,
  );
}

function useExisting(io: SetupIo, bucket: string, region: string): BucketResult {
  io.plan({ step: STEP, state: "exists", detail: `${bucket} in ${region}: exists, used as it is` });
  if (region !== io.region) {
    io.output.hint(`It is in ${region}, not ${io.region}: MC_S3_REGION will be ${region}.`);
  }
  return { bucket, region, created: false };
}

/** Creates the bucket; undefined when another account owns the name after all. */
async function createBucket(io: SetupIo, aws: SetupAws, bucket: string): Promise<BucketResult | undefined> {
  const detail = `${bucket} in ${io.region} (public access blocked, default encryption SSE-S3)`;
  if (io.dryRun) {
    io.plan({ step: STEP, state: "create", detail: `${detail}: would be created` });
    return { bucket, region: io.region, created: false };
  }
  try {
    await aws.s3.createBucket(bucket, io.region);
  } catch (error) {
    const code = awsErrorName(error instanceof McctlError ? error.cause : error);
    if (code === "BucketAlreadyExists") return undefined;
    // An earlier attempt created it (its answer was lost): ours, so finish the job.
    if (code !== "BucketAlreadyOwnedByYou") throw error;
  }
  await aws.s3.blockPublicAccess(bucket);
  await aws.s3.enableDefaultEncryption(bucket);
  io.plan({ step: STEP, state: "create", detail: `${detail}: created` });
  return { bucket, region: io.region, created: true };
}

import { deploymentBucket } from "../../config/deployment.js";
import { validateS3BucketName } from "../../domain/environment.js";
import { McctlError, UsageError } from "../../errors.js";
import { answerText } from "./answers.js";
import type { PlanIo, PlanLine, SetupAws } from "./types.js";

export interface BucketPlan {
  name: string;
  /** Where the bucket is (MC_S3_REGION): usually the deployment's region; another for a bucket made elsewhere. */
  region: string;
  action: "use" | "create";
  line: PlanLine;
}

const STEP = "S3 bucket";

export function defaultBucketName(accountId: string): string {
  return `model-catalogue-assets-${accountId}`;
}

/**
 * Step 1: the S3 bucket for uploaded assets, named as MC_S3_BUCKET says (environment, then mcctl.json),
 * else asked (default model-catalogue-assets-ACCOUNT). Ours: used as it is. Free: created in apply
 * (public access blocked, default encryption). Another account's: asked again, or an error.
 */
export async function planBucket(io: PlanIo, aws: SetupAws): Promise<BucketPlan> {
  /** Names found to belong to other accounts in this run: never offered or accepted again. */
  const taken = new Set<string>();
  let known = deploymentBucket(io.settings, io.env);
  for (;;) {
    const name = await askBucketName(io, known, taken);
    known = undefined;
    const ownership = await aws.s3.inspectBucket(name);
    if (ownership.state === "foreign") {
      refuseForeign(io, name, taken);
      continue;
    }
    if (ownership.state === "ours") {
      const region = ownership.region ?? io.region;
      if (region !== io.region)
        io.info(`S3 bucket ${name} is in ${region}, not ${io.region}: MC_S3_REGION will be ${region}.`);
      return {
        name,
        region,
        action: "use",
        line: { step: STEP, state: "exists", detail: `${name} in ${region}: exists, used as it is` },
      };
    }
    return {
      name,
      region: io.region,
      action: "create",
      line: {
        step: STEP,
        state: "create",
        detail: `${name} in ${io.region} (public access blocked, default encryption SSE-S3)`,
      },
    };
  }
}

/** MC_S3_BUCKET as the operator gave it: the environment, then mcctl.json (older files: setup.bucket). */
async function askBucketName(
  io: PlanIo,
  known: { name: string; source: string } | undefined,
  taken: ReadonlySet<string>,
): Promise<string> {
  if (known !== undefined) {
    const problem = validateS3BucketName(known.name);
    if (problem === undefined) return known.name;
    if (!io.interactive) {
      throw new UsageError(`${known.source}: ${problem}`, {
        suggestion: "Use lowercase letters, digits, dots and hyphens (3 to 63 characters).",
      });
    }
    io.warn(`${known.source}: ${problem}`);
  }
  const fallback = defaultBucketName(io.accountId);
  const names = [...taken];
  return answerText(io, {
    name: "MC_S3_BUCKET",
    message:
      names.length === 0
        ? "S3 bucket for Model Catalogue assets (MC_S3_BUCKET)"
        : `Another name for the S3 bucket (${names.join(", ")} ${names.length === 1 ? "belongs" : "belong"} to another AWS account)`,
    defaultValue: taken.has(fallback) ? undefined : fallback,
    validate: (value) =>
      taken.has(value) ? `bucket ${value} belongs to another AWS account` : validateS3BucketName(value),
  });
}

/** Says the name is taken: a warning on a terminal (the caller asks again), an error otherwise. */
function refuseForeign(io: PlanIo, bucket: string, taken: Set<string>): void {
  taken.add(bucket);
  if (!io.interactive) {
    throw new McctlError(`S3 bucket ${bucket} belongs to another AWS account`, {
      suggestion:
        "Bucket names are shared by all AWS accounts: set MC_S3_BUCKET (environment or mcctl.json) to another name and run again " +
        "(if the bucket is yours, your credentials lack s3:ListBucket on it).",
    });
  }
  io.warn(
    `S3 bucket ${bucket} belongs to another AWS account (bucket names are shared by all accounts): choose another name.`,
  );
}

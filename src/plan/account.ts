import type { AwsClients } from "../aws/clients.js";
import { MISSING_REGION, MissingInputError } from "../errors.js";

/** Where a change would land: shown at the top of every plan, before anything is asked to be confirmed. */
export interface Target {
  account: string;
  /** The caller: an IAM user or an assumed role. */
  arn: string;
  region: string;
}

/** The account and caller (STS GetCallerIdentity) and the region the clients use. */
export async function lookUpTarget(aws: AwsClients): Promise<Target> {
  const sts = await aws.sts();
  const identity = await sts.callerIdentity();
  const region = aws.config.region ?? (await sts.region());
  if (!region) {
    throw new MissingInputError(
      [MISSING_REGION],
      'Pass --region, set AWS_REGION, or add "region" to mcctl.json.',
    );
  }
  return { account: identity.account, arn: identity.arn, region };
}

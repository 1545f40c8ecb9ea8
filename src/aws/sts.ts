import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsConfig } from "./config.js";
import { awsCaller } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { STS_PERMISSIONS } from "./sts-permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of StsApi without a declaration. */
const DECLARED: PermissionTable<StsApi> = STS_PERMISSIONS;

export interface CallerIdentity {
  account: string;
  arn: string;
}

export interface StsApi {
  callerIdentity(): Promise<CallerIdentity>;
  /** The region the SDK resolved (a flag, the environment, mcctl.json, or the profile's config). */
  region(): Promise<string | undefined>;
}

export function createStsApi(config: AwsConfig, limits: AwsLimits = {}): StsApi {
  const client = new STSClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  return {
    callerIdentity: () =>
      call({ declared: DECLARED.callerIdentity }, async () => {
        const output = await client.send(new GetCallerIdentityCommand({}));
        return { account: output.Account ?? "(unknown)", arn: output.Arn ?? "(unknown)" };
      }),
    region: async () => {
      try {
        return await client.config.region();
      } catch {
        return undefined;
      }
    },
  };
}

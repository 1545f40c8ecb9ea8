import { GetInstanceProfileCommand, IAMClient } from "@aws-sdk/client-iam";
import type { AwsConfig } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import { applyLimits, clientOptions } from "./transport.js";

export interface IamApi {
  instanceProfileExists(name: string): Promise<boolean>;
  /**
   * The names of the roles the instance profile holds (at most one): [] when it holds none, undefined when
   * there is no such profile. An instance launched with a profile without a role gets no credentials.
   */
  instanceProfileRoles(name: string): Promise<string[] | undefined>;
}

export function createIamApi(config: AwsConfig, limits: AwsLimits = {}): IamApi {
  const client = new IAMClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  const roles = (name: string) =>
    call({ action: "iam:GetInstanceProfile" }, async () => {
      try {
        const output = await client.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
        return (output.InstanceProfile?.Roles ?? []).flatMap((role) =>
          role.RoleName ? [role.RoleName] : [],
        );
      } catch (error) {
        if (awsErrorName(error)?.startsWith("NoSuchEntity")) return undefined;
        throw error;
      }
    });
  return {
    instanceProfileExists: async (name) => (await roles(name)) !== undefined,
    instanceProfileRoles: roles,
  };
}

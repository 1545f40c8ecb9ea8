import { GetInstanceProfileCommand, IAMClient } from "@aws-sdk/client-iam";
import { type AwsConfig, sdkClientOptions } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";

export interface IamApi {
  instanceProfileExists(name: string): Promise<boolean>;
}

export function createIamApi(config: AwsConfig): IamApi {
  const client = new IAMClient(sdkClientOptions(config));
  const call = awsCaller(config.region);
  return {
    instanceProfileExists: (name) =>
      call({ action: "iam:GetInstanceProfile" }, async () => {
        try {
          await client.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
          return true;
        } catch (error) {
          if (awsErrorName(error)?.startsWith("NoSuchEntity")) return false;
          throw error;
        }
      }),
  };
}

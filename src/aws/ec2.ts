import { DescribeInstancesCommand, EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { type AwsConfig, sdkClientOptions } from "./config.js";
import { translateAwsError } from "./errors.js";

/** The part of EC2 that mcctl uses. */
export interface Ec2Api {
  describeInstances(instanceIds: readonly string[]): Promise<Instance[]>;
}

export function createEc2Api(config: AwsConfig): Ec2Api {
  const client = new EC2Client(sdkClientOptions(config));
  return {
    describeInstances: async (instanceIds) => {
      if (instanceIds.length === 0) return [];
      try {
        const instances: Instance[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new DescribeInstancesCommand({ InstanceIds: [...instanceIds], NextToken: nextToken }),
          );
          for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
          nextToken = page.NextToken;
        } while (nextToken);
        return instances;
      } catch (error) {
        throw translateAwsError(error, { action: "ec2:DescribeInstances", region: config.region });
      }
    },
  };
}

import { DescribeInstancesCommand, EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { type AwsConfig, sdkClientOptions } from "./config.js";
import { translateAwsError } from "./errors.js";

/** The part of EC2 that mcctl uses. */
export interface Ec2Api {
  /**
   * The instances with these ids. Ids EC2 does not know (any more: terminated instances disappear after
   * about an hour) are left out, where EC2 itself would fail the whole call.
   */
  describeInstances(instanceIds: readonly string[]): Promise<Instance[]>;
}

const NOT_FOUND = "InvalidInstanceID.NotFound";

export function createEc2Api(config: AwsConfig): Ec2Api {
  const client = new EC2Client(sdkClientOptions(config));

  const describe = async (instanceIds: readonly string[]) => {
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
  };

  return {
    describeInstances: async (instanceIds) => {
      const ids = [...new Set(instanceIds)];
      if (ids.length === 0) return [];
      try {
        try {
          return await describe(ids);
        } catch (error) {
          // EC2 names every unknown id in one error: ask again for the others.
          const missing = missingIds(error);
          if (missing.length === 0) throw error;
          const known = ids.filter((id) => !missing.includes(id));
          return known.length === 0 ? [] : await describe(known);
        }
      } catch (error) {
        throw translateAwsError(error, { action: "ec2:DescribeInstances", region: config.region });
      }
    },
  };
}

/** "The instance IDs 'i-1, i-2' do not exist" → ["i-1", "i-2"]; [] for any other error. */
function missingIds(error: unknown): string[] {
  if (!(error instanceof Error) || error.name !== NOT_FOUND) return [];
  return error.message.match(/i-[0-9a-f]+/g) ?? [];
}

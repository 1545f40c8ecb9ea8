/** Where a service runs: the hosts an upgrade pulls a floating tag on over ssh (src/operations/pull-images.ts). */
import type { Ec2Api } from "../aws/ec2.js";
import type { EcsApi } from "../aws/ecs.js";
import { McctlError } from "../errors.js";

export interface ServiceHost {
  containerInstanceArn: string;
  ec2InstanceId: string;
  /** What ssh connects to: the public DNS name (or public IP), or the private IP with --ssh-private-ip. */
  host: string;
  /** The EC2 key pair the instance was launched with; none means no key of yours is on it. */
  keyName?: string | undefined;
  /** The instance's security groups, which decide whether port 22 is open at all. */
  securityGroupIds: string[];
}

export interface FindServiceHostsOptions {
  /** Connect to the private IP addresses (from inside the VPC or through a bastion). */
  usePrivateIp?: boolean;
}

/**
 * The hosts that run the service's tasks: task → container instance → EC2 instance → address, each host
 * once. Empty when no task of the service is running (the caller decides what that means).
 */
export async function findServiceHosts(
  ecs: EcsApi,
  ec2: Ec2Api,
  cluster: string,
  service: string,
  options: FindServiceHostsOptions = {},
): Promise<ServiceHost[]> {
  const taskArns = await ecs.listServiceTasks(cluster, service, "RUNNING");
  if (taskArns.length === 0) return [];
  const tasks = await ecs.describeTasks(cluster, taskArns);
  const containerInstanceArns = unique(tasks.map((task) => task.containerInstanceArn));
  if (containerInstanceArns.length === 0) return [];
  const containerInstances = await ecs.describeContainerInstances(cluster, containerInstanceArns);
  const ec2Ids = unique(containerInstances.map((instance) => instance.ec2InstanceId));
  const ec2Instances = new Map(
    (await ec2.describeInstances(ec2Ids)).map((instance) => [instance.InstanceId, instance]),
  );

  const hosts: ServiceHost[] = [];
  for (const containerInstance of containerInstances) {
    const containerInstanceArn = containerInstance.containerInstanceArn ?? "";
    const ec2InstanceId = containerInstance.ec2InstanceId;
    const name = `container instance ${containerInstanceArn.split("/").pop()}`;
    if (!ec2InstanceId) throw new McctlError(`${name} has no EC2 instance id`);
    const instance = ec2Instances.get(ec2InstanceId);
    if (!instance) {
      throw new McctlError(`EC2 instance ${ec2InstanceId} (${name}) was not found`, {
        suggestion: "It may have been terminated: check `mcctl status` and the EC2 console.",
      });
    }
    const state = instance.State?.Name ?? "unknown";
    let host: string | undefined;
    if (options.usePrivateIp) {
      host = instance.PrivateIpAddress;
      if (!host) throw new McctlError(`EC2 instance ${ec2InstanceId} has no private IP address (${state})`);
    } else {
      // EC2 answers "" when there is none; a VPC without DNS hostnames still gives a public IP.
      host = instance.PublicDnsName || instance.PublicIpAddress;
      if (!host) {
        const privateIp = instance.PrivateIpAddress ? ` ${instance.PrivateIpAddress}` : "";
        throw new McctlError(`EC2 instance ${ec2InstanceId} has no public DNS name or public IP (${state})`, {
          suggestion: `Pass --ssh-private-ip to connect to its private IP${privateIp} (from inside the VPC, or through a bastion set up in ~/.ssh/config).`,
        });
      }
    }
    if (!hosts.some((known) => known.host === host))
      hosts.push({
        containerInstanceArn,
        ec2InstanceId,
        host,
        keyName: instance.KeyName || undefined,
        securityGroupIds: (instance.SecurityGroups ?? []).flatMap((group) =>
          group.GroupId ? [group.GroupId] : [],
        ),
      });
  }
  return hosts;
}

function unique<T>(values: readonly (T | undefined)[]): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}

import type { Instance } from "@aws-sdk/client-ec2";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { DEFAULT_INSTANCE_PROFILE } from "../../config/defaults.js";
import { formatDuration } from "../../durations.js";
import { McctlError } from "../../errors.js";
import type { SetupAws } from "../../plan/setup/types.js";
import { poll } from "../../queries/poll.js";
import type { ApplyIo } from "./types.js";

export interface RegisteredInstance {
  ec2InstanceId: string;
  publicDnsName?: string | undefined;
  containerInstanceArn: string;
  containerInstance: ContainerInstance;
}

const GONE_STATES = new Set(["shutting-down", "terminated", "stopping", "stopped"]);

/**
 * Polls until the EC2 instance shows up among the cluster's container instances. Transient AWS errors
 * are retried until the deadline (io.waitTimeoutMs); a stopped or terminated instance ends the wait.
 * `hints`: the profile and subnet the launch used, for the advice when it never registers.
 */
export async function waitForContainerInstance(
  io: ApplyIo,
  aws: SetupAws,
  cluster: string,
  instanceId: string,
  hints: { instanceProfile?: string | undefined; subnetId?: string | undefined } = {},
): Promise<RegisteredInstance> {
  const started = Date.now();
  const label = `Waiting for ${instanceId} to register in ECS cluster ${cluster}`;
  let last: Instance | undefined;
  return io.reporter.wait(label, async (progress) => {
    const result = await poll<RegisteredInstance>({
      deadline: started + io.waitTimeoutMs,
      intervalMs: io.pollIntervalMs,
      signal: io.signal,
      attempt: async () => {
        const registered = (await aws.ecs.listContainerInstances(cluster)).find(
          (instance) => instance.ec2InstanceId === instanceId,
        );
        [last] = await aws.ec2.describeInstances([instanceId]);
        if (registered) {
          return {
            ec2InstanceId: instanceId,
            containerInstanceArn: registered.containerInstanceArn ?? "(unknown)",
            containerInstance: registered,
            ...(last?.PublicDnsName ? { publicDnsName: last.PublicDnsName } : {}),
          };
        }
        if (!last) {
          throw new McctlError(`EC2 instance ${instanceId} no longer exists`, {
            suggestion: "Run mcctl setup again to launch a new container instance.",
          });
        }
        const state = last.State?.Name ?? "unknown";
        if (GONE_STATES.has(state)) throw stoppedError(instanceId, last);
        progress.progress(`${label}: EC2 ${state}`, started);
        return undefined;
      },
      onRetry: (error) => progress.retrying?.(error),
      onTimeout: () => registrationTimeout(io, cluster, instanceId, last, hints),
    });
    return {
      value: result,
      done: `${instanceId} registered in ECS cluster ${cluster} (${formatDuration(Date.now() - started)})`,
    };
  });
}

function stoppedError(instanceId: string, instance: Instance): McctlError {
  const state = instance.State?.Name ?? "unknown";
  const reason = instance.StateReason?.Message ?? instance.StateTransitionReason;
  const terminated = state === "terminated" || state === "shutting-down";
  return new McctlError(
    `EC2 instance ${instanceId} is ${state}${reason ? ` (${reason})` : ""} and will not register`,
    {
      suggestion: terminated
        ? "Run mcctl setup again to launch a new container instance."
        : `Start it (aws ec2 start-instances --instance-ids ${instanceId}) and run mcctl setup again, or terminate it and run mcctl setup again to launch a new one.`,
    },
  );
}

function registrationTimeout(
  io: ApplyIo,
  cluster: string,
  instanceId: string,
  instance: Instance | undefined,
  hints: { instanceProfile?: string | undefined; subnetId?: string | undefined },
): McctlError {
  const state = instance?.State?.Name ?? "unknown";
  const profile =
    instance?.IamInstanceProfile?.Arn?.split("/").pop() ?? hints.instanceProfile ?? DEFAULT_INSTANCE_PROFILE;
  const subnet = instance?.SubnetId ?? hints.subnetId ?? "of the instance";
  const publicIp = instance?.PublicIpAddress ? "" : " (the instance has no public IP address)";
  return new McctlError(
    `EC2 instance ${instanceId} did not register in ECS cluster ${cluster} within ${formatDuration(io.waitTimeoutMs)} (EC2 state: ${state})`,
    {
      suggestion:
        `Likely causes: (1) instance profile ${profile}: its role needs the AmazonEC2ContainerServiceforEC2Role policy; ` +
        `(2) the cluster name: /etc/ecs/ecs.config on the instance must say ECS_CLUSTER=${cluster}; ` +
        `(3) no outbound internet: subnet ${subnet} needs a route to an internet gateway or a NAT gateway${publicIp}. ` +
        `The ECS agent logs to /var/log/ecs/ecs-agent.log on the instance. After fixing, run mcctl setup again: it waits for ${instanceId} ` +
        `(if the instance itself is wrong, terminate it first and setup launches a new one).`,
    },
  );
}

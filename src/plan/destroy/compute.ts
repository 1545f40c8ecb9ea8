import type { Instance } from "@aws-sdk/client-ec2";
import type { Cluster } from "@aws-sdk/client-ecs";
import { CLUSTER_TAG } from "../../domain/setup-resources.js";
import { MANAGED_BY, taggedByMcctl } from "../../domain/tags.js";
import {
  type DestroyAws,
  type DestroyLine,
  type DestroyRequest,
  LIVE_INSTANCE_STATES,
  lineWriter,
  NOT_OURS,
  type OwnInstance,
} from "./types.js";

export interface ComputePlan {
  instances: OwnInstance[];
  deleteCluster: boolean;
  /** The security groups of the instances destroy terminates (candidates for deletion). */
  groups: string[];
}

/**
 * The container instances mcctl launched for the cluster (tagged managed-by=mcctl and mcctl:cluster), and
 * whether the cluster itself goes: only when mcctl created it and, once the service is gone, nothing else
 * (another service, an instance mcctl did not launch) is in it. Read-only.
 */
export async function planCompute(
  aws: DestroyAws,
  request: DestroyRequest,
  /** The cluster as ECS described it (undefined: ECS does not know it). */
  cluster: Cluster | undefined,
  lines: DestroyLine[],
): Promise<ComputePlan> {
  const line = lineWriter(lines, "Compute");
  const active = cluster?.status === "ACTIVE";
  const own = await ownInstances(aws, request, line);
  const registered = active ? await aws.ecs.listContainerInstances(request.cluster) : [];
  const ownIds = new Set(own.map((instance) => instance.InstanceId));
  const foreign = registered.filter((instance) => !ownIds.has(instance.ec2InstanceId));
  const otherServices = active
    ? (await aws.ecs.listServices(request.cluster))
        .map((arn) => arn.split("/").pop() ?? arn)
        .filter((name) => name !== request.service)
    : [];

  for (const instance of foreign) {
    line(
      "keep",
      `container instance ${instance.ec2InstanceId ?? instance.containerInstanceArn}: not launched by mcctl`,
    );
  }
  let instances: OwnInstance[] = own.map((instance) => ({
    instanceId: instance.InstanceId ?? "",
    state: instance.State?.Name ?? "unknown",
    containerInstanceArn: registered.find((candidate) => candidate.ec2InstanceId === instance.InstanceId)
      ?.containerInstanceArn,
  }));
  if (otherServices.length > 0 && instances.length > 0) {
    line(
      "keep",
      `EC2 instance(s) ${instances.map((instance) => instance.instanceId).join(", ")}: the cluster also runs ${otherServices.join(", ")}`,
    );
    instances = [];
  }
  for (const instance of instances) {
    line(
      instance.state === "shutting-down" ? "wait" : "delete",
      instance.state === "shutting-down"
        ? `EC2 instance ${instance.instanceId}: terminating already`
        : `terminate EC2 instance ${instance.instanceId} (${instance.state}${instance.containerInstanceArn ? ", deregistered from the cluster first" : ""})`,
    );
  }

  let deleteCluster = false;
  if (active) {
    const why = clusterKept(cluster?.tags, otherServices, foreign.length);
    if (why) line("keep", `ECS cluster ${request.cluster}: ${why}`);
    else {
      deleteCluster = true;
      line("delete", `delete ECS cluster ${request.cluster}`);
    }
  }
  const kept = new Set(instances.map((instance) => instance.instanceId));
  const groups = own
    .filter((instance) => kept.has(instance.InstanceId ?? ""))
    .flatMap((instance) =>
      (instance.SecurityGroups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
    );
  return { instances, deleteCluster, groups: [...new Set(groups)] };
}

function clusterKept(
  tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined,
  otherServices: readonly string[],
  foreignInstances: number,
): string | undefined {
  if (!taggedByMcctl(tags)) return NOT_OURS;
  if (otherServices.length > 0) return `it also runs ${otherServices.join(", ")}`;
  if (foreignInstances > 0) return "it holds container instances mcctl did not launch";
  return undefined;
}

/** Instances mcctl launched for this cluster: by their tags, and the one mcctl.json remembers. */
async function ownInstances(
  aws: DestroyAws,
  request: DestroyRequest,
  line: ReturnType<typeof lineWriter>,
): Promise<Instance[]> {
  const found = await aws.ec2.findInstances([
    { Name: `tag:${MANAGED_BY.key}`, Values: [MANAGED_BY.value] },
    { Name: `tag:${CLUSTER_TAG}`, Values: [request.cluster] },
    { Name: "instance-state-name", Values: LIVE_INSTANCE_STATES },
  ]);
  const rememberedId = request.settings.setup?.instance?.instanceId;
  if (rememberedId && !found.some((instance) => instance.InstanceId === rememberedId)) {
    const [remembered] = await aws.ec2.describeInstances([rememberedId]);
    if (remembered && LIVE_INSTANCE_STATES.includes(remembered.State?.Name ?? "")) {
      const clusterTag = remembered.Tags?.find((tag) => tag.Key === CLUSTER_TAG)?.Value;
      if (!taggedByMcctl(remembered.Tags)) {
        line("keep", `EC2 instance ${rememberedId} (setup.instance.instanceId): ${NOT_OURS}`);
      } else if (clusterTag !== undefined && clusterTag !== request.cluster) {
        line(
          "keep",
          `EC2 instance ${rememberedId} (setup.instance.instanceId): launched for cluster ${clusterTag}`,
        );
      } else {
        found.push(remembered);
      }
    }
  }
  return found;
}

import type { Instance } from "@aws-sdk/client-ec2";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { SUGGESTED_INSTANCE_TYPE } from "../../config/defaults.js";
import { checkInstanceFit, registeredShortfall, type TaskRequirement } from "../../domain/capacity.js";
import { CLUSTER_TAG, INSTANCE_NAME } from "../../domain/setup-resources.js";
import { validateClusterName } from "../../domain/user-data.js";
import { McctlError, UsageError } from "../../errors.js";
import { warnAboutUnsupportedOs } from "./ami.js";
import { type LaunchPlan, planLaunch } from "./launch.js";
import type { PlanIo, PlanLine, SetupAws } from "./types.js";

const STEP = { cluster: "ECS cluster", instance: "container instance" } as const;

/** A registered container instance the task can run on. */
export interface UsableInstance {
  ec2InstanceId: string;
  containerInstanceArn: string;
  publicDnsName?: string | undefined;
}

export interface ComputePlan {
  cluster: string;
  /** The cluster is missing or INACTIVE (deleted): apply creates it. */
  createCluster: boolean;
  /**
   * ready: a registered container instance has room for the task; pending: an instance mcctl launched
   * earlier is still starting (wait for it, never launch a second); launch: apply launches one.
   */
  status: "ready" | "pending" | "launch";
  /** status ready: the first instance the task fits on (ECS places it on one of them). */
  fittingInstance?: UsableInstance | undefined;
  /** status ready: the container instances the task fits on, as ECS describes them (with their attributes). */
  usableContainerInstances?: ContainerInstance[] | undefined;
  /** status pending: the EC2 instance launched earlier. */
  pendingInstanceId?: string | undefined;
  /** The existing container instances' security groups: what the database must accept connections from. */
  securityGroupIds: string[];
  /** status launch: everything the launch needs, checked. */
  launch?: LaunchPlan | undefined;
  lines: PlanLine[];
}

/**
 * Step 3: the cluster (used, or created in apply) and a container instance with room for the task: one
 * registered already, one mcctl launched earlier that is still starting, or a new one whose every
 * prerequisite (instance type offered, AMI, key pair, subnet, instance profile with a role, security
 * group) is checked now, before anything is created. A registered instance whose operating system is
 * past its end of support is used, never replaced, and warned about.
 */
export async function planCompute(
  io: PlanIo,
  aws: SetupAws,
  options: { cluster: string; requirement: TaskRequirement; service?: string | undefined },
): Promise<ComputePlan> {
  const { cluster, requirement } = options;
  const badName = validateClusterName(cluster);
  if (badName) throw new UsageError(badName, { suggestion: "Choose another cluster name (--cluster)." });

  const lines: PlanLine[] = [];
  const active = await lookAtCluster(aws, cluster, lines);
  const registered = active ? await aws.ecs.listContainerInstances(cluster) : [];
  await warnAboutUnsupportedOs(io, aws, registered, Date.now());
  const fits = (instance: ContainerInstance) => checkInstanceFit(instance, requirement).fits;
  const roomy = registered.filter(fits);
  const busy = registered.filter((instance) => !fits(instance));

  // Instances mcctl launched for this cluster, and those running the service already, may be busy with
  // Model Catalogue itself: they count when they would fit empty.
  const own = busy.length > 0 || roomy.length === 0 ? await findOwnInstances(io, aws, cluster) : [];
  const ownIds = new Set(own.map((instance) => instance.InstanceId));
  const hosts =
    busy.length > 0 && options.service && active
      ? await serviceHosts(aws, cluster, options.service)
      : new Set<string>();
  const usable = [...roomy];
  const tooSmall: { id: string; problems: string[] }[] = [];
  for (const instance of busy) {
    const ours = ownIds.has(instance.ec2InstanceId) || hosts.has(instance.containerInstanceArn ?? "(none)");
    if (!ours) continue;
    const problems = [
      ...(instance.status === "ACTIVE" ? [] : [`status ${instance.status}`]),
      ...(instance.agentConnected === false ? ["ECS agent disconnected"] : []),
      ...registeredShortfall(instance, requirement),
    ];
    if (problems.length === 0) usable.push(instance);
    else tooSmall.push({ id: instance.ec2InstanceId ?? "(unknown)", problems });
  }
  const base = { cluster, createCluster: !active, lines };
  if (usable.length > 0) return readyPlan(aws, base, usable);

  if (tooSmall.length > 0) {
    throw new McctlError(
      `the container instance mcctl launched in cluster ${cluster} cannot run the task even when idle (${tooSmall.map((small) => `${small.id}: ${small.problems.join(", ")}`).join("; ")})`,
      {
        suggestion: `Terminate it (aws ec2 terminate-instances --instance-ids ${tooSmall.map((small) => small.id).join(" ")}), set setup.instance.type in mcctl.json to a larger type such as ${SUGGESTED_INSTANCE_TYPE} and run mcctl setup again.`,
      },
    );
  }
  for (const instance of busy) {
    const problems = checkInstanceFit(instance, requirement).problems.join(", ");
    io.info(`Container instance ${instance.ec2InstanceId} has no room for the task: ${problems}`);
  }

  const registeredIds = new Set(registered.map((instance) => instance.ec2InstanceId));
  const starting = own
    .filter((instance) => !registeredIds.has(instance.InstanceId))
    .sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0))[0];
  if (starting?.InstanceId) {
    lines.push({
      step: STEP.instance,
      state: "pending",
      detail: `${starting.InstanceId} (${starting.InstanceType}, ${starting.State?.Name}) launched earlier, not yet registered in ${cluster}: waiting for it`,
    });
    return {
      ...base,
      status: "pending",
      pendingInstanceId: starting.InstanceId,
      securityGroupIds: groupIdsOf([starting]),
    };
  }

  const launch = await planLaunch(io, aws, cluster, requirement);
  lines.push(...launch.lines);
  return {
    ...base,
    status: "launch",
    securityGroupIds: launch.securityGroup.id ? [launch.securityGroup.id] : [],
    launch,
  };
}

/**
 * ACTIVE → use it (true); missing or INACTIVE (deleted) → false: apply creates a new ACTIVE one of that
 * name. Any other status (capacity-provider clusters) is something CreateCluster cannot fix.
 */
async function lookAtCluster(aws: SetupAws, cluster: string, lines: PlanLine[]): Promise<boolean> {
  const found = await aws.ecs.describeCluster(cluster);
  if (found?.status === "ACTIVE") {
    lines.push({ step: STEP.cluster, state: "exists", detail: `${cluster} (ACTIVE)` });
    return true;
  }
  if (found && found.status !== "INACTIVE") {
    throw new McctlError(`ECS cluster ${cluster} is ${found.status}`, {
      suggestion:
        "Wait until it is ACTIVE (or delete it) and run mcctl setup again, or use another --cluster.",
    });
  }
  lines.push({
    step: STEP.cluster,
    state: "create",
    detail: found ? `${cluster} (was ${found.status}: created again)` : cluster,
  });
  return false;
}

/** Pending or running instances mcctl launched for this cluster: tagged, or remembered in mcctl.json. */
async function findOwnInstances(io: PlanIo, aws: SetupAws, cluster: string): Promise<Instance[]> {
  const alive = ["pending", "running"];
  const tagged = await aws.ec2.findInstances([
    { Name: "tag:Name", Values: [INSTANCE_NAME] },
    { Name: `tag:${CLUSTER_TAG}`, Values: [cluster] },
    { Name: "instance-state-name", Values: alive },
  ]);
  const rememberedId = io.settings.setup?.instance?.instanceId;
  if (rememberedId && !tagged.some((instance) => instance.InstanceId === rememberedId)) {
    const [remembered] = await aws.ec2.describeInstances([rememberedId]);
    const clusterTag = remembered?.Tags?.find((tag) => tag.Key === CLUSTER_TAG)?.Value;
    if (
      remembered &&
      alive.includes(remembered.State?.Name ?? "") &&
      (clusterTag === undefined || clusterTag === cluster)
    ) {
      tagged.push(remembered);
    }
  }
  return tagged;
}

/** Container instance ARNs the service's running tasks are placed on; none when there is no such service. */
async function serviceHosts(aws: SetupAws, cluster: string, service: string): Promise<Set<string>> {
  const found = await aws.ecs.describeService(cluster, service);
  if (found?.status !== "ACTIVE") return new Set();
  const arns = await aws.ecs.listServiceTasks(cluster, service, "RUNNING");
  if (arns.length === 0) return new Set();
  const tasks = await aws.ecs.describeTasks(cluster, arns);
  return new Set(tasks.flatMap((task) => (task.containerInstanceArn ? [task.containerInstanceArn] : [])));
}

async function readyPlan(
  aws: SetupAws,
  base: Pick<ComputePlan, "cluster" | "createCluster" | "lines">,
  instances: ContainerInstance[],
): Promise<ComputePlan> {
  const ids = instances.flatMap((instance) => (instance.ec2InstanceId ? [instance.ec2InstanceId] : []));
  const described = await aws.ec2.describeInstances(ids);
  const usable = instances.map((instance): UsableInstance => {
    const ec2 = described.find((candidate) => candidate.InstanceId === instance.ec2InstanceId);
    return {
      ec2InstanceId: instance.ec2InstanceId ?? "(unknown)",
      containerInstanceArn: instance.containerInstanceArn ?? "(unknown)",
      ...(ec2?.PublicDnsName ? { publicDnsName: ec2.PublicDnsName } : {}),
    };
  });
  for (const instance of usable) {
    base.lines.push({
      step: STEP.instance,
      state: "exists",
      detail: `${instance.ec2InstanceId} in ${base.cluster} has room for the task`,
    });
  }
  return {
    ...base,
    status: "ready",
    fittingInstance: usable[0],
    usableContainerInstances: instances,
    securityGroupIds: groupIdsOf(described),
  };
}

function groupIdsOf(instances: readonly Instance[]): string[] {
  const ids = instances.flatMap((instance) =>
    (instance.SecurityGroups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
  );
  return [...new Set(ids)];
}

import type { CreateServiceCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import {
  checkInstanceFit,
  type InstanceFit,
  requirementOf,
  type TaskRequirement,
} from "../domain/capacity.js";
import { buildCreateServiceInput } from "../domain/ecs-service.js";
import { canHold, judgePlacement } from "../domain/placement.js";
import { McctlError } from "../errors.js";
import { checkRevisionPlacement } from "./placement.js";

export interface CreateServicePlan {
  cluster: string;
  service: string;
  taskDefinition: TaskDefinition;
  requirement: TaskRequirement;
  /** Instances able to run the task now; at least one, or preflight fails. */
  fittingInstances: InstanceFit[];
  /** Instances that could never run the revision while another can: what each lacks. */
  placementNotes: string[];
  input: CreateServiceCommandInput;
}

export interface CreateServiceRequest {
  cluster: string;
  service: string;
  family: string;
  /** family:revision or ARN; the family's newest ACTIVE revision when absent. */
  taskDefinition?: string;
}

/**
 * Every reason ECS would refuse the service, or accept it and never run it, checked before anything
 * is created, each with what to do about it.
 */
export async function planCreateService(
  ecs: EcsApi,
  request: CreateServiceRequest,
): Promise<CreateServicePlan> {
  const { cluster, service } = request;
  const clusterState = await ecs.describeCluster(cluster);
  if (!clusterState || clusterState.status === "INACTIVE") {
    throw new McctlError(
      `ECS cluster ${cluster} ${clusterState ? "is INACTIVE (deleted)" : "does not exist"}`,
      {
        suggestion: "Pass --cluster with an existing cluster, or create one with `mcctl setup`.",
      },
    );
  }

  const existing = await ecs.describeService(cluster, service);
  if (existing?.status === "ACTIVE") {
    throw new McctlError(`service ${service} already exists in cluster ${cluster}`, {
      suggestion: "Use `mcctl upgrade --tag TAG` to deploy another version or `mcctl restart` to restart it.",
    });
  }
  if (existing?.status === "DRAINING") {
    throw new McctlError(`service ${service} in cluster ${cluster} is still being deleted (DRAINING)`, {
      suggestion: "Wait until ECS has finished deleting it, then run create-service again.",
    });
  }

  const taskDefinition = request.taskDefinition
    ? await ecs.findTaskDefinition(request.taskDefinition)
    : await ecs.findLatestTaskDefinition(request.family);
  if (!taskDefinition) {
    throw new McctlError(
      request.taskDefinition
        ? `task definition ${request.taskDefinition} does not exist`
        : `task definition family ${request.family} has no ACTIVE revision`,
      {
        suggestion: request.taskDefinition
          ? `List the revisions with \`aws ecs list-task-definitions --family-prefix ${request.taskDefinition.split(":")[0]}\`.`
          : "Register one first with `mcctl register-task`.",
      },
    );
  }
  if (taskDefinition.status === "INACTIVE") {
    throw new McctlError(`task definition ${taskDefinition.family}:${taskDefinition.revision} is INACTIVE`, {
      suggestion: "Choose an ACTIVE revision, or register a new one with `mcctl register-task`.",
    });
  }

  const requirement = requirementOf(taskDefinition);
  const instances = await ecs.listContainerInstances(cluster);
  if (instances.length === 0) {
    throw new McctlError(`no container instance is registered in cluster ${cluster}`, {
      suggestion: `Start an ECS-optimized EC2 instance with ECS_CLUSTER=${cluster} in /etc/ecs/ecs.config (\`mcctl setup\` can launch one).`,
    });
  }
  const revision = `${taskDefinition.family}:${taskDefinition.revision}`;
  const placementNotes = await checkRevisionPlacement(ecs, taskDefinition, {
    cluster,
    what: revision,
    instances,
  });
  const able = new Set(
    judgePlacement(instances, taskDefinition)
      .filter(canHold)
      .map((verdict) => verdict.instance),
  );
  const fits = instances
    .filter((instance) => able.has(instance))
    .map((instance) => checkInstanceFit(instance, requirement));
  const fittingInstances = fits.filter((fit) => fit.fits);
  if (fittingInstances.length === 0) {
    const closest = [
      ...fits.map((fit) => `${instanceName(fit)}: ${fit.problems.join(", ")}`),
      ...placementNotes,
    ].join("; ");
    throw new McctlError(
      `no container instance in ${cluster} can run the task (needs ${requirement.cpu} CPU units, ` +
        `${requirement.memoryMiB} MiB memory, port ${requirement.hostPorts.join(", ") || "none"} free): ${closest}`,
      {
        suggestion:
          "Stop what occupies the instance, or add a larger one (the guide uses m3.xlarge; m5.xlarge where m3 is not offered).",
      },
    );
  }

  return {
    cluster,
    service,
    taskDefinition,
    requirement,
    fittingInstances,
    placementNotes,
    input: buildCreateServiceInput(cluster, service, taskDefinition.taskDefinitionArn as string),
  };
}

function instanceName(fit: InstanceFit): string {
  return fit.instance.ec2InstanceId ?? fit.instance.containerInstanceArn?.split("/").pop() ?? "instance";
}

import type {
  ContainerDefinition,
  ContainerInstance,
  RegisterTaskDefinitionCommandInput,
  Task,
} from "@aws-sdk/client-ecs";
import { MCCTL_TAGS } from "./tags.js";
import { ES_CONTAINER, MC_CONTAINER } from "./task-definition.js";

/**
 * The pre-pull of an upgrade: a one-off task on each container instance, with the new images and a
 * command that exits at once, started while the old task still runs. Once it has stopped with exit code 0
 * on every container, the agent has the images on that host, and the restart's outage holds no pull.
 */

/** Its own family, so that its revisions never mix with the service's (and `destroy` finds them). */
export function prepullFamily(family: string): string {
  return `${family}-prepull`;
}

/** Who starts the one-off tasks (StartTask's startedBy). */
export const PREPULL_STARTED_BY = "mcctl-prepull";

/** Hard memory limit of each container: enough to start a shell that exits, beside the running task. */
export const PREPULL_CONTAINER_MEMORY_MIB = 32;

/** A command found in any Linux image that exits at once with 0: the image's own entry point is bypassed. */
const EXIT_AT_ONCE = { entryPoint: ["sh", "-c"], command: ["exit 0"] } as const;

/**
 * The one-off revision: each container of `revision` with its image (and the registry credentials it pulls
 * with), nothing else: no port mappings, no environment, no volumes, no logging. The same execution role
 * (a private registry's credentials come through it). Elasticsearch first, then Model Catalogue once it
 * exited 0, so that an essential container's exit never stops the task before the other image is pulled.
 */
export function prepullTaskDefinition(revision: {
  family?: string | undefined;
  executionRoleArn?: string | undefined;
  containerDefinitions?: ContainerDefinition[] | undefined;
}): RegisterTaskDefinitionCommandInput {
  const containers = (revision.containerDefinitions ?? []).filter((container) => container.image);
  const hasEs = containers.some((container) => container.name === ES_CONTAINER);
  const definitions: ContainerDefinition[] = containers.map((container) => ({
    name: container.name,
    image: container.image,
    ...(container.repositoryCredentials ? { repositoryCredentials: container.repositoryCredentials } : {}),
    memory: PREPULL_CONTAINER_MEMORY_MIB,
    entryPoint: [...EXIT_AT_ONCE.entryPoint],
    command: [...EXIT_AT_ONCE.command],
    essential: container.name !== ES_CONTAINER,
    ...(container.name === MC_CONTAINER && hasEs
      ? { dependsOn: [{ containerName: ES_CONTAINER, condition: "SUCCESS" as const }] }
      : {}),
  }));
  return {
    family: prepullFamily(revision.family ?? ""),
    ...(revision.executionRoleArn ? { executionRoleArn: revision.executionRoleArn } : {}),
    requiresCompatibilities: ["EC2"],
    containerDefinitions: definitions,
    tags: Object.entries(MCCTL_TAGS).map(([key, value]) => ({ key, value })),
  };
}

/**
 * The command each container runs, given again as StartTask's override: the revision already says it, and
 * the override makes the one-off start exit at once whatever revision ECS resolves.
 */
export function prepullCommands(input: RegisterTaskDefinitionCommandInput): Record<string, string[]> {
  return Object.fromEntries(
    (input.containerDefinitions ?? []).map((container) => [container.name ?? "", [...EXIT_AT_ONCE.command]]),
  );
}

/** What the one-off task takes on the host: the containers' memory, no CPU units, no port. */
export function prepullMemoryMiB(input: RegisterTaskDefinitionCommandInput): number {
  return (input.containerDefinitions ?? []).reduce((sum, container) => sum + (container.memory ?? 0), 0);
}

/** A container instance the pre-pull runs on, with the memory ECS says is left there beside what runs. */
export interface PrepullHost {
  containerInstanceArn: string;
  /** "i-0abc…", or the container instance's id when ECS gave no EC2 instance. */
  label: string;
  freeMemoryMiB: number;
  registeredMemoryMiB: number;
}

export function prepullHost(instance: ContainerInstance): PrepullHost {
  const memory = (list: ContainerInstance["remainingResources"]) =>
    list?.find((resource) => resource.name === "MEMORY")?.integerValue ?? 0;
  return {
    containerInstanceArn: instance.containerInstanceArn ?? "",
    label: instance.ec2InstanceId ?? instance.containerInstanceArn?.split("/").pop() ?? "(unknown)",
    freeMemoryMiB: memory(instance.remainingResources),
    registeredMemoryMiB: memory(instance.registeredResources),
  };
}

/**
 * Why a stopped one-off task did not pull its images: each container that did not exit 0, with its image
 * and the agent's reason (CannotPullContainerError: …), or the task's when the containers say nothing.
 * Empty when every container exited 0.
 */
export function prepullFailures(task: Task): { image: string; reason: string }[] {
  const containers = task.containers ?? [];
  if (containers.length === 0) {
    return [{ image: "(no container)", reason: task.stoppedReason ?? "the task stopped without containers" }];
  }
  const failed = containers.filter((container) => container.exitCode !== 0);
  // A pull failure is said by its container; the others never ran, for that reason alone.
  const said = failed.filter((container) => container.reason);
  return (said.length > 0 ? said : failed).map((container) => ({
    image: container.image ?? container.name ?? "(unknown image)",
    reason:
      container.reason ??
      (container.exitCode === undefined
        ? (task.stoppedReason ?? "stopped before it ran")
        : `exited with code ${container.exitCode}`),
  }));
}

import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import { McctlError } from "../errors.js";

/**
 * Every field RegisterTaskDefinition accepts. Listing them (rather than deleting the read-only ones
 * DescribeTaskDefinition adds) means a field ECS adds in future can never make a registration fail.
 */
const WRITABLE_FIELDS = [
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "containerDefinitions",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

/**
 * Tag on the revision an upgrade registered: the database snapshot it took first, which
 * `rollback --with-database` restores to undo that upgrade.
 */
export const UPGRADE_SNAPSHOT_TAG = "mcctl:snapshot-before";

export interface ImageChange {
  container: string;
  image: string;
}

/**
 * A copy of a registered revision, ready to register again, with some containers' images replaced.
 * Everything else — roles, volumes, constraints, environment, tags — is kept as it was.
 */
export function reviseTaskDefinition(
  current: TaskDefinition,
  tags: readonly Tag[] | undefined,
  changes: readonly ImageChange[],
): RegisterTaskDefinitionCommandInput {
  const containers = current.containerDefinitions ?? [];
  for (const change of changes) {
    if (!containers.some((container) => container.name === change.container)) {
      const names = containers.map((container) => container.name).join(", ");
      throw new McctlError(
        `task definition ${current.family}:${current.revision} has no container named ${change.container} (it has: ${names})`,
        {
          suggestion: "Is the service running a Model Catalogue task definition? Check with `mcctl status`.",
        },
      );
    }
  }
  const input: Record<string, unknown> = {};
  for (const field of WRITABLE_FIELDS) {
    if (current[field] !== undefined) input[field] = structuredClone(current[field]);
  }
  input.containerDefinitions = containers.map((container) => {
    const change = changes.find((candidate) => candidate.container === container.name);
    return { ...structuredClone(container), ...(change ? { image: change.image } : {}) };
  });
  // The snapshot an upgrade took belongs to the revision that upgrade registered, not to its copies.
  const kept = (tags ?? []).filter((tag) => tag.key !== UPGRADE_SNAPSHOT_TAG);
  if (kept.length > 0) input.tags = structuredClone(kept);
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

export function containerImage(taskDefinition: TaskDefinition, container: string): string | undefined {
  return taskDefinition.containerDefinitions?.find((definition) => definition.name === container)?.image;
}

/** family:revision out of a task definition ARN. */
export function shortRevision(taskDefinitionArn: string | undefined): string {
  return taskDefinitionArn?.split("/").pop() ?? "(unknown revision)";
}

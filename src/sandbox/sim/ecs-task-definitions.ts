/**
 * Task definitions in the simulated ECS: RegisterTaskDefinition (with ECS's checks and its echo of the
 * definition), DescribeTaskDefinition, ListTaskDefinitions, DeregisterTaskDefinition and DeleteTaskDefinitions,
 * and what a task of a definition reserves on its container instance.
 */
import {
  AccessDeniedException,
  type Attribute,
  ClientException,
  type ContainerDefinition,
  type DeleteTaskDefinitionsCommandInput,
  type DeleteTaskDefinitionsResponse,
  type DeregisterTaskDefinitionCommandInput,
  type DeregisterTaskDefinitionResponse,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTaskDefinitionResponse,
  type Failure,
  type ListTaskDefinitionsCommandInput,
  type ListTaskDefinitionsResponse,
  type PortMapping,
  type RegisterTaskDefinitionCommandInput,
  type RegisterTaskDefinitionRequest,
  type RegisterTaskDefinitionResponse,
  type TaskDefinition,
  type TaskOverride,
} from "@aws-sdk/client-ecs";
import { clone, compact } from "./core.js";
import { SSM_SECRETS_ATTRIBUTE } from "./ecs-instance-attributes.js";
import { type PortClaim, type Requirements, taskDefinitionName } from "./ecs-model.js";
import { passRoleDenial, secretsProblem } from "./ecs-secrets.js";
import type { EcsState } from "./ecs-state.js";

export class EcsTaskDefinitions {
  readonly #state: EcsState;

  constructor(state: EcsState) {
    this.#state = state;
  }

  /** The revision RegisterTaskDefinition would give `family` next (deleted revisions are never reused). */
  nextRevision(family: string): number {
    return (this.#state.lastRevision.get(family) ?? 0) + 1;
  }

  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): RegisterTaskDefinitionResponse {
    this.#state.sync();
    this.#validateTaskDefinition(input);
    const family = input.family ?? "";
    const revision = (this.#state.lastRevision.get(family) ?? 0) + 1;
    this.#state.lastRevision.set(family, revision);
    const arn = this.#state.arns.taskDefinition(`${family}:${revision}`);
    const definition = echoTaskDefinition(input, {
      arn,
      revision,
      registeredAt: this.#state.ctx.clock.date(),
      registeredBy: this.#state.ctx.principalArn,
    });
    const tags = input.tags ?? [];
    this.#state.taskDefinitions.set(arn, {
      arn,
      family,
      revision,
      status: "ACTIVE",
      definition,
      tags,
      requirements: taskRequirements(definition),
    });
    return { taskDefinition: clone(definition), tags: clone(tags) };
  }

  describeTaskDefinition(input: DescribeTaskDefinitionCommandInput): DescribeTaskDefinitionResponse {
    this.#state.sync();
    const taskDefinition = this.#state.findTaskDefinition(input.taskDefinition);
    if (!taskDefinition) throw this.#state.error(ClientException, "Unable to describe task definition.");
    const tags = input.include?.includes("TAGS") ? clone(taskDefinition.tags) : undefined;
    return compact({ taskDefinition: clone(taskDefinition.definition), tags });
  }

  listTaskDefinitions(input: ListTaskDefinitionsCommandInput = {}): ListTaskDefinitionsResponse {
    this.#state.sync();
    const status = input.status ?? "ACTIVE";
    const sorted = [...this.#state.taskDefinitions.values()]
      .filter((td) => input.familyPrefix === undefined || td.family === input.familyPrefix)
      .filter((td) => td.status === status)
      .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    if (input.sort === "DESC") sorted.reverse();
    const { page, nextToken } = this.#state.paginate(
      sorted.map((td) => td.arn),
      input,
      100,
    );
    return compact({ taskDefinitionArns: page, nextToken });
  }

  deregisterTaskDefinition(input: DeregisterTaskDefinitionCommandInput): DeregisterTaskDefinitionResponse {
    this.#state.sync();
    const name = taskDefinitionName(input.taskDefinition ?? "");
    if (!name.includes(":"))
      throw this.#state.error(ClientException, "Invalid revision number. Number: undefined");
    const taskDefinition = this.#state.findTaskDefinition(name);
    if (!taskDefinition) throw this.#state.error(ClientException, "Unable to describe task definition.");
    if (taskDefinition.status === "DELETE_IN_PROGRESS")
      return { taskDefinition: clone(taskDefinition.definition) };
    taskDefinition.status = "INACTIVE";
    taskDefinition.definition = {
      ...taskDefinition.definition,
      status: "INACTIVE",
      deregisteredAt: this.#state.ctx.clock.date(),
    };
    return { taskDefinition: clone(taskDefinition.definition) };
  }

  /**
   * Up to 10 "family:revision" or ARNs. An INACTIVE revision becomes DELETE_IN_PROGRESS (still described and
   * listed with that status) and is deleted `taskDefinitionDeletionMs` later, or once no task or deployment
   * uses it; after that it is unknown. An ACTIVE one is a failure: it must be deregistered first.
   */
  deleteTaskDefinitions(input: DeleteTaskDefinitionsCommandInput): DeleteTaskDefinitionsResponse {
    this.#state.sync();
    const refs = input.taskDefinitions ?? [];
    if (refs.length === 0) throw this.#state.error(ClientException, "Task definitions cannot be empty.");
    if (refs.length > 10) {
      throw this.#state.error(ClientException, "Task definitions cannot contain more than 10 elements.");
    }
    const taskDefinitions: TaskDefinition[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const name = taskDefinitionName(ref);
      if (!name.includes(":"))
        throw this.#state.error(ClientException, "Invalid revision number. Number: undefined");
      const arn = this.#state.arns.taskDefinition(name);
      const taskDefinition = this.#state.taskDefinitions.get(arn);
      if (!taskDefinition) {
        const reason =
          "The specified task definition does not exist. Specify a valid account, family, revision and try again.";
        failures.push({ arn, reason });
        continue;
      }
      if (taskDefinition.status === "ACTIVE") {
        const reason =
          "The specified task definition is still in ACTIVE status. Please deregister the target and try again.";
        failures.push({ arn, reason });
        continue;
      }
      if (taskDefinition.status === "INACTIVE") {
        taskDefinition.status = "DELETE_IN_PROGRESS";
        taskDefinition.deletableAt =
          this.#state.ctx.clock.now() + this.#state.timings.taskDefinitionDeletionMs;
        taskDefinition.definition = { ...taskDefinition.definition, status: "DELETE_IN_PROGRESS" };
        // Nothing to do in the event itself: the settle hook deletes what nothing uses any more.
        this.#state.ctx.clock.at(
          taskDefinition.deletableAt,
          `ECS task definition ${name} deletion`,
          () => {},
        );
      }
      taskDefinitions.push(clone(taskDefinition.definition));
    }
    return { taskDefinitions, failures };
  }

  #validateTaskDefinition(input: RegisterTaskDefinitionCommandInput): void {
    this.#validateContainers(input);
    const problem = secretsProblem(input, this.#state.options);
    if (problem) throw this.#state.error(ClientException, problem);
    const denied = passRoleDenial(input, this.#state.options, this.#state.ctx.principalArn);
    if (denied) throw this.#state.error(AccessDeniedException, denied);
  }

  #validateContainers(input: RegisterTaskDefinitionCommandInput): void {
    if (!input.family || !/^[A-Za-z0-9_-]{1,255}$/.test(input.family)) {
      throw this.#state.error(ClientException, "Family contains invalid characters or is empty.");
    }
    const containers = input.containerDefinitions ?? [];
    if (containers.length === 0) throw this.#state.error(ClientException, "Container list cannot be empty.");
    for (const container of containers) {
      if (!container.name || !container.image) {
        throw this.#state.error(
          ClientException,
          "Container.name and Container.image should not be null or empty.",
        );
      }
      const hasMemory = container.memory != null || container.memoryReservation != null;
      if (!hasMemory && !input.memory) {
        throw this.#state.error(
          ClientException,
          `Invalid setting for container '${container.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
      }
    }
  }
}

/** ECS's periodic check: a DELETE_IN_PROGRESS revision no task and no deployment uses any more is deleted. */
export function deleteUnusedTaskDefinitions(state: EcsState): void {
  const now = state.ctx.clock.now();
  for (const taskDefinition of state.taskDefinitions.values()) {
    if (taskDefinition.status !== "DELETE_IN_PROGRESS" || now < (taskDefinition.deletableAt ?? now)) continue;
    const usedByTask = [...state.tasks.values()].some(
      (task) => task.taskDefinition === taskDefinition && task.lastStatus !== "STOPPED",
    );
    // A deleted (INACTIVE) service is terminated: it holds no revision back.
    const usedByDeployment = [...state.services.values()].some(
      (service) =>
        service.status !== "INACTIVE" &&
        service.deployments.some(
          (deployment) =>
            deployment.status !== "INACTIVE" && deployment.taskDefinitionArn === taskDefinition.arn,
        ),
    );
    if (!usedByTask && !usedByDeployment) state.taskDefinitions.delete(taskDefinition.arn);
  }
}

/** The task definition as RegisterTaskDefinition/DescribeTaskDefinition return it. */
export function echoTaskDefinition(
  input: RegisterTaskDefinitionRequest,
  meta: { arn: string; revision: number; registeredAt: Date; registeredBy: string },
): TaskDefinition {
  return compact({
    ...input,
    tags: undefined,
    taskDefinitionArn: meta.arn,
    containerDefinitions: (input.containerDefinitions ?? []).map((c) => echoContainer(c, input.networkMode)),
    revision: meta.revision,
    volumes: input.volumes ?? [],
    status: "ACTIVE",
    requiresAttributes: requiredAttributes(input),
    placementConstraints: input.placementConstraints ?? [],
    compatibilities: ["EC2"],
    registeredAt: meta.registeredAt,
    registeredBy: meta.registeredBy,
  } satisfies TaskDefinition & { tags: undefined });
}

function echoContainer(container: ContainerDefinition, networkMode: string | undefined): ContainerDefinition {
  return compact({
    ...container,
    cpu: container.cpu ?? 0,
    portMappings: (container.portMappings ?? []).map((mapping) => echoPortMapping(mapping, networkMode)),
    essential: container.essential ?? true,
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    volumesFrom: container.volumesFrom ?? [],
  });
}

function echoPortMapping(mapping: PortMapping, networkMode: string | undefined): PortMapping {
  const hostPortDefault = networkMode === "host" || networkMode === "awsvpc" ? mapping.containerPort : 0;
  return { ...mapping, hostPort: mapping.hostPort ?? hostPortDefault, protocol: mapping.protocol ?? "tcp" };
}

function requiredAttributes(input: RegisterTaskDefinitionRequest): Attribute[] {
  const names = new Set<string>();
  for (const container of input.containerDefinitions ?? []) {
    const driver = container.logConfiguration?.logDriver;
    if (driver) {
      names.add(`com.amazonaws.ecs.capability.logging-driver.${driver}`);
      names.add("com.amazonaws.ecs.capability.docker-remote-api.1.18");
      if (driver === "awslogs") names.add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
    }
    if (container.memoryReservation !== undefined && container.memoryReservation !== null) {
      names.add("com.amazonaws.ecs.capability.docker-remote-api.1.21");
    }
  }
  if (input.taskRoleArn) names.add("com.amazonaws.ecs.capability.task-iam-role");
  const containers = input.containerDefinitions ?? [];
  if (containers.some((container) => (container.secrets ?? []).length > 0)) names.add(SSM_SECRETS_ATTRIBUTE);
  if (input.executionRoleArn && containers.some((c) => c.logConfiguration?.logDriver === "awslogs")) {
    names.add("ecs.capability.execution-role-awslogs");
  }
  if (input.networkMode === "awsvpc") names.add("ecs.capability.task-eni");
  return [...names].map((name) => ({ name }));
}

/** CPU units, MiB and host ports a task of this definition reserves on an EC2 container instance. */
export function taskRequirements(definition: TaskDefinition): Requirements {
  const containers = definition.containerDefinitions ?? [];
  const cpu = parseUnits(definition.cpu, "vcpu") ?? sum(containers.map((c) => c.cpu ?? 0));
  const memoryMiB =
    parseUnits(definition.memory, "gb") ?? sum(containers.map((c) => c.memoryReservation ?? c.memory ?? 0));
  const ports =
    definition.networkMode === "awsvpc"
      ? []
      : containers.flatMap((c) =>
          (c.portMappings ?? [])
            .filter((mapping) => (mapping.hostPort ?? 0) > 0)
            .map(
              (mapping): PortClaim => ({ port: mapping.hostPort ?? 0, protocol: mapping.protocol ?? "tcp" }),
            ),
        );
  const attributes = (definition.requiresAttributes ?? []).flatMap((attribute) => attribute.name ?? []);
  return { cpu, memoryMiB, ports, attributes };
}

/**
 * What a task started with overrides reserves: a container override's `cpu`, `memory` and `memoryReservation`
 * replace the definition's, and the task override's `cpu` / `memory` the task-level values.
 */
export function overriddenRequirements(
  definition: TaskDefinition,
  overrides: TaskOverride | undefined,
): Requirements {
  if (!overrides) return taskRequirements(definition);
  const containerOverrides = overrides.containerOverrides ?? [];
  return taskRequirements({
    ...definition,
    cpu: overrides.cpu ?? definition.cpu,
    memory: overrides.memory ?? definition.memory,
    containerDefinitions: (definition.containerDefinitions ?? []).map((container) => {
      const override = containerOverrides.find((o) => o.name === container.name);
      if (!override) return container;
      return {
        ...container,
        cpu: override.cpu ?? container.cpu,
        memory: override.memory ?? container.memory,
        memoryReservation: override.memoryReservation ?? container.memoryReservation,
      };
    }),
  });
}

/** "1024" → 1024; "1 vCPU" / "2 GB" → ×1024. */
function parseUnits(value: string | undefined, unit: "vcpu" | "gb"): number | undefined {
  if (value === undefined || value === null || value.trim() === "") return undefined;
  const number = Number.parseFloat(value);
  return value.toLowerCase().includes(unit) ? Math.round(number * 1024) : number;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

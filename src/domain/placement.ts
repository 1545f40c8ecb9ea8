/**
 * Whether a revision could ever be placed on a cluster's container instances: the attributes ECS makes it
 * require (its `requiresAttributes`) against those each instance's agent registered, and the resources the
 * instance registered against what a task takes. Pure: ECS knowledge, no AWS call.
 */
import type { ContainerDefinition, ContainerInstance } from "@aws-sdk/client-ecs";
import { type RevisionResources, registeredShortfall, requirementOf } from "./capacity.js";

/** Secrets from SSM Parameter Store in environment variables; agents register it from 1.22.0 on. */
export const SSM_SECRETS_ATTRIBUTE = "ecs.capability.secrets.ssm.environment-variables";
export const ASM_SECRETS_ATTRIBUTE = "ecs.capability.secrets.asm.environment-variables";
/** awslogs writing with the task execution role's credentials, not the instance role's. */
export const EXECUTION_ROLE_AWSLOGS_ATTRIBUTE = "ecs.capability.execution-role-awslogs";
export const TASK_IAM_ROLE_ATTRIBUTE = "com.amazonaws.ecs.capability.task-iam-role";
export const TASK_ENI_ATTRIBUTE = "ecs.capability.task-eni";

export function loggingDriverAttribute(driver: string): string {
  return `com.amazonaws.ecs.capability.logging-driver.${driver}`;
}

/** The parts of a revision (registered, or about to be) that decide what it requires. */
export interface RevisionNeeds extends RevisionResources {
  containerDefinitions?: ContainerDefinition[] | undefined;
  executionRoleArn?: string | undefined;
  taskRoleArn?: string | undefined;
  networkMode?: string | undefined;
}

/**
 * The capabilities ECS lists in the revision's `requiresAttributes` and places it only where the agent
 * registered them (names from aws/amazon-ecs-agent `agent/app/agent_capability.go`; which feature requires
 * which, from RegisterTaskDefinition answers published in public repositories): each log driver used, awslogs
 * through the execution role, secrets from SSM or Secrets Manager, a task role, awsvpc. ECS also requires
 * Docker Remote API versions (1.18 for a log configuration, 1.19 for awslogs…), which every agent on a
 * supported Docker registers; they are left out.
 */
export function requiredAttributes(revision: RevisionNeeds): string[] {
  const names = new Set<string>();
  const containers = revision.containerDefinitions ?? [];
  for (const container of containers) {
    const driver = container.logConfiguration?.logDriver;
    if (driver) names.add(loggingDriverAttribute(driver));
    if (driver === "awslogs" && revision.executionRoleArn) names.add(EXECUTION_ROLE_AWSLOGS_ATTRIBUTE);
    for (const secret of container.secrets ?? []) {
      const fromSecretsManager = /^arn:aws[\w-]*:secretsmanager:/.test(secret.valueFrom ?? "");
      names.add(fromSecretsManager ? ASM_SECRETS_ATTRIBUTE : SSM_SECRETS_ATTRIBUTE);
    }
  }
  if (revision.taskRoleArn) names.add(TASK_IAM_ROLE_ATTRIBUTE);
  if (revision.networkMode === "awsvpc") names.add(TASK_ENI_ATTRIBUTE);
  return [...names];
}

/** The required attributes the instance's agent did not register (DescribeContainerInstances' `attributes`). */
export function missingAttributes(required: readonly string[], instance: ContainerInstance): string[] {
  const registered = new Set((instance.attributes ?? []).map((attribute) => attribute.name));
  return required.filter((name) => !registered.has(name));
}

/** What an attribute stands for, and how an operator gets an instance to register it. */
export function attributeAdvice(name: string): { meaning: string; remedy: string } {
  if (name === EXECUTION_ROLE_AWSLOGS_ATTRIBUTE) {
    return {
      meaning: "awslogs through the execution role",
      remedy:
        "set ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true in /etc/ecs/ecs.config and restart the ECS agent (ecs-init on the ECS-optimized AMI sets it)",
    };
  }
  if (name === SSM_SECRETS_ATTRIBUTE) {
    return {
      meaning: "secrets from SSM Parameter Store",
      remedy: "update the ECS agent to 1.22.0 or later (aws ecs update-container-agent)",
    };
  }
  if (name.startsWith(loggingDriverAttribute(""))) {
    const driver = name.slice(loggingDriverAttribute("").length);
    return {
      meaning: `the ${driver} log driver`,
      remedy: `add "${driver}" to ECS_AVAILABLE_LOGGING_DRIVERS in /etc/ecs/ecs.config and restart the ECS agent`,
    };
  }
  return { meaning: name, remedy: "enable it in the ECS agent's configuration (/etc/ecs/ecs.config)" };
}

/** One container instance against a revision: what it could never offer the task. */
export interface InstanceVerdict {
  instance: ContainerInstance;
  /** "i-0abc… (t3.small)" */
  label: string;
  /** Registered resources short of a task's, or a host port the instance reserves. */
  capacity: string[];
  /** Required attributes it did not register. */
  attributes: string[];
}

/** Each instance judged on what it registered, not on what is free now: a restart frees the rest. */
export function judgePlacement(
  instances: readonly ContainerInstance[],
  revision: RevisionNeeds,
): InstanceVerdict[] {
  const need = requirementOf(revision);
  const required = requiredAttributes(revision);
  return instances.map((instance) => ({
    instance,
    label: instanceLabel(instance),
    capacity: registeredShortfall(instance, need),
    attributes: missingAttributes(required, instance),
  }));
}

export function canHold(verdict: InstanceVerdict): boolean {
  return verdict.capacity.length === 0 && verdict.attributes.length === 0;
}

/** "i-0abc: 2048 of 3072 CPU units registered; lacks ecs.capability.execution-role-awslogs (awslogs through the execution role)" */
export function describeVerdict(verdict: InstanceVerdict): string {
  const lacks = verdict.attributes.map((name) => `${name} (${attributeAdvice(name).meaning})`);
  const parts = [
    ...(verdict.capacity.length > 0 ? [verdict.capacity.join(", ")] : []),
    ...(lacks.length > 0 ? [`lacks the attribute${lacks.length > 1 ? "s" : ""} ${lacks.join(", ")}`] : []),
  ];
  return `${verdict.label}: ${parts.join("; ")}`;
}

function instanceLabel(instance: ContainerInstance): string {
  const id = instance.ec2InstanceId ?? instance.containerInstanceArn?.split("/").pop() ?? "instance";
  const type = instance.attributes?.find((attribute) => attribute.name === "ecs.instance-type")?.value;
  return type ? `${id} (${type})` : id;
}

/**
 * The attributes an ECS container agent registers its container instance with, which decide what tasks it can
 * take (a task definition's `requiresAttributes`).
 */
import type { Attribute } from "@aws-sdk/client-ecs";
import type { InstanceState } from "./ecs-model.js";

/**
 * The capability a task definition with SSM `secrets` requires (its `requiresAttributes`), which container
 * agents register from version 1.22.0 on ("Retrieve Systems Manager parameters through Amazon ECS
 * environment variables"). An instance with an older agent cannot take such a task.
 */
export const SSM_SECRETS_ATTRIBUTE = "ecs.capability.secrets.ssm.environment-variables";
export const SSM_SECRETS_MIN_AGENT = "1.22.0";
export const DEFAULT_AGENT_VERSION = "1.97.1";

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export const EXECUTION_ROLE_AWSLOGS_ATTRIBUTE = "ecs.capability.execution-role-awslogs";
/** Secrets Manager secrets in environment variables: agents register it from 1.23.0 on. */
const ASM_SECRETS_ATTRIBUTE = "ecs.capability.secrets.asm.environment-variables";
const ASM_SECRETS_MIN_AGENT = "1.23.0";

/** The Docker Remote API versions the agent reports for a current Docker (ECS asks for 1.18, 1.19, 1.21…). */
const DOCKER_API_VERSIONS = Array.from({ length: 28 }, (_, index) => `1.${17 + index}`);
/** ecs-init's default ECS_AVAILABLE_LOGGING_DRIVERS on the ECS-optimized AMI. */
const LOGGING_DRIVERS = ["json-file", "syslog", "awslogs", "fluentd", "none"];

/**
 * The attributes the agent registers the instance with: the default set of an ECS-optimized AMI for its
 * agent's version (aws/amazon-ecs-agent `agent/app/agent_capability.go`; ecs-init's defaults, which turn on
 * ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE, task IAM roles and these log drivers), less what the instance's
 * own configuration turned off (`withoutAttributes`).
 */
export function instanceAttributes(instance: InstanceState, region: string): Attribute[] {
  const atLeast = (minimum: string) => compareVersions(instance.agentVersion, minimum) >= 0;
  const capability = (name: string) => ({ name: `com.amazonaws.ecs.capability.${name}` });
  const attributes: Attribute[] = [
    { name: "ecs.os-type", value: "linux" },
    { name: "ecs.os-family", value: "LINUX" },
    { name: "ecs.cpu-architecture", value: "x86_64" },
    { name: "ecs.instance-type", value: instance.instanceType },
    ...(instance.amiId ? [{ name: "ecs.ami-id", value: instance.amiId }] : []),
    { name: "ecs.availability-zone", value: `${region}a` },
    ...DOCKER_API_VERSIONS.map((version) => capability(`docker-remote-api.${version}`)),
    ...LOGGING_DRIVERS.map((driver) => capability(`logging-driver.${driver}`)),
    capability("privileged-container"),
    capability("ecr-auth"),
    capability("task-iam-role"),
    capability("task-iam-role-network-host"),
    { name: "ecs.capability.execution-role-ecr-pull" },
    { name: EXECUTION_ROLE_AWSLOGS_ATTRIBUTE },
    { name: "ecs.capability.container-health-check" },
    { name: "ecs.capability.task-eni" },
    ...(atLeast(SSM_SECRETS_MIN_AGENT) ? [{ name: SSM_SECRETS_ATTRIBUTE }] : []),
    ...(atLeast(ASM_SECRETS_MIN_AGENT) ? [{ name: ASM_SECRETS_ATTRIBUTE }] : []),
  ];
  return attributes.filter((attribute) => !instance.withoutAttributes.includes(attribute.name ?? ""));
}

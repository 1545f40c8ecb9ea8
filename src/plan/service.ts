import type { Service, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { awsErrorName } from "../aws/errors.js";
import { appUrl } from "../domain/environment.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { McctlError, UsageError } from "../errors.js";

export interface ServiceRevision {
  service: Service;
  /** The revision the service points at. */
  current: TaskDefinition;
  tags: Tag[];
}

/** The service, or undefined when it or its cluster does not exist (a first install). */
export async function serviceIfAny(ecs: EcsApi, cluster: string, service: string) {
  try {
    return await ecs.describeService(cluster, service);
  } catch (error) {
    const cause = error instanceof McctlError ? error.cause : error;
    if (awsErrorName(cause) === "ClusterNotFoundException") return undefined;
    throw error;
  }
}

/**
 * METADATA_JDBC_URL of the revision the service runs (a deployment made by hand, or mcctl.json lost);
 * undefined without a cluster, a service or the variable. Read-only.
 */
export async function jdbcUrlInService(ecs: EcsApi, cluster: string, name: string) {
  const service = await serviceIfAny(ecs, cluster, name);
  if (service?.status !== "ACTIVE" || !service.taskDefinition) return undefined;
  const revision = await ecs.findTaskDefinition(service.taskDefinition);
  return revision?.containerDefinitions
    ?.find((container) => container.name === MC_CONTAINER)
    ?.environment?.find((entry) => entry.name === "METADATA_JDBC_URL")?.value;
}

/** The service and the revision it points at; fails clearly when there is no such service. */
export async function findServiceRevision(
  ecs: EcsApi,
  cluster: string,
  name: string,
): Promise<ServiceRevision> {
  const service = await requireActiveService(ecs, cluster, name);
  if (!service.taskDefinition) throw new McctlError(`service ${name} points at no task definition`);
  const { taskDefinition, tags } = await ecs.describeTaskDefinitionWithTags(service.taskDefinition);
  return { service, current: taskDefinition, tags };
}

export async function requireActiveService(ecs: EcsApi, cluster: string, name: string): Promise<Service> {
  const service = await ecs.describeService(cluster, name);
  if (service?.status !== "ACTIVE") {
    throw new McctlError(`service ${name} does not exist or is not ACTIVE in cluster ${cluster}`, {
      suggestion: "Check --service and --cluster, or create it with `mcctl create-service`.",
    });
  }
  return service;
}

/**
 * The URL the health check polls, decided before anything changes: --health-url as given, or with
 * --check-health METADATA_SCHEME://METADATA_HOST/ of the revision the service will run.
 */
export function resolveHealthUrl(
  options: { healthUrl?: string | undefined; checkHealth: boolean },
  revision: TaskDefinition | undefined,
): string | undefined {
  if (options.healthUrl) return options.healthUrl;
  if (!options.checkHealth) return undefined;
  const container = revision?.containerDefinitions?.find((definition) => definition.name === MC_CONTAINER);
  const url = appUrl(container?.environment);
  if (!url) {
    const name = revision ? `${revision.family}:${revision.revision}` : "the task definition";
    throw new UsageError(`--check-health needs METADATA_HOST, and ${name} does not set it`, {
      suggestion: "Pass --health-url http://HOST/ instead; nothing was changed.",
    });
  }
  return url;
}

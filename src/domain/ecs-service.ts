/** The ECS service mcctl creates for Model Catalogue, as CreateService's input. Pure. */
import type { CreateServiceCommandInput } from "@aws-sdk/client-ecs";
import { MANAGED_BY } from "./tags.js";

/**
 * Minimum 0% / maximum 100%: the task binds host port 80, so a replacement can never start beside the
 * old task on one instance; ECS must stop the old task first.
 */
export function buildCreateServiceInput(cluster: string, service: string, taskDefinitionArn: string) {
  return {
    cluster,
    serviceName: service,
    taskDefinition: taskDefinitionArn,
    desiredCount: 1,
    launchType: "EC2",
    deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    tags: [{ key: MANAGED_BY.key, value: MANAGED_BY.value }],
  } satisfies CreateServiceCommandInput;
}

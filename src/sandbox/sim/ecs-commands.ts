/** The ECS operations the simulator answers, and their SDK input types. */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterContainerInstanceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import type { EcsSimulator } from "./ecs.js";

/** The ECS commands the simulator answers: operation name → [SDK command class, EcsSimulator method]. */
export const ecsCommands = {
  CreateCluster: [CreateClusterCommand, "createCluster"],
  DescribeClusters: [DescribeClustersCommand, "describeClusters"],
  DeleteCluster: [DeleteClusterCommand, "deleteCluster"],
  ListTagsForResource: [ListTagsForResourceCommand, "listTagsForResource"],
  ListContainerInstances: [ListContainerInstancesCommand, "listContainerInstances"],
  DescribeContainerInstances: [DescribeContainerInstancesCommand, "describeContainerInstances"],
  DeregisterContainerInstance: [DeregisterContainerInstanceCommand, "deregisterContainerInstance"],
  RegisterTaskDefinition: [RegisterTaskDefinitionCommand, "registerTaskDefinition"],
  DescribeTaskDefinition: [DescribeTaskDefinitionCommand, "describeTaskDefinition"],
  ListTaskDefinitions: [ListTaskDefinitionsCommand, "listTaskDefinitions"],
  DeregisterTaskDefinition: [DeregisterTaskDefinitionCommand, "deregisterTaskDefinition"],
  DeleteTaskDefinitions: [DeleteTaskDefinitionsCommand, "deleteTaskDefinitions"],
  CreateService: [CreateServiceCommand, "createService"],
  DescribeServices: [DescribeServicesCommand, "describeServices"],
  UpdateService: [UpdateServiceCommand, "updateService"],
  DeleteService: [DeleteServiceCommand, "deleteService"],
  ListServices: [ListServicesCommand, "listServices"],
  ListTasks: [ListTasksCommand, "listTasks"],
  DescribeTasks: [DescribeTasksCommand, "describeTasks"],
  StartTask: [StartTaskCommand, "startTask"],
  StopTask: [StopTaskCommand, "stopTask"],
} as const satisfies Record<string, readonly [unknown, keyof EcsSimulator]>;

export type EcsCommandName = keyof typeof ecsCommands;

/** The SDK input type of an ECS operation the simulator implements, e.g. `EcsInput<"UpdateService">`. */
export type EcsInput<N extends EcsCommandName> = EcsSimulator[(typeof ecsCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

/** Operation name → SDK input type, for every ECS operation the simulator implements. */
export type EcsInputs = { [N in EcsCommandName]: EcsInput<N> };

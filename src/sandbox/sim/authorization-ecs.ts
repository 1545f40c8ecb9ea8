/**
 * What IAM requires for each simulated ECS command. Sources: Service Authorization Reference, "Actions, resources,
 * and condition keys for Amazon Elastic Container Service" (resource types and ARN formats); ECS Developer Guide,
 * "Grant permission to tag resources on creation" (ecs:TagResource with ecs:CreateAction), "Using service-linked
 * roles for Amazon ECS" and the CreateCluster API reference (the service-linked role); the task execution role
 * page (iam:PassRole). ListTasks is evaluated on "*" unless a container instance is named, scoped by ecs:cluster
 * (cdklabs/construct-hub#1207, widdix/complete-aws-iam-reference#74).
 */
import { InvalidParameterException, type Tag, type TaskDefinition } from "@aws-sdk/client-ecs";
import {
  type AuthorizationEnv,
  type AuthorizationTable,
  anyResource,
  type ConditionContext,
  passRole,
  type Requirement,
  requestTagKeys,
  serviceLinkedRoleRequirement,
} from "./authorization.js";
import type { EcsInputs } from "./ecs-commands.js";
import { clusterNameOf, EcsArns, lastSegment, taskDefinitionName } from "./ecs-model.js";
import { modeledError } from "./errors.js";

export const ecsAuthorization: AuthorizationTable<EcsInputs> = {
  CreateCluster: (input, env) => {
    const arn = arns(env).cluster(input.clusterName ?? "default");
    return [
      { action: "ecs:CreateCluster", resource: arn, context: tagKeys(input.tags) },
      ...tagOnCreate(arn, "CreateCluster", input.tags),
      // "ECS attempts to create the service-linked role … if the user … doesn't have permissions …, it isn't created."
      ...serviceLinkedRoleRequirement(env, "ecs.amazonaws.com", "proceed"),
    ];
  },
  DescribeClusters: (input, env) =>
    (input.clusters ?? ["default"]).map((cluster) => ({
      action: "ecs:DescribeClusters",
      resource: clusterArn(env, cluster),
    })),
  DeleteCluster: (input, env) => [{ action: "ecs:DeleteCluster", resource: clusterArn(env, input.cluster) }],
  ListTagsForResource: (input) => [{ action: "ecs:ListTagsForResource", resource: input.resourceArn ?? "*" }],
  ListContainerInstances: (input, env) => [
    { action: "ecs:ListContainerInstances", resource: clusterArn(env, input.cluster) },
  ],
  DescribeContainerInstances: (input, env) =>
    (input.containerInstances ?? []).map((instance) => ({
      action: "ecs:DescribeContainerInstances",
      resource: containerInstanceArn(env, input.cluster, instance),
      context: inCluster(env, input.cluster),
    })),
  // The Service Authorization Reference lists the cluster as DeregisterContainerInstance's resource.
  DeregisterContainerInstance: (input, env) => [
    { action: "ecs:DeregisterContainerInstance", resource: clusterArn(env, input.cluster) },
  ],
  RegisterTaskDefinition: (input, env) => {
    const family = input.family ?? "";
    const arn = arns(env).taskDefinition(`${family}:${env.ecs.nextRevision(family)}`);
    const roles = [input.executionRoleArn, input.taskRoleArn].filter((role): role is string => !!role);
    return [
      { action: "ecs:RegisterTaskDefinition", resource: arn, context: tagKeys(input.tags) },
      ...tagOnCreate(arn, "RegisterTaskDefinition", input.tags),
      ...roles.map((role) => passRole(env, role, "ecs-tasks.amazonaws.com")),
    ];
  },
  DescribeTaskDefinition: () => [anyResource("ecs:DescribeTaskDefinition")],
  ListTaskDefinitions: () => [anyResource("ecs:ListTaskDefinitions")],
  DeregisterTaskDefinition: () => [anyResource("ecs:DeregisterTaskDefinition")],
  DeleteTaskDefinitions: (input, env) =>
    (input.taskDefinitions ?? []).map((definition) => ({
      action: "ecs:DeleteTaskDefinitions",
      resource: arns(env).taskDefinition(taskDefinitionName(definition)),
    })),
  CreateService: (input, env) => {
    const arn = serviceArn(env, input.cluster, input.serviceName ?? "");
    return [
      {
        action: "ecs:CreateService",
        resource: arn,
        context: { ...inCluster(env, input.cluster), ...tagKeys(input.tags) },
      },
      ...tagOnCreate(arn, "CreateService", input.tags),
      ...serviceLinkedRoleRequirement(env, "ecs.amazonaws.com", (_denial, context) =>
        modeledError(
          InvalidParameterException,
          "Unable to assume the service linked role. Please verify that the ECS service linked role exists.",
          context.ids,
        ),
      ),
    ];
  },
  DescribeServices: (input, env) =>
    (input.services ?? []).map((service) => ({
      action: "ecs:DescribeServices",
      resource: serviceArn(env, input.cluster, service),
      context: inCluster(env, input.cluster),
    })),
  UpdateService: (input, env) => [
    {
      action: "ecs:UpdateService",
      resource: serviceArn(env, input.cluster, input.service ?? ""),
      context: inCluster(env, input.cluster),
    },
  ],
  DeleteService: (input, env) => [
    {
      action: "ecs:DeleteService",
      resource: serviceArn(env, input.cluster, input.service ?? ""),
      context: inCluster(env, input.cluster),
    },
  ],
  ListServices: (input, env) => [anyResource("ecs:ListServices", inCluster(env, input.cluster))],
  ListTasks: (input, env) => [
    {
      action: "ecs:ListTasks",
      resource: input.containerInstance
        ? containerInstanceArn(env, input.cluster, input.containerInstance)
        : "*",
      context: inCluster(env, input.cluster),
    },
  ],
  DescribeTasks: (input, env) =>
    (input.tasks ?? []).map((task) => ({
      action: "ecs:DescribeTasks",
      resource: taskArn(env, input.cluster, task),
      context: inCluster(env, input.cluster),
    })),
  // The revision is resolved before authorization (StartTask API reference, March 2024 note); the roles the
  // task definition names are passed to ECS (task execution role page: iam:PassRole to run tasks).
  StartTask: (input, env) => {
    const definition = describedTaskDefinition(env, input.taskDefinition);
    const resource =
      definition?.taskDefinitionArn ??
      arns(env).taskDefinition(taskDefinitionName(input.taskDefinition ?? ""));
    const roles = [definition?.executionRoleArn, definition?.taskRoleArn].filter(
      (role): role is string => !!role,
    );
    return [
      {
        action: "ecs:StartTask",
        resource,
        context: { ...inCluster(env, input.cluster), ...tagKeys(input.tags) },
      },
      ...tagOnCreate(taskArn(env, input.cluster, "*"), "StartTask", input.tags),
      ...roles.map((role) => passRole(env, role, "ecs-tasks.amazonaws.com")),
    ];
  },
  StopTask: (input, env) => [
    {
      action: "ecs:StopTask",
      resource: taskArn(env, input.cluster, input.task ?? ""),
      context: inCluster(env, input.cluster),
    },
  ],
};

function describedTaskDefinition(env: AuthorizationEnv, ref: string | undefined): TaskDefinition | undefined {
  try {
    return env.ecs.describeTaskDefinition({ taskDefinition: ref }).taskDefinition;
  } catch {
    return undefined; // StartTask itself says the task definition was not found
  }
}

function arns(env: AuthorizationEnv): EcsArns {
  return new EcsArns(env.region, env.accountId);
}

/** A cluster name or ARN (none: "default") → its ARN. */
function clusterArn(env: AuthorizationEnv, cluster: string | undefined): string {
  const ref = cluster ?? "default";
  return ref.startsWith("arn:") ? ref : arns(env).cluster(ref);
}

function clusterName(cluster: string | undefined): string {
  return clusterNameOf(cluster ?? "default");
}

function serviceArn(env: AuthorizationEnv, cluster: string | undefined, service: string): string {
  return service.startsWith("arn:") ? service : arns(env).service(clusterName(cluster), service);
}

function taskArn(env: AuthorizationEnv, cluster: string | undefined, task: string): string {
  return task.startsWith("arn:") ? task : arns(env).task(clusterName(cluster), lastSegment(task));
}

function containerInstanceArn(env: AuthorizationEnv, cluster: string | undefined, instance: string): string {
  return instance.startsWith("arn:") ? instance : arns(env).containerInstance(clusterName(cluster), instance);
}

/** ecs:cluster, the condition key that scopes cluster-wide actions. */
function inCluster(env: AuthorizationEnv, cluster: string | undefined): ConditionContext {
  return { "ecs:cluster": clusterArn(env, cluster) };
}

function tagKeys(tags: Tag[] | undefined): ConditionContext {
  return requestTagKeys((tags ?? []).map((tag) => ({ key: tag.key ?? "", value: tag.value ?? "" })));
}

/** "If tags are specified in the resource-creating action, AWS performs additional authorization": ecs:TagResource. */
function tagOnCreate(resource: string, createAction: string, tags: Tag[] | undefined): Requirement[] {
  if (!tags?.length) return [];
  return [
    { action: "ecs:TagResource", resource, context: { "ecs:CreateAction": createAction, ...tagKeys(tags) } },
  ];
}

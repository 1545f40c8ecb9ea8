import { allow, allowAnyResource, arns, type DeploymentScope } from "./permissions.js";

/** ECS checks the cluster a call names with the `ecs:cluster` condition key where the ARN cannot say it. */
const inCluster = (scope: DeploymentScope) => ({ ArnEquals: { "ecs:cluster": arns.ecsCluster(scope) } });

const allowAnyResourceIn = (action: string, condition: typeof inCluster) =>
  allow(action, () => "*", { condition });

/** Tagging on creation is authorized as a second action on the new resource (ECS Developer Guide). */
const tagOnCreate = (resource: (scope: DeploymentScope) => string | readonly string[]) =>
  allow("ecs:TagResource", resource, { why: "tags on creation" });

/**
 * An account's first cluster or service creates ECS's service-linked role; without the permission the
 * cluster is still created, and the first service fails (CreateCluster API reference).
 */
const ECS_SERVICE_LINKED_ROLE = allow(
  "iam:CreateServiceLinkedRole",
  (s) => `arn:${s.partition}:iam::${s.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
  {
    condition: () => ({ StringLike: { "iam:AWSServiceName": "ecs.amazonaws.com" } }),
    why: "an account's first cluster or service creates the ECS service-linked role",
  },
);

/** What IAM must allow for each ECS call (Service Authorization Reference, Amazon ECS). */
export const ECS_PERMISSIONS = {
  describeCluster: [allow("ecs:DescribeClusters", arns.ecsCluster)],
  createCluster: [
    allow("ecs:CreateCluster", arns.ecsCluster),
    tagOnCreate(arns.ecsCluster),
    ECS_SERVICE_LINKED_ROLE,
  ],
  listContainerInstances: [
    allow("ecs:ListContainerInstances", arns.ecsCluster),
    allow("ecs:DescribeContainerInstances", arns.ecsContainerInstances),
  ],
  findLatestTaskDefinition: [
    allowAnyResource("ecs:ListTaskDefinitions"),
    allowAnyResource("ecs:DescribeTaskDefinition"),
  ],
  findTaskDefinition: [allowAnyResource("ecs:DescribeTaskDefinition")],
  describeTaskDefinition: [allowAnyResource("ecs:DescribeTaskDefinition")],
  describeTaskDefinitionWithTags: [allowAnyResource("ecs:DescribeTaskDefinition")],
  listActiveRevisions: [allowAnyResource("ecs:ListTaskDefinitions")],
  listInactiveRevisions: [allowAnyResource("ecs:ListTaskDefinitions")],
  newestRetiredRevision: [allowAnyResource("ecs:ListTaskDefinitions")],
  deregisterTaskDefinition: [allowAnyResource("ecs:DeregisterTaskDefinition")],
  deleteTaskDefinitions: [allow("ecs:DeleteTaskDefinitions", arns.ecsTaskDefinitions)],
  describeContainerInstances: [allow("ecs:DescribeContainerInstances", arns.ecsContainerInstances)],
  registerTaskDefinition: [
    allow("ecs:RegisterTaskDefinition", arns.ecsTaskDefinitions),
    tagOnCreate(arns.ecsTaskDefinitions),
    allow("iam:PassRole", (s) => arns.iamRole(s, s.executionRole), {
      condition: () => ({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }),
      why: "the revision names the task execution role",
    }),
  ],
  describeService: [allow("ecs:DescribeServices", arns.ecsService)],
  createService: [
    allow("ecs:CreateService", arns.ecsService),
    tagOnCreate(arns.ecsService),
    ECS_SERVICE_LINKED_ROLE,
  ],
  updateService: [allow("ecs:UpdateService", arns.ecsService)],
  // Without a container instance in the request, ECS authorizes ListTasks on "*" (public denials show it),
  // so the cluster is named in the condition instead.
  listServiceTasks: [allowAnyResourceIn("ecs:ListTasks", inCluster)],
  describeTasks: [allow("ecs:DescribeTasks", arns.ecsTasks)],
  // The pre-pull of an upgrade: a one-off task of the <family>-prepull revisions on a container instance.
  startTask: [
    allow("ecs:StartTask", arns.ecsPrepullTaskDefinitions, { condition: inCluster }),
    tagOnCreate(arns.ecsTasks),
    allow("iam:PassRole", (s) => arns.iamRole(s, s.executionRole), {
      condition: () => ({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }),
      why: "the one-off task runs with the task execution role",
    }),
  ],
  stopTask: [allow("ecs:StopTask", arns.ecsTasks, { condition: inCluster })],
  listServices: [allowAnyResource("ecs:ListServices")],
  deleteService: [allow("ecs:DeleteService", arns.ecsService)],
  deregisterContainerInstance: [allow("ecs:DeregisterContainerInstance", arns.ecsCluster)],
  deleteCluster: [allow("ecs:DeleteCluster", arns.ecsCluster)],
} as const;

import {
  type Cluster,
  type ContainerInstance,
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
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
  ECSClient,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTaskDefinitions,
  paginateListTasks,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  StartTaskCommand,
  StopTaskCommand,
  type Tag,
  type Task,
  type TaskDefinition,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import type { AwsConfig } from "./config.js";
import { ECS_PERMISSIONS } from "./ecs-permissions.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of EcsApi without a declaration. */
const DECLARED: PermissionTable<EcsApi> = ECS_PERMISSIONS;

/** The part of ECS that mcctl uses, in mcctl's terms. */
export interface EcsApi {
  /** The cluster with its tags, or undefined when ECS does not know it (an INACTIVE one is returned). */
  describeCluster(cluster: string): Promise<Cluster | undefined>;
  createCluster(cluster: string, tags: Record<string, string>): Promise<Cluster>;
  /** Every ACTIVE or DRAINING container instance of the cluster, described. */
  listContainerInstances(cluster: string): Promise<ContainerInstance[]>;
  /** The newest ACTIVE revision of a family, or undefined when the family has none. */
  findLatestTaskDefinition(family: string): Promise<TaskDefinition | undefined>;
  /** The revision ("family:revision" or ARN), or undefined when ECS does not know it. */
  findTaskDefinition(reference: string): Promise<TaskDefinition | undefined>;
  describeTaskDefinition(reference: string): Promise<TaskDefinition>;
  /** The revision and its tags (ECS returns tags beside the task definition, not in it). */
  describeTaskDefinitionWithTags(reference: string): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }>;
  /** ARNs of a family's ACTIVE revisions, newest first. */
  listActiveRevisions(family: string): Promise<string[]>;
  /** ARNs of a family's INACTIVE (deregistered, not yet deleted) revisions, newest first. */
  listInactiveRevisions(family: string): Promise<string[]>;
  /**
   * The newest revision ECS still lists that is deregistered (INACTIVE) or being deleted
   * (DELETE_IN_PROGRESS): ECS numbers the next registration after it, never reusing a number.
   */
  newestRetiredRevision(
    family: string,
  ): Promise<{ revision: number; status: "INACTIVE" | "DELETE_IN_PROGRESS" } | undefined>;
  deregisterTaskDefinition(reference: string): Promise<void>;
  /**
   * Deletes INACTIVE revisions (at most 10 per call, as ECS takes them); returns the ones ECS refused,
   * with its reason.
   */
  deleteTaskDefinitions(references: readonly string[]): Promise<{ arn: string; reason: string }[]>;
  describeContainerInstances(cluster: string, arns: readonly string[]): Promise<ContainerInstance[]>;
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition>;
  /** The service, or undefined when ECS reports it MISSING. */
  describeService(cluster: string, service: string): Promise<Service | undefined>;
  createService(input: CreateServiceCommandInput): Promise<Service>;
  updateService(input: UpdateServiceCommandInput): Promise<Service>;
  listServiceTasks(cluster: string, service: string, desiredStatus: "RUNNING" | "STOPPED"): Promise<string[]>;
  describeTasks(cluster: string, taskArns: readonly string[]): Promise<Task[]>;
  /**
   * Starts one task of a revision on that container instance (no scheduler, no service), tagged; the
   * task, or ECS's reason when it refused to place it there (RESOURCE:MEMORY, say).
   */
  startTask(input: OneOffTask): Promise<{ task: Task } | { failure: string }>;
  /** Asks ECS to stop a task (docker stop on the host); a task already stopped stays as it is. */
  stopTask(cluster: string, taskArn: string, reason: string): Promise<void>;
  /** ARNs of the cluster's ACTIVE and DRAINING services. */
  listServices(cluster: string): Promise<string[]>;
  /** Deletes a service scaled to 0; false when ECS has no such service (any more). */
  deleteService(cluster: string, service: string): Promise<boolean>;
  /** Takes a container instance out of the cluster, tasks or not (ECS stops nothing on the host). */
  deregisterContainerInstance(cluster: string, containerInstanceArn: string): Promise<void>;
  /**
   * Deletes an empty cluster: "deleted", "missing" (no such cluster), or "busy" with ECS's reason while it
   * still holds services, container instances or tasks.
   */
  deleteCluster(
    cluster: string,
  ): Promise<{ outcome: "deleted" | "missing" } | { outcome: "busy"; reason: string }>;
}

export interface OneOffTask {
  cluster: string;
  /** "family:revision" or ARN. */
  taskDefinition: string;
  containerInstanceArn: string;
  /** Who started it, as ListTasks --started-by finds it. */
  startedBy: string;
  tags: Record<string, string>;
  /** Each container's command, overriding the revision's (containerOverrides). */
  commands?: Record<string, string[]> | undefined;
}

const CLUSTER_BUSY = new Set([
  "ClusterContainsServicesException",
  "ClusterContainsContainerInstancesException",
  "ClusterContainsTasksException",
  "UpdateInProgressException",
]);

const DESCRIBE_BATCH = 100;
const DELETE_BATCH = 10;

export function createEcsApi(config: AwsConfig, limits: AwsLimits = {}): EcsApi {
  const client = new ECSClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  const describeInstances = async (cluster: string, arns: readonly string[]) => {
    const instances: ContainerInstance[] = [];
    for (let start = 0; start < arns.length; start += DESCRIBE_BATCH) {
      const described = await client.send(
        new DescribeContainerInstancesCommand({
          cluster,
          containerInstances: arns.slice(start, start + DESCRIBE_BATCH),
        }),
      );
      instances.push(...(described.containerInstances ?? []));
    }
    return instances;
  };

  const findTaskDefinition = (reference: string) =>
    call({ declared: DECLARED.findTaskDefinition }, async () => {
      try {
        const output = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }));
        return output.taskDefinition;
      } catch (error) {
        // ECS answers a family without ACTIVE revisions with this ClientException, not a 404.
        if (
          (error as Error).name === "ClientException" &&
          /Unable to describe/i.test((error as Error).message)
        ) {
          return undefined;
        }
        throw error;
      }
    });

  const listRevisions = (family: string, status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS") =>
    call({ declared: DECLARED.listActiveRevisions }, async () => {
      const arns: string[] = [];
      const pages = paginateListTaskDefinitions({ client }, { familyPrefix: family, status, sort: "DESC" });
      for await (const page of pages) arns.push(...(page.taskDefinitionArns ?? []));
      // familyPrefix also matches longer family names ("mc" matches "mc-test"): keep exact matches.
      return arns.filter((arn) => arn.split("/").pop()?.replace(/:\d+$/, "") === family);
    });
  return {
    describeCluster: (cluster) =>
      call({ declared: DECLARED.describeCluster, cluster }, async () => {
        const output = await client.send(
          new DescribeClustersCommand({ clusters: [cluster], include: ["TAGS"] }),
        );
        return output.clusters?.[0];
      }),

    createCluster: (cluster, tags) =>
      call({ declared: DECLARED.createCluster, cluster }, async () => {
        const output = await client.send(
          new CreateClusterCommand({
            clusterName: cluster,
            tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
          }),
        );
        if (!output.cluster) throw new Error("ECS returned no cluster after creating it");
        return output.cluster;
      }),

    listContainerInstances: (cluster) =>
      call({ declared: DECLARED.listContainerInstances, cluster }, async () => {
        const arns: string[] = [];
        for await (const page of paginateListContainerInstances({ client }, { cluster })) {
          arns.push(...(page.containerInstanceArns ?? []));
        }
        return describeInstances(cluster, arns);
      }),

    describeContainerInstances: (cluster, arns) =>
      call({ declared: DECLARED.describeContainerInstances, cluster }, () =>
        describeInstances(cluster, arns),
      ),

    findLatestTaskDefinition: (family) => findTaskDefinition(family),
    findTaskDefinition: (reference) => findTaskDefinition(reference),

    describeTaskDefinition: (reference) =>
      call({ declared: DECLARED.describeTaskDefinition, taskDefinition: reference }, async () => {
        const output = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }));
        if (!output.taskDefinition) throw new Error(`ECS returned no task definition for ${reference}`);
        return output.taskDefinition;
      }),

    describeTaskDefinitionWithTags: (reference) =>
      call({ declared: DECLARED.describeTaskDefinitionWithTags, taskDefinition: reference }, async () => {
        const output = await client.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ["TAGS"] }),
        );
        if (!output.taskDefinition) throw new Error(`ECS returned no task definition for ${reference}`);
        return { taskDefinition: output.taskDefinition, tags: output.tags ?? [] };
      }),

    listActiveRevisions: (family) => listRevisions(family, "ACTIVE"),
    listInactiveRevisions: (family) => listRevisions(family, "INACTIVE"),
    newestRetiredRevision: async (family) => {
      const statuses = ["INACTIVE", "DELETE_IN_PROGRESS"] as const;
      const listed = await Promise.all(statuses.map((status) => listRevisions(family, status)));
      const revisions = statuses.flatMap((status, index) =>
        (listed[index] ?? []).map((arn) => ({ revision: Number(arn.split(":").pop()), status })),
      );
      return revisions.sort((a, b) => b.revision - a.revision)[0];
    },

    deregisterTaskDefinition: (reference) =>
      call({ declared: DECLARED.deregisterTaskDefinition, taskDefinition: reference }, async () => {
        await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: reference }));
      }),

    deleteTaskDefinitions: (references) =>
      call({ declared: DECLARED.deleteTaskDefinitions }, async () => {
        const refused: { arn: string; reason: string }[] = [];
        for (let start = 0; start < references.length; start += DELETE_BATCH) {
          const output = await client.send(
            new DeleteTaskDefinitionsCommand({
              taskDefinitions: references.slice(start, start + DELETE_BATCH),
            }),
          );
          for (const failure of output.failures ?? []) {
            refused.push({ arn: failure.arn ?? "", reason: failure.reason ?? failure.detail ?? "refused" });
          }
        }
        return refused;
      }),

    registerTaskDefinition: (input) =>
      call({ declared: DECLARED.registerTaskDefinition }, async () => {
        const output = await client.send(new RegisterTaskDefinitionCommand(input));
        if (!output.taskDefinition) throw new Error("ECS returned no task definition after registering");
        return output.taskDefinition;
      }),

    describeService: (cluster, service) =>
      call({ declared: DECLARED.describeService, cluster, service }, async () => {
        const output = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
        return output.services?.[0];
      }),

    createService: (input) =>
      call(
        { declared: DECLARED.createService, cluster: input.cluster, service: input.serviceName },
        async () => {
          const output = await client.send(new CreateServiceCommand(input));
          if (!output.service) throw new Error("ECS returned no service after creating it");
          return output.service;
        },
      ),

    updateService: (input) =>
      call({ declared: DECLARED.updateService, cluster: input.cluster, service: input.service }, async () => {
        const output = await client.send(new UpdateServiceCommand(input));
        if (!output.service) throw new Error("ECS returned no service after updating it");
        return output.service;
      }),

    listServiceTasks: (cluster, service, desiredStatus) =>
      call({ declared: DECLARED.listServiceTasks, cluster, service }, async () => {
        const arns: string[] = [];
        const pages = paginateListTasks({ client }, { cluster, serviceName: service, desiredStatus });
        for await (const page of pages) arns.push(...(page.taskArns ?? []));
        return arns;
      }),

    describeTasks: (cluster, taskArns) =>
      call({ declared: DECLARED.describeTasks, cluster }, async () => {
        const tasks: Task[] = [];
        for (let start = 0; start < taskArns.length; start += DESCRIBE_BATCH) {
          const output = await client.send(
            new DescribeTasksCommand({ cluster, tasks: taskArns.slice(start, start + DESCRIBE_BATCH) }),
          );
          tasks.push(...(output.tasks ?? []));
        }
        return tasks;
      }),

    startTask: (input) =>
      call(
        { declared: DECLARED.startTask, cluster: input.cluster, taskDefinition: input.taskDefinition },
        async () => {
          const output = await client.send(
            new StartTaskCommand({
              cluster: input.cluster,
              taskDefinition: input.taskDefinition,
              containerInstances: [input.containerInstanceArn],
              startedBy: input.startedBy,
              ...(input.commands
                ? {
                    overrides: {
                      containerOverrides: Object.entries(input.commands).map(([name, command]) => ({
                        name,
                        command,
                      })),
                    },
                  }
                : {}),
              tags: Object.entries(input.tags).map(([key, value]) => ({ key, value })),
            }),
          );
          const task = output.tasks?.[0];
          if (task) return { task };
          const failure = output.failures?.[0];
          return {
            failure: [failure?.reason, failure?.detail].filter(Boolean).join(": ") || "no task started",
          };
        },
      ),

    stopTask: (cluster, taskArn, reason) =>
      call({ declared: DECLARED.stopTask, cluster }, async () => {
        await client.send(new StopTaskCommand({ cluster, task: taskArn, reason }));
      }),

    listServices: (cluster) =>
      call({ declared: DECLARED.listServices, cluster }, async () => {
        const arns: string[] = [];
        for await (const page of paginateListServices({ client }, { cluster })) {
          arns.push(...(page.serviceArns ?? []));
        }
        return arns;
      }),

    deleteService: (cluster, service) =>
      call({ declared: DECLARED.deleteService, cluster, service }, async () => {
        try {
          await client.send(new DeleteServiceCommand({ cluster, service }));
          return true;
        } catch (error) {
          if (awsErrorName(error) === "ServiceNotFoundException") return false;
          throw error;
        }
      }),

    deregisterContainerInstance: (cluster, containerInstanceArn) =>
      call({ declared: DECLARED.deregisterContainerInstance, cluster }, async () => {
        await client.send(
          new DeregisterContainerInstanceCommand({
            cluster,
            containerInstance: containerInstanceArn,
            force: true,
          }),
        );
      }),

    deleteCluster: (cluster) =>
      call({ declared: DECLARED.deleteCluster, cluster }, async () => {
        try {
          await client.send(new DeleteClusterCommand({ cluster }));
          return { outcome: "deleted" as const };
        } catch (error) {
          const name = awsErrorName(error);
          if (name === "ClusterNotFoundException") return { outcome: "missing" as const };
          if (name !== undefined && CLUSTER_BUSY.has(name))
            return { outcome: "busy" as const, reason: (error as Error).message };
          throw error;
        }
      }),
  };
}

/**
 * Services in the simulated ECS (REPLICA, EC2 launch type, the ECS deployment controller): CreateService,
 * DescribeServices, UpdateService, DeleteService and ListServices. The calls change what they set (desired count,
 * deployments, status); the service scheduler (ecs-scheduler.ts) then starts and stops the tasks.
 */
import {
  type CreateServiceCommandInput,
  type CreateServiceResponse,
  type DeleteServiceCommandInput,
  type DeleteServiceResponse,
  type Deployment,
  type DescribeServicesCommandInput,
  type DescribeServicesResponse,
  type Failure,
  InvalidParameterException,
  type ListServicesCommandInput,
  type ListServicesResponse,
  type Service,
  type UpdateServiceCommandInput,
  type UpdateServiceResponse,
} from "@aws-sdk/client-ecs";
import { clone, compact } from "./core.js";
import {
  type ClusterState,
  type DeploymentState,
  lastSegment,
  normalizeDeploymentConfiguration,
  type ServiceCounts,
  type ServiceState,
  type TaskDefinitionState,
  type TaskState,
} from "./ecs-model.js";
import type { ServiceScheduler } from "./ecs-scheduler.js";
import type { EcsState } from "./ecs-state.js";

export class EcsServices {
  readonly #state: EcsState;
  readonly #scheduler: ServiceScheduler;

  constructor(state: EcsState, scheduler: ServiceScheduler) {
    this.#state = state;
    this.#scheduler = scheduler;
  }

  createService(input: CreateServiceCommandInput): CreateServiceResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    this.#assertEc2Only(input);
    const name = input.serviceName ?? "";
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,254}$/.test(name)) {
      throw this.#state.error(InvalidParameterException, "Service name must be specified and valid.");
    }
    const existing = this.#state.services.get(this.#state.serviceKey(cluster.arn, name));
    if (existing?.status === "ACTIVE") {
      if (input.clientToken !== undefined && input.clientToken === existing.clientToken) {
        return { service: this.#renderService(existing) };
      }
      throw this.#state.error(InvalidParameterException, "Creation of service was not idempotent.");
    }
    if (existing?.status === "DRAINING") {
      throw this.#state.error(InvalidParameterException, "Unable to Start a service that is still Draining.");
    }
    const taskDefinition = this.#state.taskDefinitionForService(input.taskDefinition);
    const desiredCount = this.#validDesiredCount(input.desiredCount ?? 0);
    const service = this.#newService(cluster, name, input, taskDefinition, desiredCount);
    this.#state.services.set(this.#state.serviceKey(cluster.arn, name), service);
    this.#scheduler.startDeployment(service, taskDefinition.arn);
    this.#scheduler.recordCounts(service);
    this.#scheduler.wakeSchedulerLater(service);
    return { service: this.#renderService(service) };
  }

  describeServices(input: DescribeServicesCommandInput): DescribeServicesResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    const refs = this.#state.nonEmptyList(input.services, "Services", 10);
    const services: Service[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const service = this.#state.services.get(this.#state.serviceKey(cluster.arn, lastSegment(ref)));
      if (service) services.push(this.#renderService(service));
      else
        failures.push({ arn: this.#state.arns.service(cluster.name, lastSegment(ref)), reason: "MISSING" });
    }
    return { services, failures };
  }

  updateService(input: UpdateServiceCommandInput): UpdateServiceResponse {
    this.#state.sync();
    const service = this.#state.activeService(input.cluster, input.service);
    const taskDefinition =
      input.taskDefinition === undefined
        ? undefined
        : this.#state.taskDefinitionForService(input.taskDefinition);
    if (input.desiredCount !== undefined) service.desiredCount = this.#validDesiredCount(input.desiredCount);
    service.deploymentConfiguration = normalizeDeploymentConfiguration(
      input.deploymentConfiguration,
      service.deploymentConfiguration,
    );
    const primary = this.#state.primary(service);
    const changesTaskDefinition =
      taskDefinition !== undefined && taskDefinition.arn !== primary.taskDefinitionArn;
    if (changesTaskDefinition || input.forceNewDeployment) {
      this.#scheduler.startDeployment(service, taskDefinition?.arn ?? primary.taskDefinitionArn);
    }
    this.#scheduler.wakeSchedulerLater(service);
    return { service: this.#renderService(service) };
  }

  deleteService(input: DeleteServiceCommandInput): DeleteServiceResponse {
    this.#state.sync();
    const service = this.#state.activeService(input.cluster, input.service);
    if (service.desiredCount > 0 && !input.force) {
      throw this.#state.error(
        InvalidParameterException,
        "The service cannot be stopped while it is scaled above 0.",
      );
    }
    service.desiredCount = 0;
    service.status = "DRAINING";
    this.#scheduler.wakeSchedulerLater(service);
    return { service: this.#renderService(service) };
  }

  listServices(input: ListServicesCommandInput = {}): ListServicesResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    const arns = [...this.#state.services.values()]
      .filter((service) => service.clusterArn === cluster.arn && service.status !== "INACTIVE")
      .map((service) => service.arn);
    const { page, nextToken } = this.#state.paginate(arns, input, 10);
    return compact({ serviceArns: page, nextToken });
  }

  #newService(
    cluster: ClusterState,
    name: string,
    input: CreateServiceCommandInput,
    taskDefinition: TaskDefinitionState,
    desiredCount: number,
  ): ServiceState {
    return {
      name,
      arn: this.#state.arns.service(cluster.name, name),
      clusterArn: cluster.arn,
      status: "ACTIVE",
      desiredCount,
      taskDefinitionArn: taskDefinition.arn,
      deploymentConfiguration: normalizeDeploymentConfiguration(input.deploymentConfiguration),
      createdAt: this.#state.ctx.clock.date(),
      clientToken: input.clientToken,
      deployments: [],
      events: [],
      steady: false,
      retryScheduled: false,
      schedulerDueAt: undefined,
      countHistory: [],
      recentMessages: new Map(),
      lastCompleted: undefined,
      echo: {
        loadBalancers: input.loadBalancers ?? [],
        serviceRegistries: input.serviceRegistries ?? [],
        placementConstraints: input.placementConstraints ?? [],
        placementStrategy: input.placementStrategy ?? [],
        roleArn: input.role,
        healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
        enableECSManagedTags: input.enableECSManagedTags ?? false,
        propagateTags: input.propagateTags ?? "NONE",
        enableExecuteCommand: input.enableExecuteCommand ?? false,
        tags: input.tags,
      },
    };
  }

  #assertEc2Only(input: CreateServiceCommandInput): void {
    const unsupported =
      (input.launchType !== undefined && input.launchType !== "EC2") ||
      input.capacityProviderStrategy !== undefined ||
      (input.schedulingStrategy !== undefined && input.schedulingStrategy !== "REPLICA") ||
      (input.deploymentController?.type !== undefined && input.deploymentController.type !== "ECS");
    if (unsupported) {
      throw new Error(
        "simulated ECS supports only REPLICA services with launchType EC2 and the ECS deployment controller",
      );
    }
  }

  #validDesiredCount(count: number): number {
    if (!Number.isInteger(count) || count < 0) {
      throw this.#state.error(InvalidParameterException, "Desired count must be a non-negative integer.");
    }
    return count;
  }

  /** The counts DescribeServices reports now: those noted `serviceCountsLagMs` ago. */
  #reportedCounts(service: ServiceState): ServiceCounts {
    const asOf = this.#state.ctx.clock.now() - this.#state.timings.serviceCountsLagMs;
    let index = -1;
    for (let i = 0; i < service.countHistory.length; i++) {
      if ((service.countHistory[i]?.at ?? Number.POSITIVE_INFINITY) <= asOf) index = i;
    }
    if (index === -1) return { running: 0, pending: 0, deployments: {} };
    // Time only moves forward: what came before the entry in use is never shown again.
    service.countHistory.splice(0, index);
    return service.countHistory[0]?.counts ?? { running: 0, pending: 0, deployments: {} };
  }

  #renderService(service: ServiceState): Service {
    const tasks = this.#state.tasksOfService(service);
    const counts = this.#reportedCounts(service);
    return compact({
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.clusterArn,
      status: service.status,
      desiredCount: service.desiredCount,
      runningCount: counts.running,
      pendingCount: counts.pending,
      launchType: "EC2",
      taskDefinition: service.taskDefinitionArn,
      deploymentConfiguration: clone(service.deploymentConfiguration),
      deployments: service.deployments
        .filter((deployment) => deployment.status !== "INACTIVE")
        .map((deployment) => this.#renderDeployment(service, deployment, tasks, counts)),
      events: clone(service.events),
      createdAt: service.createdAt,
      schedulingStrategy: "REPLICA",
      deploymentController: { type: "ECS" },
      createdBy: this.#state.ctx.principalArn,
      ...clone(service.echo),
    } satisfies Service);
  }

  #renderDeployment(
    service: ServiceState,
    deployment: DeploymentState,
    tasks: TaskState[],
    counts: ServiceCounts,
  ): Deployment {
    const live = tasks.filter(
      (task) => task.deploymentId === deployment.id && task.desiredStatus === "RUNNING",
    ).length;
    const own = counts.deployments[deployment.id] ?? { running: 0, pending: 0 };
    return {
      id: deployment.id,
      status: deployment.status,
      taskDefinition: deployment.taskDefinitionArn,
      desiredCount: deployment.status === "PRIMARY" ? service.desiredCount : live,
      pendingCount: own.pending,
      runningCount: own.running,
      failedTasks: deployment.failedTasks,
      createdAt: deployment.createdAt,
      updatedAt: deployment.updatedAt,
      launchType: "EC2",
      rolloutState: deployment.rolloutState,
      rolloutStateReason: deployment.rolloutStateReason,
    };
  }
}

/**
 * How long the simulated ECS takes for each step of a task's lifecycle and of the service scheduler's work
 * (`createSimulatedAws({ timings })`, `EcsSimulator.setTimings`).
 */

/** Lifecycle timings of simulated tasks and of the service scheduler, in milliseconds of (fake) time. */
export interface TaskTimings {
  /** awsvpc only: PROVISIONING → PENDING (the network interface is attached). */
  provisioningMs: number;
  /**
   * Starting the containers once their images are there: PENDING lasts the image pull (ecs-images.ts; nothing for
   * images of unknown size) plus this (for awsvpc PENDING → ACTIVATING). Also PENDING → failure for a scripted
   * PENDING failure.
   */
  pendingMs: number;
  /**
   * The agent asking the registry for an image's manifest (ECS_IMAGE_PULL_BEHAVIOR=default asks on every start,
   * even when the image is cached); also how long a refused pull takes to fail. Only for images of known size.
   */
  imageCheckMs: number;
  /** A container whose command was overridden (a one-off command) runs this long, then exits 0. */
  oneOffCommandMs: number;
  /** awsvpc only: ACTIVATING → RUNNING (task networking configured). */
  activatingMs: number;
  /** STOPPING → STOPPED (awsvpc: → DEPROVISIONING) for a stop requested by the service scheduler or StopTask (SIGTERM grace, teardown). */
  stoppingMs: number;
  /** STOPPING → STOPPED (awsvpc: → DEPROVISIONING) after a task failed (an essential container exited, the image could not be pulled). */
  failedStoppingMs: number;
  /** awsvpc only: DEPROVISIONING → STOPPED (the network interface is detached and deleted). */
  deprovisioningMs: number;
  /**
   * How long after CreateService, UpdateService, DeleteService or StopTask the service scheduler acts on the
   * service. The call itself changes only what it sets (desired count, deployments, the stopped task); which
   * tasks start or stop is decided on the scheduler's next pass. Calls within the delay are picked up together.
   */
  schedulerDelayMs: number;
  /**
   * How far the service's counts (runningCount / pendingCount, also per deployment) trail the tasks:
   * DescribeServices reports the counts as they were this long ago, while DescribeTasks is current.
   */
  serviceCountsLagMs: number;
  /** Time a task stays RUNNING before a scripted RUNNING-stage failure, unless the script says otherwise. */
  runningFailureMs: number;
  /** How long STOPPED tasks stay visible to ListTasks / DescribeTasks. */
  stoppedTaskRetentionMs: number;
  /** While a service cannot place a task, the scheduler tries again this often (even if nothing else happens). */
  placementRetryMs: number;
  /** An identical throttled service event (e.g. "unable to place a task") is not repeated within this window. */
  repeatedEventIntervalMs: number;
  /**
   * DeleteTaskDefinitions: how long a revision stays DELETE_IN_PROGRESS before ECS's periodic check deletes it
   * (at the earliest; never while a task or a deployment still uses it).
   */
  taskDefinitionDeletionMs: number;
  /**
   * awslogs: the log driver ships a container's output in batches this often (Docker's awslogs driver: every
   * 5 s), so an event's `ingestionTime` is the next batch after its timestamp, or the container's exit.
   */
  awslogsFlushMs: number;
  /** The default and scripted `everyMinute` output lines come this often while a container runs. */
  containerOutputIntervalMs: number;
}

export const defaultTaskTimings: Readonly<TaskTimings> = {
  provisioningMs: 2_000,
  pendingMs: 10_000,
  imageCheckMs: 500,
  oneOffCommandMs: 1_000,
  activatingMs: 1_000,
  stoppingMs: 20_000,
  failedStoppingMs: 1_000,
  deprovisioningMs: 2_000,
  schedulerDelayMs: 1_000,
  serviceCountsLagMs: 1_000,
  runningFailureMs: 5_000,
  stoppedTaskRetentionMs: 60 * 60_000,
  placementRetryMs: 30_000,
  repeatedEventIntervalMs: 5 * 60_000,
  taskDefinitionDeletionMs: 60_000,
  awslogsFlushMs: 5_000,
  containerOutputIntervalMs: 60_000,
};

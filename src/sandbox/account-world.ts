/**
 * What a sandbox account is made of: its (obviously fake) identity, the simulator's timings shortened so that a
 * whole `mcctl setup` waits about twenty seconds rather than a quarter of an hour, and what a new real AWS
 * account already has before mcctl runs in it.
 */
import { DEFAULT_INSTANCE_PROFILE } from "../config/defaults.js";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "./sim/index.js";

/**
 * Who the sandbox account is. The account id, like the keys, is plainly not a real one (LocalStack uses the
 * same id), so that nothing from the sandbox can be mistaken for, or sent to, a real account.
 */
export const SANDBOX_IDENTITY = {
  accountId: "000000000000",
  region: "eu-west-1",
  /** Shaped like an IAM user's access key id (AKIA + 16 characters), and saying what it is. */
  accessKeyId: "AKIASANDBOXEXAMPLE00",
  /** 40 characters, like a real secret access key. */
  secretAccessKey: "sandbox/NotARealSecret/mcctlPracticeOnly",
  /** The IAM user the keys belong to: what GetCallerIdentity answers. */
  principalArn: "arn:aws:iam::000000000000:user/sandbox",
} as const;

/**
 * The sandbox's timings. Real AWS takes minutes (RDS creating ~8 min, an instance registering ~1.5 min); the
 * sandbox keeps the order of events and the states an operator sees, in seconds: RDS available ~8 s after
 * CreateDBInstance (creating, then backing-up), an instance running and registered ~3 s after RunInstances,
 * a task RUNNING ~2.5 s after the scheduler places it and STOPPED ~2 s after it is told to stop.
 */
export const SANDBOX_TIMINGS = {
  ecs: {
    provisioningMs: 1_000,
    pendingMs: 2_000,
    imageCheckMs: 200,
    oneOffCommandMs: 1_000,
    activatingMs: 500,
    stoppingMs: 2_000,
    failedStoppingMs: 500,
    deprovisioningMs: 500,
    schedulerDelayMs: 500,
    serviceCountsLagMs: 1_000,
    runningFailureMs: 3_000,
    // placementRetryMs stays ECS's 30 s: a service that cannot place its task (no instance left) retries that
    // often for as long as the account is left alone, and every open replays those retries.
    taskDefinitionDeletionMs: 10_000,
    // The awslogs driver ships a container's lines every second: `mcctl logs` sees them right after start.
    awslogsFlushMs: 1_000,
  },
  ec2: { pendingMs: 1_500, ecsRegistrationMs: 1_500, ecsRegistrationRetryMs: 3_000, terminateMs: 3_000 },
  rds: {
    creatingMs: 6_000,
    backingUpMs: 2_000,
    snapshotMs: 3_000,
    deletingMs: 3_000,
    restoringMs: 6_000,
    resettingMs: 2_000,
  },
  // Short, but not nothing: mcctl's waiting out of IAM's eventual consistency still shows.
  iam: { propagationMs: 2_000 },
} as const satisfies {
  ecs: SimulatedAwsOptions["timings"];
  ec2: NonNullable<SimulatedAwsOptions["ec2"]>["timings"];
  rds: NonNullable<SimulatedAwsOptions["rds"]>["timings"];
  iam: NonNullable<SimulatedAwsOptions["iam"]>["timings"];
};

/**
 * Events one call may bring due. The simulator's guard against a livelock (100,000) counts events, not time: an
 * account left for weeks with a service retrying placement every 30 s would trip it. This one is years of that.
 */
export const SANDBOX_MAX_EVENTS_PER_CALL = 10_000_000;

/** A simulator with the sandbox's identity and timings; `now` is its time source. */
export function createSandboxSimulator(options: { seed: number; now: () => number }): SimulatedAws {
  const sim = createSimulatedAws({
    accountId: SANDBOX_IDENTITY.accountId,
    region: SANDBOX_IDENTITY.region,
    principalArn: SANDBOX_IDENTITY.principalArn,
    seed: options.seed,
    now: options.now,
    timings: SANDBOX_TIMINGS.ecs,
    ec2: { timings: SANDBOX_TIMINGS.ec2 },
    rds: { timings: SANDBOX_TIMINGS.rds },
    iam: { timings: SANDBOX_TIMINGS.iam },
  });
  sim.clock.maxEventsPerAdvance = SANDBOX_MAX_EVENTS_PER_CALL;
  return sim;
}

/**
 * What a new AWS account has before anyone runs mcctl in it: the default VPC (a default subnet in each of three
 * Availability Zones, its "default" security group), and, as the simulator already provides on its own, the
 * public ECS-optimized AMIs and their SSM parameters, RDS's engine versions. Plus the one prerequisite mcctl
 * asks the operator to make and never makes itself: the instance profile `ecsInstanceRole` with its role (as
 * the ECS console creates it). Nothing mcctl creates (bucket, database, cluster, roles, groups…) is there.
 */
export function furnishNewAccount(sim: SimulatedAws): void {
  sim.ec2.addDefaultVpc({ zones: 3 });
  sim.iam.addInstanceProfile(DEFAULT_INSTANCE_PROFILE);
}

import type { Settings } from "../../src/config/settings.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../src/domain/task-definition.js";
import { ensureInstanceSecurityGroup, launchInstance } from "../../src/operations/setup/launch.js";
import {
  type RegisteredInstance,
  waitForContainerInstance,
} from "../../src/operations/setup/wait-instance.js";
import { type LaunchPlan, planLaunch } from "../../src/plan/setup/launch.js";
import type { SetupAws } from "../../src/plan/setup/types.js";
import { testApplyIo, testPlanIo } from "./setup-io.js";
import type { SimulatedAws } from "./sim.js";
import { runUntilSettled } from "./time.js";

/** A fresh account as AWS hands it out: a default VPC; plus the ECS instance role the docs tell you to create. */
export function emptyAccount(sim: SimulatedAws, profile: { role?: string | null } = {}) {
  const vpc = sim.ec2.addDefaultVpc();
  sim.iam.addInstanceProfile("ecsInstanceRole", profile.role);
  return vpc;
}

export interface McctlLaunch {
  plan: LaunchPlan;
  groupId: string;
  instanceId: string;
  registered?: RegisteredInstance | undefined;
}

/**
 * What `mcctl setup` does for compute, step by step, without its other steps: plans the launch with
 * `settings` (no terminal), creates the cluster when it is missing, the instances' group, launches
 * the instance and, with `wait`, waits until it registers.
 */
export async function launchWithMcctl(
  aws: SetupAws,
  options: { cluster?: string; settings?: Settings; wait?: boolean } = {},
): Promise<McctlLaunch> {
  const cluster = options.cluster ?? "default";
  const plan = await planLaunch(
    testPlanIo({ settings: options.settings ?? { setup: { instance: { type: "m5.xlarge" } } } }).io,
    aws,
    cluster,
    taskRequirements(DEFAULT_TASK_SETTINGS),
  );
  const { io } = testApplyIo({ waitTimeoutMs: 15 * 60_000 });
  if ((await aws.ecs.describeCluster(cluster))?.status !== "ACTIVE")
    await aws.ecs.createCluster(cluster, io.tags);
  const groupId = await ensureInstanceSecurityGroup(io, aws, plan);
  const instanceId = await launchInstance(io, aws, cluster, plan, groupId);
  const registered = options.wait
    ? await runUntilSettled(waitForContainerInstance(io, aws, cluster, instanceId))
    : undefined;
  return { plan, groupId, instanceId, registered };
}

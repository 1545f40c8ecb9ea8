/**
 * The ECS container agent on instances launched through RunInstances: once the instance runs, the agent
 * registers it in its cluster (when it has credentials and the cluster is ACTIVE; until then it retries, as
 * ecs-init restarts a failing agent), and ECS learns when the instance stops, shuts down or is terminated.
 */

import { publicDnsNameFor } from "./ec2-instance-render.js";
import { ec2InstanceTypes } from "./ec2-model.js";
import type { Ec2InstanceRecord, Ec2State } from "./ec2-state.js";

/** A launched instance reaches `running`: it gets its public address and its ECS agent starts. */
export function enterRunning(state: Ec2State, record: Ec2InstanceRecord): void {
  record.state = "running";
  const launch = record.launch;
  if (!launch) return;
  if (launch.plannedPublicIp !== undefined && record.publicIpAddress === undefined) {
    record.publicIpAddress = launch.plannedPublicIp;
    record.publicDnsName = publicDnsNameFor(state.ctx.region, launch.plannedPublicIp);
  }
  if (state.ecs && launch.containerInstanceArn === undefined) {
    scheduleRegistration(state, record, state.timings.ecsRegistrationMs);
  }
}

function scheduleRegistration(state: Ec2State, record: Ec2InstanceRecord, delayMs: number): void {
  const generation = record.generation;
  state.ctx.clock.after(delayMs, `ECS agent on ${record.instanceId} registers`, () => {
    const launch = record.launch;
    if (record.generation !== generation || record.state !== "running" || !launch || !state.ecs) return;
    if (launch.containerInstanceArn !== undefined) return;
    const cluster = registrationCluster(state, record);
    if (cluster === undefined) {
      scheduleRegistration(state, record, state.timings.ecsRegistrationRetryMs);
      return;
    }
    const resources = ec2InstanceTypes[record.instanceType];
    const containerInstance = state.ecs.addContainerInstance(cluster, {
      ec2InstanceId: record.instanceId,
      instanceType: record.instanceType,
      amiId: record.imageId,
      cpu: resources?.ecsCpu,
      memoryMiB: resources?.ecsMemoryMiB,
    });
    launch.containerInstanceArn = containerInstance.containerInstanceArn;
  });
}

/**
 * The cluster the instance's ECS agent can register in now, or undefined: it needs credentials (an instance
 * profile that exists and holds a role) and an ACTIVE cluster named by `ECS_CLUSTER=` (default "default").
 */
function registrationCluster(state: Ec2State, record: Ec2InstanceRecord): string | undefined {
  const launch = record.launch;
  if (!launch?.instanceProfile || !state.ecs) return undefined;
  if (state.iam) {
    const profile = state.iam.instanceProfile(launch.instanceProfile.Arn);
    if (!profile || (profile.Roles ?? []).length === 0) return undefined;
  }
  const userData =
    launch.userData === undefined ? "" : Buffer.from(launch.userData, "base64").toString("utf8");
  const cluster = /\bECS_CLUSTER=([A-Za-z0-9_-]+)/.exec(userData)?.[1] ?? "default";
  const { clusters = [] } = state.ecs.describeClusters({ clusters: [cluster] });
  return clusters.some((candidate) => candidate.status === "ACTIVE") ? cluster : undefined;
}

/**
 * Keeps a registered container instance in line with its EC2 instance. Shutting down or terminated: ECS
 * learns it for every container instance registered from that EC2 instance (the agent disconnects; at
 * termination ECS deregisters it and its tasks stop); otherwise a launched instance's agent (dis)connects.
 */
export function syncContainerInstance(state: Ec2State, record: Ec2InstanceRecord): void {
  if (!state.ecs) return;
  if (record.state === "terminated" || record.state === "shutting-down") {
    state.ecs.ec2InstanceStateChanged(record.instanceId, record.state);
    return;
  }
  const arn = record.launch?.containerInstanceArn;
  if (arn) state.ecs.setContainerInstanceState(arn, { agentConnected: record.state === "running" });
}

import type { ContainerInstance } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { awsErrorName } from "../aws/errors.js";
import { SUGGESTED_INSTANCE_TYPE } from "../config/defaults.js";
import { capitalized } from "../domain/formats.js";
import {
  attributeAdvice,
  canHold,
  describeVerdict,
  judgePlacement,
  type RevisionNeeds,
} from "../domain/placement.js";
import { McctlError } from "../errors.js";

export interface PlacementRequest {
  cluster: string;
  /** How the plan names the revision: "the new revision", "model-catalogue:7". */
  what: string;
  /** The instances to judge, when the caller has them already (setup: the one it reuses). */
  instances?: readonly ContainerInstance[] | undefined;
}

/**
 * Refuses, before anything changes, a revision that no ACTIVE container instance of the cluster could ever
 * run: one whose registered CPU or memory is short of a task's, or whose agent did not register an attribute
 * the revision requires (ECS would leave it unplaced: "missing an attribute required by your task"). What
 * runs there now does not count: a restart stops it first. Returns a note for each instance that could never
 * run it while another can; nothing when the cluster has no instance (yet) to judge.
 */
export async function checkRevisionPlacement(
  ecs: EcsApi,
  revision: RevisionNeeds,
  request: PlacementRequest,
): Promise<string[]> {
  const listed = request.instances ?? (await clusterInstances(ecs, request.cluster));
  const active = listed.filter((instance) => instance.status === "ACTIVE");
  if (active.length === 0) return [];
  const verdicts = judgePlacement(active, revision);
  const blocked = verdicts.filter((verdict) => !canHold(verdict));
  if (blocked.length === verdicts.length) {
    const remedies = [
      ...new Set(
        blocked.flatMap((verdict) => verdict.attributes.map((name) => attributeAdvice(name).remedy)),
      ),
    ];
    if (blocked.some((verdict) => verdict.capacity.length > 0)) {
      remedies.push(
        `add a larger container instance to ${request.cluster} (such as ${SUGGESTED_INSTANCE_TYPE}: 4 vCPUs, 16 GiB) or give the containers less CPU or memory in mcctl.json`,
      );
    }
    throw new McctlError(
      `no container instance in cluster ${request.cluster} could ever run ${request.what}: ${blocked.map(describeVerdict).join("; ")}`,
      { suggestion: `${capitalized(remedies.join("; "))}, then run the command again; nothing was changed.` },
    );
  }
  return blocked.map(
    (verdict) => `ECS never places ${request.what} on container instance ${describeVerdict(verdict)}`,
  );
}

/** The cluster's container instances; none when the cluster does not exist (yet). */
export async function clusterInstances(ecs: EcsApi, cluster: string): Promise<ContainerInstance[]> {
  try {
    return await ecs.listContainerInstances(cluster);
  } catch (error) {
    const cause = error instanceof McctlError ? error.cause : error;
    if (awsErrorName(cause) === "ClusterNotFoundException") return [];
    throw error;
  }
}

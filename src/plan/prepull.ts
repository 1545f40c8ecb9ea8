import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { canHold, judgePlacement, type RevisionNeeds } from "../domain/placement.js";
import { type PrepullHost, prepullHost, prepullMemoryMiB, prepullTaskDefinition } from "../domain/prepull.js";
import { McctlError } from "../errors.js";
import { clusterInstances } from "./placement.js";

/** The pre-pull, decided: the one-off revision to register and the container instances to run it on. */
export interface PrepullPlan {
  cluster: string;
  registration: RegisterTaskDefinitionCommandInput;
  /** The images pulled (each container's). */
  images: string[];
  memoryMiB: number;
  hosts: PrepullHost[];
}

/**
 * Every ACTIVE container instance with a connected agent that could run `revision` (judged on what it
 * registered, as the restart would place it) gets the pre-pull. Each must have the one-off task's memory
 * free beside what runs there now, or the plan refuses, naming --no-prepull. Read-only.
 */
export async function planPrepull(
  ecs: EcsApi,
  request: { cluster: string; revision: RevisionNeeds & { family?: string | undefined } },
): Promise<PrepullPlan> {
  const registration = prepullTaskDefinition(request.revision);
  const memoryMiB = prepullMemoryMiB(registration);
  const listed = await clusterInstances(ecs, request.cluster);
  const candidates = listed.filter(
    (instance) => instance.status === "ACTIVE" && instance.agentConnected !== false,
  );
  const hosts = judgePlacement(candidates, request.revision)
    .filter(canHold)
    .map((verdict) => prepullHost(verdict.instance));
  if (hosts.length === 0) {
    throw new McctlError(
      `no container instance of cluster ${request.cluster} with a connected agent could run the new revision, so there is nowhere to pull its images`,
      {
        suggestion:
          "Check `mcctl status`; `--no-prepull` upgrades without the pre-pull (the agent pulls as the new task starts).",
      },
    );
  }
  const short = hosts.filter((host) => host.freeMemoryMiB < memoryMiB);
  if (short.length > 0) {
    throw new McctlError(
      `the pre-pull needs ${memoryMiB} MiB beside the running task, and ${short
        .map((host) => `${host.label} has ${host.freeMemoryMiB} of ${host.registeredMemoryMiB} MiB left`)
        .join(", ")}`,
      {
        suggestion:
          "Run `mcctl upgrade --no-prepull` (the images are then pulled during the outage); nothing was changed.",
      },
    );
  }
  const images = (registration.containerDefinitions ?? []).flatMap((container) =>
    container.image ? [container.image] : [],
  );
  return { cluster: request.cluster, registration, images, memoryMiB, hosts };
}

/** The plan's step title and lines. */
export function describePrepull(plan: PrepullPlan): { title: string; details: string[] } {
  return {
    title: `pre-pull the new images on ${plan.hosts.length === 1 ? "the container instance" : `${plan.hosts.length} container instances`} before anything stops: a one-off task of ${plan.registration.family} (${plan.memoryMiB} MiB, exits at once), waited until it stopped with exit code 0`,
    details: [
      ...plan.images.map((image) => `image ${image}`),
      ...plan.hosts.map(
        (host) =>
          `on ${host.label}: ${host.freeMemoryMiB} of ${host.registeredMemoryMiB} MiB registered memory left beside the running task`,
      ),
    ],
  };
}

import type { EcsApi } from "../aws/ecs.js";
import { restartSteps } from "../domain/restart-sequence.js";
import { shortRevision } from "../domain/task-revision.js";
import { requireActiveService, resolveHealthUrl } from "./service.js";

export interface RestartPlan {
  cluster: string;
  service: string;
  /** The desired count now, and the one the service gets back (a service at 0 gets --count). */
  desired: number;
  targetCount: number;
  revision: string;
  healthUrl?: string | undefined;
  /** The sequence, one line a step, as the plan shows it. */
  steps: string[];
}

/** A restart, decided: the service exists, the count to restore and the health URL are known. Read-only. */
export async function planRestart(
  ecs: EcsApi,
  request: {
    cluster: string;
    service: string;
    count: number;
    healthUrl?: string | undefined;
    checkHealth: boolean;
  },
): Promise<RestartPlan> {
  const service = await requireActiveService(ecs, request.cluster, request.service);
  const desired = service.desiredCount ?? 0;
  const targetCount = desired > 0 ? desired : request.count;
  const healthUrl = resolveHealthUrl(
    request,
    request.checkHealth && !request.healthUrl && service.taskDefinition
      ? await ecs.describeTaskDefinition(service.taskDefinition)
      : undefined,
  );
  return {
    cluster: request.cluster,
    service: request.service,
    desired,
    targetCount,
    revision: shortRevision(service.taskDefinition),
    healthUrl,
    steps: restartSteps({ service: request.service, from: desired, to: targetCount, healthUrl }),
  };
}

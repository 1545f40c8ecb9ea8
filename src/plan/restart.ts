import type { EcsApi } from "../aws/ecs.js";
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
    steps: restartSteps(request.service, desired, targetCount, healthUrl),
  };
}

/** The restart sequence as the plan prints it. */
export function restartSteps(
  service: string,
  from: number,
  to: number,
  healthUrl: string | undefined,
  revision?: string,
): string[] {
  return [
    `set the desired count of ${service} from ${from} to 0${revision ? ` and point it at ${revision}` : ""}`,
    "wait until every task is STOPPED (a stopping task still holds port 80)",
    `set the desired count back to ${to}`,
    `wait until the service is steady${healthUrl ? `, then until ${healthUrl} answers HTTP 200` : ""}`,
  ];
}

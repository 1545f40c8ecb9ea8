import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { adoptRevision } from "../config/deployment.js";
import type { Settings } from "../config/settings.js";
import { restartSteps } from "../domain/restart-sequence.js";
import { diffTaskDefinitions, type TaskDefinitionChange } from "../domain/task-definition-diff.js";
import { reviseTaskDefinition, shortRevision } from "../domain/task-revision.js";
import { McctlError, UsageError } from "../errors.js";
import { findServiceRevision, resolveHealthUrl } from "./service.js";

export interface RollbackPlan {
  current: TaskDefinition;
  target: TaskDefinition;
  from: string;
  to: string;
  /** "roll back" to an older revision, "switch" to a newer one (one registered but not yet in service). */
  verb: "roll back" | "switch";
  changes: TaskDefinitionChange[];
  healthUrl?: string | undefined;
  steps: string[];
  /** mcctl.json describing the target revision, and the variables of it mcctl.json cannot hold. */
  settingsAfter: Settings;
  skipped: string[];
}

/**
 * A rollback, decided: the service runs a revision, the one to go to exists and is ACTIVE, the health
 * URL is known, and mcctl.json will describe the target. Read-only.
 */
export async function planRollback(
  ecs: EcsApi,
  file: Settings,
  request: {
    cluster: string;
    service: string;
    to?: string | undefined;
    healthUrl?: string | undefined;
    checkHealth: boolean;
  },
): Promise<RollbackPlan> {
  const { service, current } = await findServiceRevision(ecs, request.cluster, request.service);
  const target = await findTarget(ecs, current, request.to);
  const healthUrl = resolveHealthUrl(request, target);
  const from = shortRevision(current.taskDefinitionArn);
  const to = shortRevision(target.taskDefinitionArn);
  const desired = service.desiredCount ?? 0;
  const adopted = adoptRevision(file, target);
  return {
    current,
    target,
    from,
    to,
    verb: (target.revision ?? 0) < (current.revision ?? 0) ? "roll back" : "switch",
    changes: diffTaskDefinitions(current, reviseTaskDefinition(target, undefined, [])),
    healthUrl,
    steps: restartSteps({
      service: request.service,
      from: desired,
      to: desired > 0 ? desired : 1,
      healthUrl,
      revision: to,
    }),
    settingsAfter: adopted.settings,
    skipped: adopted.skipped,
  };
}

/** The revision to go to: the one asked for, or the newest ACTIVE one older than the current. */
async function findTarget(
  ecs: EcsApi,
  current: TaskDefinition,
  to: string | undefined,
): Promise<TaskDefinition> {
  const family = current.family as string;
  if (to) {
    const reference = /^\d+$/.test(to) ? `${family}:${to}` : to;
    const target = await ecs.findTaskDefinition(reference);
    if (!target) {
      throw new McctlError(`task definition ${reference} does not exist`, {
        suggestion: `List the revisions with \`aws ecs list-task-definitions --family-prefix ${family}\`; nothing was changed.`,
      });
    }
    if (target.status === "INACTIVE") {
      throw new McctlError(`task definition ${reference} is INACTIVE (deregistered): ECS cannot start it`, {
        suggestion: "Name an ACTIVE revision with --to; nothing was changed.",
      });
    }
    if (target.taskDefinitionArn === current.taskDefinitionArn) {
      throw new UsageError(`the service already runs ${family}:${current.revision}`, {
        suggestion: "Name another revision with --to, or use `mcctl restart`.",
      });
    }
    return target;
  }
  const older = (await ecs.listActiveRevisions(family)).find(
    (arn) => Number(arn.split(":").pop()) < (current.revision ?? 0),
  );
  if (!older) {
    throw new McctlError(`${family} has no ACTIVE revision older than ${current.revision} to roll back to`, {
      suggestion: `Name one with --to REVISION (see \`aws ecs list-task-definitions --family-prefix ${family}\`).`,
    });
  }
  return ecs.describeTaskDefinition(older);
}

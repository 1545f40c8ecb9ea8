import type { RegisterTaskDefinitionCommandInput, Service, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { type CommandContext, confirmChange } from "../context.js";
import { diffTaskDefinitions } from "../domain/task-definition-diff.js";
import { InterruptedError, McctlError } from "../errors.js";
import { renderChanges } from "../ui/diff.js";
import { performRestart, type RestartFlags, shortRevision } from "./restart.js";

/** The service and the revision it points at; fails clearly when there is no such service. */
export async function describeServiceRevision(
  context: CommandContext,
  ecs: EcsApi,
): Promise<{ service: Service; current: TaskDefinition; tags: Tag[] }> {
  const { cluster, service: name } = context;
  const service = await ecs.describeService(cluster, name);
  if (service?.status !== "ACTIVE" || !service.taskDefinition) {
    throw new McctlError(`service ${name} does not exist or is not ACTIVE in cluster ${cluster}`, {
      suggestion: "Check --service and --cluster, or create it with `mcctl create-service`.",
    });
  }
  const { taskDefinition, tags } = await ecs.describeTaskDefinitionWithTags(service.taskDefinition);
  return { service, current: taskDefinition, tags };
}

export interface RevisionSwitch extends RestartFlags {
  deadline: number;
  /** The revision the service runs now. */
  current: TaskDefinition;
  /** What it should run: registered first unless `existingArn` names an existing revision. */
  next: RegisterTaskDefinitionCommandInput;
  existingArn?: string;
  verb: "Upgrade" | "Roll back";
  /** After a failed switch: go back to `current` without asking (true), ask on a terminal (undefined). */
  rollbackOnFailure?: boolean;
  offerRollback?: boolean;
}

export interface RevisionSwitchResult {
  dryRun: boolean;
  from: string;
  to?: string;
}

/**
 * Shows what changes between two revisions, then points the service at the new one while it is
 * scaled to 0 and runs the restart sequence, verifying the running task uses the new revision.
 */
export async function switchRevision(
  context: CommandContext,
  ecs: EcsApi,
  plan: RevisionSwitch,
): Promise<RevisionSwitchResult> {
  const { output, service, cluster } = context;
  const from = shortRevision(plan.current.taskDefinitionArn);
  const changes = diffTaskDefinitions(plan.current, plan.next);
  const target = plan.existingArn
    ? shortRevision(plan.existingArn)
    : `a new revision of ${plan.current.family}`;
  output.info(`${plan.verb} ${service} in cluster ${cluster}: ${from} → ${target}`);
  output.info(
    changes.length > 0 ? renderChanges(changes, output.style) : "  (no differences in the task definition)",
  );
  output.info(
    `Then: set the desired count to 0, wait until every task has stopped, start the new revision, wait until steady.`,
  );
  if (plan.dryRun) {
    output.result({ dryRun: true, from, to: target, changes }, "dry run: nothing was changed");
    return { dryRun: true, from };
  }
  await confirmChange(
    context,
    `${plan.verb} ${service}? Model Catalogue is unavailable until the new task has started.`,
  );

  const arn = plan.existingArn ?? (await ecs.registerTaskDefinition(plan.next)).taskDefinitionArn;
  if (!arn) throw new McctlError("ECS returned no ARN for the new revision");
  if (!plan.existingArn) output.success(`Registered ${shortRevision(arn)}`);

  try {
    const result = await performRestart(context, ecs, { ...plan, taskDefinitionArn: arn });
    if (result.taskDefinition !== arn) {
      throw new McctlError(
        `${service} runs ${shortRevision(result.taskDefinition)} instead of ${shortRevision(arn)}`,
        {
          suggestion: "Someone else changed the service meanwhile; check it with `mcctl status`.",
        },
      );
    }
  } catch (error) {
    if (error instanceof InterruptedError || !plan.offerRollback || !(error instanceof McctlError))
      throw error;
    throw await rollBackAfterFailure(context, ecs, plan, error);
  }
  output.result(
    { dryRun: false, from, to: shortRevision(arn) },
    `${service} now runs ${shortRevision(arn)} (was ${from})`,
  );
  return { dryRun: false, from, to: shortRevision(arn) };
}

async function rollBackAfterFailure(
  context: CommandContext,
  ecs: EcsApi,
  plan: RevisionSwitch,
  failure: McctlError,
): Promise<McctlError> {
  const { output, service } = context;
  const previous = plan.current.taskDefinitionArn as string;
  output.error(failure.message);
  const wanted =
    plan.rollbackOnFailure ||
    (context.interactive && (await context.ask.askConfirm(`Roll back to ${shortRevision(previous)}?`, true)));
  if (!wanted) {
    return new McctlError(`${plan.verb.toLowerCase()} failed: ${failure.message}`, {
      suggestion:
        `${failure.suggestion ?? ""} To go back: mcctl rollback --to ${plan.current.revision}`.trim(),
    });
  }
  output.warn(`Rolling back ${service} to ${shortRevision(previous)}…`);
  try {
    await performRestart(context, ecs, {
      ...plan,
      // The rollback gets a full timeout of its own: the failed attempt may have used it all.
      deadline: Date.now() + plan.timeout,
      taskDefinitionArn: previous,
      healthUrl: undefined,
      checkHealth: false,
    });
  } catch (rollbackError) {
    return new McctlError(
      `${plan.verb.toLowerCase()} failed (${failure.message}) and so did the rollback to ${shortRevision(previous)}: ${(rollbackError as Error).message}`,
      { suggestion: "Look at `mcctl status` and the service events; fix the cause, then `mcctl restart`." },
    );
  }
  return new McctlError(
    `${plan.verb.toLowerCase()} failed and was rolled back: ${service} runs ${shortRevision(previous)} again (${failure.message})`,
    { suggestion: failure.suggestion },
  );
}

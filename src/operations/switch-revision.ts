import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { shortRevision } from "../domain/task-revision.js";
import { InterruptedError, McctlError } from "../errors.js";
import type { Reporter } from "./reporter.js";
import { type RestartRequest, restartService } from "./restart.js";
import { registerRevision } from "./role-propagation.js";

/** An upgrade or a rollback, as the plan decided it. */
export interface RevisionSwitch extends Omit<RestartRequest, "taskDefinitionArn" | "countWhenStopped"> {
  /** The revision the service runs now. */
  current: TaskDefinition;
  /** A new revision to register (upgrade), or the ARN of an existing one (rollback). */
  target: { register: RegisterTaskDefinitionCommandInput } | { existingArn: string };
  /** "upgrade" or "roll back", for messages. */
  verb: string;
  /** Go back to `current` when the switch fails (decided in the plan: by flag or by the operator). */
  rollbackOnFailure: boolean;
}

export interface RevisionSwitchResult {
  from: string;
  to: string;
  /** The ARN of the revision the service runs at the end. */
  runningArn: string;
  /** The revision `target.register` became, when one was registered. */
  registered?: TaskDefinition | undefined;
}

/**
 * Points the service at another revision while it is scaled to 0 (registering it first when it is
 * new), runs the restart sequence, and checks that the running task uses that revision. When that
 * fails and the plan said so, the service goes back to the revision it ran before.
 */
export async function switchRevision(
  ecs: EcsApi,
  reporter: Reporter,
  change: RevisionSwitch,
): Promise<RevisionSwitchResult> {
  const from = shortRevision(change.current.taskDefinitionArn);
  let registered: TaskDefinition | undefined;
  let arn: string;
  if ("existingArn" in change.target) {
    arn = change.target.existingArn;
  } else {
    registered = await registerRevision(ecs, reporter, change.target.register, change);
    if (!registered.taskDefinitionArn) throw new McctlError("ECS returned no ARN for the new revision");
    arn = registered.taskDefinitionArn;
    reporter.success(`Registered ${shortRevision(arn)}`);
  }
  const to = shortRevision(arn);

  try {
    const result = await restartService(ecs, reporter, {
      ...change,
      countWhenStopped: 1,
      taskDefinitionArn: arn,
    });
    if (result.taskDefinition !== arn) {
      throw new McctlError(
        `${change.service} runs ${shortRevision(result.taskDefinition)} instead of ${to}`,
        {
          suggestion: "Someone else changed the service meanwhile; check it with `mcctl status`.",
        },
      );
    }
  } catch (error) {
    if (error instanceof InterruptedError || !(error instanceof McctlError)) throw error;
    if (!change.rollbackOnFailure) {
      throw new McctlError(`${change.verb} failed: ${error.message}`, {
        suggestion:
          `${error.suggestion ?? ""} ${change.service} now points at ${to}; to go back: mcctl rollback --to ${change.current.revision}`.trim(),
        exitCode: error.exitCode,
        cause: error,
      });
    }
    return rollBack(ecs, reporter, change, error);
  }
  return { from, to, runningArn: arn, registered };
}

/** Back to the revision that ran before; always ends by throwing what happened, rolled back or not. */
async function rollBack(
  ecs: EcsApi,
  reporter: Reporter,
  change: RevisionSwitch,
  failure: McctlError,
): Promise<never> {
  const previous = change.current.taskDefinitionArn as string;
  reporter.error(failure.message);
  reporter.warn(`Rolling back ${change.service} to ${shortRevision(previous)}…`);
  try {
    // The rollback gets a full timeout of its own: the failed attempt may have used it all.
    await restartService(ecs, reporter, {
      ...change,
      countWhenStopped: 1,
      taskDefinitionArn: previous,
      healthUrl: undefined,
      deadline: undefined,
    });
  } catch (rollbackError) {
    if (rollbackError instanceof InterruptedError) throw rollbackError;
    throw new McctlError(
      `${change.verb} failed (${failure.message}) and so did the rollback to ${shortRevision(previous)}: ${(rollbackError as Error).message}`,
      { suggestion: "Look at `mcctl status` and the service events; fix the cause, then `mcctl restart`." },
    );
  }
  throw new McctlError(
    `${change.verb} failed and was rolled back: ${change.service} runs ${shortRevision(previous)} again (${failure.message})`,
    { suggestion: failure.suggestion },
  );
}

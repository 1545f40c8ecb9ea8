import type { RegisterTaskDefinitionCommandInput, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { awsErrorName } from "../aws/errors.js";
import { capitalized } from "../domain/formats.js";
import { isKmsRefusal, refusedAsRole, unassumableRole } from "../domain/service-state.js";
import { formatDuration } from "../durations.js";
import { hasCause, McctlError } from "../errors.js";
import type { SecretStorePlan } from "../plan/secrets.js";
import { sleep } from "../queries/poll.js";
import type { Reporter } from "./reporter.js";

/**
 * IAM is eventually consistent ("Changes that I make are not always immediately visible", IAM User Guide):
 * a role mcctl has just created, or a policy it has just put on the role, reaches ECS seconds later. Until
 * then RegisterTaskDefinition may refuse to pass the role, ECS may fail to assume it, and a task may be
 * refused its secrets. Within this window after mcctl's own change those failures are waited out; after
 * it, or when mcctl changed no role, they are failures like any other.
 */
export const ROLE_PROPAGATION_WINDOW_MS = 90_000;

export const PROPAGATION_NOTICE =
  "waiting for the new role to be usable: IAM changes take seconds to reach ECS";

/** A role mcctl created or changed (a policy attached or put) in this run. */
export interface RoleChange {
  name: string;
  arn: string;
  /** Created in this run, not only given a policy. */
  created: boolean;
  /** Date.now() just after the change. */
  at: number;
}

/** The execution role change a confirmed secret store plan has just made, if any. */
export function executionRoleChange(plan: SecretStorePlan, at = Date.now()): RoleChange | undefined {
  const { role } = plan;
  if (!role.managed || !(role.create || role.attachManagedPolicy || role.putPolicy)) return undefined;
  return { name: role.name, arn: role.arn, created: role.create, at };
}

/** Whether `now` is still within the time IAM may take to show the change to ECS. */
export function withinPropagation(change: RoleChange, now = Date.now()): boolean {
  return now < change.at + ROLE_PROPAGATION_WINDOW_MS;
}

/**
 * Whether a stopped task failed for a reason the change explains while it propagates: ECS could not
 * assume the role, or the role (as ECS still saw it) could not read or decrypt the secrets. Only for
 * tasks started within the window.
 */
export function isPropagationFailure(task: Task, change: RoleChange | undefined): boolean {
  if (!change) return false;
  const started = task.createdAt?.getTime() ?? task.stoppedAt?.getTime() ?? Date.now();
  if (!withinPropagation(change, started)) return false;
  return explainedByChange(task.stoppedReason ?? "", change);
}

/** Whether a service event says ECS could not assume the changed role, within the window. */
export function isPropagationEvent(
  message: string,
  change: RoleChange | undefined,
  at = Date.now(),
): boolean {
  if (!change || !withinPropagation(change, at)) return false;
  return unassumableRole(message) === change.arn;
}

function explainedByChange(reason: string, change: RoleChange): boolean {
  if (unassumableRole(reason) === change.arn) return true;
  if (/unable to find execution role credentials/i.test(reason)) return true;
  const refused = refusedAsRole(reason);
  if (refused) return refused.role === change.name;
  // KMS's refusal names no role; within the window it is the changed role's.
  return isKmsRefusal(reason);
}

/** RegisterTaskDefinition's answers while a role it names has not reached ECS. */
function isRegistrationPropagationError(error: unknown, change: RoleChange): boolean {
  return hasCause(error, (cause) => {
    const name = awsErrorName(cause) ?? "";
    if (/AccessDenied/.test(name) && /iam:PassRole/.test(cause.message)) {
      return cause.message.includes(change.arn);
    }
    return change.created && name === "ClientException" && /Role is not valid/i.test(cause.message);
  });
}

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 10_000;

/**
 * Registers a revision. When it names a role mcctl has just created or changed and ECS refuses it as it
 * does while IAM propagates (iam:PassRole denied, "Role is not valid"), tries again with backoff until the
 * window ends, saying what it waits for; Ctrl-C ends the wait. Past the window, one error that says what is
 * true (never that the role needs creating: it exists).
 */
export async function registerRevision(
  ecs: EcsApi,
  reporter: Reporter,
  input: RegisterTaskDefinitionCommandInput,
  options: { roleChange?: RoleChange | undefined; signal?: AbortSignal | undefined },
): Promise<TaskDefinition> {
  const change = options.roleChange;
  const namesChangedRole = change !== undefined && input.executionRoleArn === change.arn;
  try {
    return await ecs.registerTaskDefinition(input);
  } catch (error) {
    if (!namesChangedRole || !isRegistrationPropagationError(error, change)) throw error;
    if (!withinPropagation(change)) throw stillRefused(error, change);
  }
  return reporter.wait(`${capitalized(PROPAGATION_NOTICE)} (${change.name})`, async (progress) => {
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      const left = change.at + ROLE_PROPAGATION_WINDOW_MS - Date.now();
      await sleep(Math.max(0, Math.min(delay, left)), options.signal);
      try {
        const registered = await ecs.registerTaskDefinition(input);
        return {
          value: registered,
          done: `ECS accepts role ${change.name} (${formatDuration(Date.now() - change.at)} after the change)`,
        };
      } catch (error) {
        if (!isRegistrationPropagationError(error, change)) throw error;
        if (!withinPropagation(change)) throw stillRefused(error, change);
        progress.progress(
          `${capitalized(PROPAGATION_NOTICE)} (${change.name}): ECS still refuses it, trying again`,
          change.at,
        );
      }
    }
  });
}

function stillRefused(error: unknown, change: RoleChange): McctlError {
  const passRole = hasCause(error, (cause) => /iam:PassRole/.test(cause.message));
  const after = `${formatDuration(Date.now() - change.at)} after mcctl ${change.created ? "created" : "changed"} it`;
  return new McctlError(
    passRole
      ? `ECS still refuses to let you pass role ${change.name} (iam:PassRole denied) ${after}`
      : `ECS still does not accept role ${change.name} ("Role is not valid") ${after}`,
    {
      suggestion: passRole
        ? `IAM changes usually reach ECS within seconds: run the command again in a few minutes (the role exists, mcctl uses it as it is). If it is refused again, ask an administrator to allow iam:PassRole on ${change.arn} for your IAM user or role.`
        : `IAM changes usually reach ECS within seconds: run the command again in a few minutes (the role exists, mcctl uses it as it is); \`aws iam get-role --role-name ${change.name}\` shows it.`,
      cause: error,
    },
  );
}

import type { LogsApi } from "../aws/logs.js";
import type { Logging } from "../domain/logs.js";

/** What a registration does about the log group its containers write to. */
export type LogGroupPlan =
  | { kind: "none" }
  | { kind: "exists"; group: string; retentionDays: number }
  | { kind: "create"; group: string; retentionDays: number }
  | { kind: "retention"; group: string; retentionDays: number; before?: number | undefined };

/** Whether applying the plan changes anything. */
export function logGroupChanges(plan: LogGroupPlan): boolean {
  return plan.kind === "create" || plan.kind === "retention";
}

/**
 * What the deployment's log group needs before a revision that writes to it is registered: nothing
 * (syslog, or it exists with the retention wanted), to be created, or its retention set. Read-only.
 */
export async function planLogGroup(logs: LogsApi, logging: Logging): Promise<LogGroupPlan> {
  if (logging.driver !== "awslogs") return { kind: "none" };
  const found = await logs.findLogGroup(logging.group);
  if (!found) return { kind: "create", group: logging.group, retentionDays: logging.retentionDays };
  if (found.retentionInDays !== logging.retentionDays) {
    return {
      kind: "retention",
      group: logging.group,
      retentionDays: logging.retentionDays,
      before: found.retentionInDays,
    };
  }
  return { kind: "exists", group: logging.group, retentionDays: logging.retentionDays };
}

/** The plan's line about the log group. */
export function describeLogGroupPlan(plan: LogGroupPlan): string | undefined {
  switch (plan.kind) {
    case "none":
      return undefined;
    case "exists":
      return `Logs: CloudWatch Logs group ${plan.group} (exists, kept ${plan.retentionDays} days)`;
    case "create":
      return `Logs: + create CloudWatch Logs group ${plan.group}, kept ${plan.retentionDays} days`;
    case "retention":
      return `Logs: ~ ${plan.group}: keep events ${plan.retentionDays} days (now ${plan.before ?? "forever"})`;
  }
}

/** The step of a plan that changes the log group; undefined when nothing changes. */
export function describeLogGroupStep(plan: LogGroupPlan): string | undefined {
  if (plan.kind === "create") return `create log group ${plan.group}`;
  if (plan.kind === "retention") {
    return `set the retention of log group ${plan.group} to ${plan.retentionDays} days`;
  }
  return undefined;
}

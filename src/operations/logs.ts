import type { LogsApi } from "../aws/logs.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import type { Reporter } from "./reporter.js";

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
 * Creates the log group (tagged) with its retention, or sets the retention, before a revision that
 * writes to it is registered: ECS cannot start a task whose log group is missing. Asks nothing.
 */
export async function ensureLogGroup(logs: LogsApi, reporter: Reporter, plan: LogGroupPlan): Promise<void> {
  if (plan.kind === "create") {
    await logs.createLogGroup(plan.group, { ...MCCTL_TAGS });
    await logs.setRetention(plan.group, plan.retentionDays);
    reporter.success(`Created log group ${plan.group} (kept ${plan.retentionDays} days)`);
  } else if (plan.kind === "retention") {
    await logs.setRetention(plan.group, plan.retentionDays);
    reporter.success(`Log group ${plan.group} now keeps events ${plan.retentionDays} days`);
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

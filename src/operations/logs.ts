import type { LogsApi } from "../aws/logs.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import type { LogGroupPlan } from "../plan/logs.js";
import type { Reporter } from "./reporter.js";

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

import type { LogsApi } from "../aws/logs.js";
import type { Logging } from "../domain/logs.js";
import type { LogGroupPlan } from "../operations/logs.js";

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

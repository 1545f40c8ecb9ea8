import { DEFAULT_LOG_RETENTION_DAYS, defaultLogGroup } from "../domain/logs.js";
import { DEFAULT_TASK_SETTINGS, esHeapSizeFor, type TaskSettings } from "../domain/task-definition.js";
import type { Settings } from "./settings.js";

/**
 * The task's shape from mcctl.json, the environment and --family: family, where the logs go (in
 * `region`), and both containers' image, memory and CPU. Defaults fill in what nothing says.
 */
export function resolveTaskSettings(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  familyFlag?: string,
  region = "<region>",
): TaskSettings {
  const defaults = DEFAULT_TASK_SETTINGS;
  const esMemory = settings.es?.memory ?? defaults.es.memory;
  const family = familyFlag ?? env.MCCTL_TASK_FAMILY ?? settings.taskFamily ?? defaults.family;
  const logs = settings.logs;
  return {
    family,
    logging:
      logs?.driver === "syslog"
        ? { driver: "syslog" }
        : {
            driver: "awslogs",
            group: logs?.group ?? defaultLogGroup(family),
            region,
            retentionDays: logs?.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
          },
    mc: { ...defaults.mc, ...settings.mc },
    es: {
      ...defaults.es,
      heapSize: settings.es?.memory === undefined ? defaults.es.heapSize : esHeapSizeFor(esMemory),
      ...settings.es,
    },
  };
}

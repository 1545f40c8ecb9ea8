import type { Settings } from "../../config/settings.js";
import { MANAGED_BY } from "../../domain/tags.js";
import type { DestroySteps } from "../../operations/destroy/types.js";

export type { DestroyAws } from "../../operations/destroy/types.js";

/** The plan's groups, in the order destroy works through them. */
export const DESTROY_GROUPS = [
  "Service",
  "Compute",
  "Network",
  "Database",
  "Storage",
  "Task definitions",
  "Secrets",
  "Logs",
] as const;
export type DestroyGroup = (typeof DESTROY_GROUPS)[number];

/** delete: goes in this run; wait: AWS is deleting it already; keep: stays, and why. */
export interface DestroyLine {
  group: DestroyGroup;
  action: "delete" | "wait" | "keep";
  text: string;
}

export interface DestroyRequest {
  cluster: string;
  service: string;
  family: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  deleteBucket: boolean;
  force: boolean;
  skipFinalSnapshot: boolean;
  now: Date;
}

export interface DestroyPlan {
  steps: DestroySteps;
  lines: DestroyLine[];
  /** Nothing is left to delete or wait for: what mcctl made is gone. */
  nothingToDo: boolean;
}

/** EC2 states of an instance that is not terminated (yet): it can still be, and still uses its groups. */
export const LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"];

/** Why a resource without the tag is kept. */
export const NOT_OURS = `not tagged ${MANAGED_BY.key}=${MANAGED_BY.value} (mcctl did not create it)`;

/** Adds the plan's lines of one group. */
export function lineWriter(lines: DestroyLine[], group: DestroyGroup) {
  return (action: DestroyLine["action"], text: string): void => {
    lines.push({ group, action, text });
  };
}

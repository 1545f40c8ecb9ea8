import type { Settings } from "../../config/settings.js";
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

export const MANAGED_BY_MCCTL = { key: "managed-by", value: "mcctl" } as const;

/** Why a resource without the tag is kept. */
export const NOT_OURS = `not tagged ${MANAGED_BY_MCCTL.key}=${MANAGED_BY_MCCTL.value} (mcctl did not create it)`;

/** Adds the plan's lines of one group. */
export function lineWriter(lines: DestroyLine[], group: DestroyGroup) {
  return (action: DestroyLine["action"], text: string): void => {
    lines.push({ group, action, text });
  };
}

/** Whether tags (in any of AWS's shapes) carry managed-by=mcctl. */
export function taggedByMcctl(
  tags:
    | readonly {
        Key?: string | undefined;
        Value?: string | undefined;
        key?: string | undefined;
        value?: string | undefined;
      }[]
    | Record<string, string>
    | undefined,
): boolean {
  if (tags === undefined) return false;
  if (Array.isArray(tags)) {
    return tags.some(
      (tag) =>
        (tag.Key ?? tag.key) === MANAGED_BY_MCCTL.key && (tag.Value ?? tag.value) === MANAGED_BY_MCCTL.value,
    );
  }
  return (tags as Record<string, string>)[MANAGED_BY_MCCTL.key] === MANAGED_BY_MCCTL.value;
}

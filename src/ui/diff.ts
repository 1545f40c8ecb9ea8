import type { ChalkInstance } from "chalk";
import type { TaskDefinitionChange } from "../domain/task-definition-diff.js";

const MARK = { added: "+", removed: "-", changed: "~" } as const;

/** One line per change, e.g. `  ~ mc image: metadata/registry:2 → metadata/registry:2.1`. */
export function renderChanges(changes: readonly TaskDefinitionChange[], style: ChalkInstance): string {
  return changes
    .map((change) => {
      const colour =
        change.change === "added" ? style.green : change.change === "removed" ? style.red : style.yellow;
      const where = change.container ? `${change.container} ` : "";
      const label = change.scope === "environment" ? `env ${change.field}` : change.field;
      const value =
        change.change === "added"
          ? `= ${change.after ?? ""}`
          : change.change === "removed"
            ? `(was ${change.before ?? ""})`
            : `${change.before ?? ""} → ${change.after ?? ""}`;
      return colour(`  ${MARK[change.change]} ${where}${label}: ${value}`);
    })
    .join("\n");
}

import { DESTROY_GROUPS, type DestroyLine, type DestroyPlan } from "../plan/destroy/types.js";
import type { Output } from "./output.js";

const MARK: Record<DestroyLine["action"], string> = { delete: "-", wait: "…", keep: "=" };

/** The plan, grouped by kind of resource: what goes (-), what AWS is deleting already (…), what stays (=). */
export function printDestroyPlan(output: Output, plan: DestroyPlan): void {
  output.info("Destroy plan (- deleted, … being deleted already, = kept):");
  for (const group of DESTROY_GROUPS) {
    const lines = plan.lines.filter((line) => line.group === group);
    if (lines.length === 0) continue;
    output.info(`  ${group}`);
    for (const line of lines) output.info(`    ${MARK[line.action]} ${line.text}`);
  }
}

import type { SetupOutcome } from "../operations/setup/apply.js";
import type { Target } from "../plan/account.js";
import type { SetupPlan } from "../plan/setup/plan.js";

/**
 * What setup prints when it is done (stdout): where it runs, each resource it created on a line of
 * its own, where users reach it, and what is left to do by hand.
 */
export function setupSummary(
  outcome: SetupOutcome,
  plan: SetupPlan,
  target: Target,
  settingsPath: string,
): string {
  const host = plan.registration.inputs.environment.METADATA_HOST;
  const lines = [
    outcome.complete
      ? `Model Catalogue is set up in account ${target.account}, ${target.region}.`
      : `Setup is not finished: ${outcome.pendingReason}`,
    ...(outcome.created.length > 0
      ? ["  created:", ...outcome.created.map((resource) => `    + ${resource}`)]
      : ["  created: nothing (everything existed)"]),
  ];
  if (outcome.taskDefinition)
    lines.push(`  task definition ${outcome.taskDefinition}, service ${plan.service.name}`);
  if (outcome.instanceUrl) lines.push(`  reachable now at ${outcome.instanceUrl}`);
  if (host) lines.push(`  users will reach it at http://${host}/ (METADATA_HOST)`);
  if (outcome.complete) {
    lines.push(
      "Next steps:",
      `  - point DNS for ${host ?? "METADATA_HOST"} at the instance`,
      '  - on first start, run the "Reindex Catalogue" admin action',
    );
    if (plan.registration.inputs.environment.MC_SUPERVISOR_PASSWORD === undefined) {
      lines.push('  - change the supervisor password: it is the default "supervisor"');
    }
  }
  lines.push(`${settingsPath} describes this deployment (never secrets).`);
  return lines.join("\n");
}

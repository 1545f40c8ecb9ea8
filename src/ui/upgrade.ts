import type { SettingsChange } from "../config/deployment.js";
import { formatCommand } from "../domain/pull-commands.js";
import { plainTextSecrets } from "../domain/secrets.js";
import { describeLogGroupPlan } from "../plan/logs.js";

import type { SnapshotPlan } from "../plan/snapshot.js";
import type { UpgradePlan } from "../plan/upgrade.js";
import { renderChanges } from "./diff.js";
import type { Output } from "./output.js";
import { printSettingsChanges } from "./plan.js";
import { printSecretStore } from "./secrets.js";

/**
 * What an upgrade would change, above its numbered steps: a new revision's differences, secrets, log
 * group, placement notes and mcctl.json; or the pulls of an upgrade in place; then the snapshot's notes.
 */
export function printUpgradePlan(
  output: Output,
  plan: UpgradePlan,
  about: {
    service: string;
    cluster: string;
    snapshot: SnapshotPlan;
    settings: SettingsChange[];
    path: string;
  },
): void {
  if (plan.kind === "revision") {
    output.info(
      `Upgrade ${about.service} in cluster ${about.cluster}: ${plan.from} → a new revision of ${plan.current.family}`,
    );
    output.info(renderChanges(plan.changes, output.style));
    if (plan.secrets) printSecretStore(output, plan.secrets);
    const logLine = plan.logGroup ? describeLogGroupPlan(plan.logGroup) : undefined;
    if (logLine) output.info(logLine);
    for (const note of plan.placementNotes) output.warn(note);
    printSettingsChanges(output, about.settings, about.path);
  } else {
    output.info(`Upgrade ${about.service} (${plan.from}) in place, same tags:`);
    for (const pull of plan.pulls) output.info(`  ${formatCommand(pull.argv)}`);
    for (const warning of plan.sshWarnings) output.warn(warning);
    const plain = plainTextSecrets(plan.current);
    if (plain.length > 0) {
      output.warn(
        `${plan.from} holds ${plain.join(", ")} in plain text; this upgrade keeps that revision. \`mcctl register-task\` moves them to SSM.`,
      );
    }
  }
  if (!plan.prepull && (plan.kind === "revision" || plan.pulls.length === 0)) {
    output.warn(
      "No pre-pull: the ECS agent pulls the images as the new task starts, after the old one has stopped, so the pull is part of the outage (and a tag that cannot be pulled is found only then).",
    );
  }
  if (about.snapshot.kind === "skipped") output.warn(about.snapshot.reason);
  if (about.snapshot.kind === "none") output.hint(about.snapshot.reason);
}

/** What --json prints for a dry run of an upgrade. */
export function upgradeSummary(plan: UpgradePlan, snapshot: SnapshotPlan): Record<string, unknown> {
  if (plan.kind === "pull") {
    return {
      from: plan.from,
      prepull: prepullSummary(plan),
      pulls: plan.pulls.map((pull) => pull.argv),
      restart: true,
      snapshot,
    };
  }
  return {
    from: plan.from,
    to: `a new revision of ${plan.current.family}`,
    changes: plan.changes,
    prepull: prepullSummary(plan),
    snapshot,
    secrets: plan.secrets?.secrets.map(({ variable, action, version }) => ({ variable, action, version })),
  };
}

function prepullSummary(plan: UpgradePlan) {
  const prepull = plan.prepull;
  if (!prepull) return undefined;
  return {
    family: prepull.registration.family,
    images: prepull.images,
    memoryMiB: prepull.memoryMiB,
    hosts: prepull.hosts.map(({ label, freeMemoryMiB, registeredMemoryMiB }) => ({
      instance: label,
      freeMemoryMiB,
      registeredMemoryMiB,
    })),
  };
}

import type { DBSnapshot } from "@aws-sdk/client-rds";
import { diffSettings, revisionName } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import { resolveTaskSettings } from "../config/task-settings.js";
import type { CommandContext } from "../context.js";
import { REVISION_TAG, tagValue } from "../domain/restore.js";
import { UPGRADE_SNAPSHOT_TAG } from "../domain/task-revision.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { RestartSequence } from "../driver/restart-sequence.js";
import { restoreSteps } from "../driver/restore-steps.js";
import type { ChangingVerb, Plan } from "../driver/verb.js";
import { McctlError } from "../errors.js";
import { type RevisionSwitchResult, switchRevision } from "../operations/switch-revision.js";
import { lookUpTarget } from "../plan/account.js";
import { planRestore } from "../plan/restore.js";
import { planRollback, type RollbackPlan } from "../plan/rollback.js";
import { findServiceRevision } from "../plan/service.js";
import { renderChanges } from "../ui/diff.js";
import { printSettingsChanges, printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("rollback").flags;
export const options = optionsSchema(FLAGS);
export const RollbackOptionsSchema = options;
export type RollbackOptions = OptionsOf<typeof FLAGS>;

type RollbackResult = { dryRun: false; from: string; to: string };

/** Points the service at an older ACTIVE revision (or the one --to names) and restarts onto it. */
export const verb = {
  async plan(context, options) {
    const { output, cluster, service, settings } = context;
    const target = await lookUpTarget(context.aws);
    const ecs = await context.aws.ecs();
    // Undoing an upgrade with its database goes back to what ran before it, unless --to says otherwise.
    const undone = options.withDatabase ? await snapshotOfUpgrade(context) : undefined;
    const to = options.to ?? undone?.ranBefore;
    const plan = await planRollback(ecs, settings.settings, { cluster, service, ...options, to });
    const title = plan.verb === "roll back" ? "Roll back" : "Switch";
    printTarget(output, target);
    output.info(`${title} ${service} in cluster ${cluster}: ${plan.from} → ${plan.to}`);
    output.info(
      plan.changes.length > 0
        ? renderChanges(plan.changes, output.style)
        : "  (no differences in the task definition)",
    );
    printSettingsChanges(output, diffSettings(settings.settings, plan.settingsAfter), settings.path);
    if (plan.skipped.length > 0) {
      output.warn(
        `${plan.to} sets ${plan.skipped.join(", ")}, which mcctl does not know: mcctl.json cannot hold them, and a later register-task leaves them out.`,
      );
    }
    if (undone) return withDatabase(context, options, plan, target, undone.snapshot);
    const sequence = new RestartSequence<RevisionSwitchResult>(context, options, plan.healthUrl);
    return {
      title: `${plan.verb === "roll back" ? "Rollback" : "Switch"} of ${service} (${plan.from}) in cluster ${cluster}:`,
      steps: [
        sequence.step(`${plan.verb} ${service} to ${plan.to}`, plan.steps, (run, { reporter }) =>
          switchRevision(ecs, reporter, {
            ...run,
            current: plan.current,
            target: { existingArn: plan.target.taskDefinitionArn as string },
            verb: plan.verb,
            rollbackOnFailure: false,
          }),
        ),
        {
          title: `save ${settings.path} (describing ${plan.to})`,
          run: () => saveSettings(settings.path, plan.settingsAfter),
        },
      ],
      question: `${title} ${service} to ${plan.to} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
      summary: { from: plan.from, to: plan.to, changes: plan.changes },
      interrupts: sequence.watch,
      outcome: () => {
        const { from, to } = sequence.result;
        return {
          value: { dryRun: false as const, from, to },
          json: { dryRun: false, from, to },
          message: `${service} now runs ${to} (was ${from})`,
        };
      },
    };
  },
} satisfies ChangingVerb<RollbackOptions, RollbackResult>;

/**
 * The undo of an upgrade: the snapshot taken before the upgrade that introduced the current revision
 * goes into a new instance, and the target revision runs on it (as a new revision naming it).
 */
async function withDatabase(
  context: CommandContext,
  options: RollbackOptions,
  rollback: RollbackPlan,
  target: Awaited<ReturnType<typeof lookUpTarget>>,
  snapshot: DBSnapshot,
): Promise<Plan<RollbackResult>> {
  const { output, service, cluster, settings } = context;
  const rds = await context.aws.rds();
  const family = resolveTaskSettings(settings.settings, context.env, options.family).family;
  const plan = await planRestore(
    { rds, ecs: await context.aws.ecs(), ssm: await context.aws.ssm(), ec2: await context.aws.ec2() },
    settings.settings,
    context.env,
    undefined,
    { cluster, service, family, base: rollback.target, chosen: snapshot, now: new Date() },
  );
  for (const fact of plan.facts) output.info(fact);
  const built = restoreSteps(
    context,
    plan,
    { ...options, deleteOld: false },
    "mcctl rollback --with-database",
  );
  printSettingsChanges(output, diffSettings(settings.settings, built.predictedSettings), settings.path);
  return {
    title: `Rollback of ${service} (${rollback.from}) with its database, in cluster ${cluster}:`,
    steps: built.steps,
    question: `Roll ${service} back to ${rollback.to} on a database restored from ${plan.snapshotId}, in account ${target.account}, ${target.region}? Model Catalogue is unavailable ${built.outage ?? "during the restart"}.`,
    summary: {
      from: rollback.from,
      to: rollback.to,
      changes: rollback.changes,
      snapshot: plan.snapshotId,
      instance: plan.target.identifier,
    },
    interrupts: built.interrupts,
    outcome: () => {
      const result = built.result();
      const to = result.to ?? rollback.to;
      return {
        value: { dryRun: false as const, from: rollback.from, to },
        json: {
          dryRun: false,
          from: rollback.from,
          to,
          snapshot: plan.snapshotId,
          instance: plan.target.identifier,
        },
        message: `${service} now runs ${to} (${rollback.to} on ${plan.target.identifier}, restored from ${plan.snapshotId}; was ${rollback.from})`,
      };
    },
  };
}

export function runRollback(context: CommandContext, options: RollbackOptions) {
  return drive(context, verb, options);
}

/**
 * The snapshot the upgrade that registered the revision in service took first (the revision's tag names
 * it), and the revision that ran before that upgrade (the snapshot's tag names it).
 */
async function snapshotOfUpgrade(
  context: CommandContext,
): Promise<{ snapshot: DBSnapshot; ranBefore?: string }> {
  const ecs = await context.aws.ecs();
  const { current, tags } = await findServiceRevision(ecs, context.cluster, context.service);
  const name = revisionName(current);
  const id = tags.find((tag) => tag.key === UPGRADE_SNAPSHOT_TAG)?.value;
  if (!id) {
    throw new McctlError(`${name} was not registered by an upgrade that took a database snapshot`, {
      suggestion:
        "`mcctl backup list` lists the database's snapshots: `mcctl restore SNAPSHOT` restores one, and `mcctl rollback` alone changes only the revision. Nothing was changed.",
    });
  }
  const snapshot = await (await context.aws.rds()).findSnapshot(id);
  if (snapshot?.Status !== "available") {
    throw new McctlError(
      `the snapshot taken before the upgrade to ${name}, ${id}, is ${snapshot?.Status ?? "gone"}`,
      {
        suggestion:
          "`mcctl backup list` lists the snapshots left; `mcctl restore SNAPSHOT` restores one. Nothing was changed.",
      },
    );
  }
  const ranBefore = tagValue(snapshot, REVISION_TAG);
  return { snapshot, ...(ranBefore && ranBefore !== name ? { ranBefore } : {}) };
}

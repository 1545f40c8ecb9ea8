import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import * as z from "zod/mini";
import { withCallLimits } from "../aws/limits.js";
import { diffSettings, revisionName } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import { applyDeadline, type CommandContext } from "../context.js";
import { REVISION_TAG } from "../domain/restore.js";
import { BEFORE_TAG } from "../domain/snapshot-list.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { shortRevision, UPGRADE_SNAPSHOT_TAG } from "../domain/task-revision.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { prepullStep } from "../driver/prepull-step.js";
import { RestartSequence } from "../driver/restart-sequence.js";
import type { ApplyRun, ChangingVerb, Step } from "../driver/verb.js";
import { ensureLogGroup } from "../operations/logs.js";
import { PrepullWatch } from "../operations/prepull.js";
import { pullImages } from "../operations/pull-images.js";
import { restartService } from "../operations/restart.js";
import { executionRoleChange, type RoleChange } from "../operations/role-propagation.js";
import { applySecretStore } from "../operations/secrets.js";
import { takeSnapshot, withRestoreAdvice } from "../operations/snapshot.js";
import { type RevisionSwitchResult, switchRevision } from "../operations/switch-revision.js";
import { lookUpTarget } from "../plan/account.js";
import { describeLogGroupStep } from "../plan/logs.js";
import { describeSnapshotPlan, planSnapshot } from "../plan/snapshot.js";
import { decideRollback, planUpgrade, withImages } from "../plan/upgrade.js";
import { printTarget } from "../ui/plan.js";
import { printUpgradePlan, upgradeSummary } from "../ui/upgrade.js";

const FLAGS = verbNamed("upgrade").flags;
export const options = optionsSchema(FLAGS).check(
  z.refine((options) => !(options.tag && options.image), "give --tag or --image, not both"),
);
export const UpgradeOptionsSchema = options;
export type UpgradeOptions = OptionsOf<typeof FLAGS>;

/**
 * A new revision with other images (--tag, --image, --es-tag), or the same tags pulled again on each
 * host; either way a database snapshot first, and the restart sequence last.
 */
export const verb = {
  async plan(context, options) {
    const { output, cluster, service, settings } = context;
    const target = await lookUpTarget(context.aws);
    const { ecs, ssm, iam, logs } = await context.aws.registration();
    const plan = await planUpgrade(
      ecs,
      () => context.aws.ec2(),
      { cluster, service, recorded: settings.settings.taskDefinition, ...options },
      { aws: { ssm, iam, logs }, target, settings: settings.settings, kmsKey: options.kmsKey },
    );
    const rds = await context.aws.rds();
    const snapshot = await planSnapshot(rds, {
      jdbcUrl: plan.jdbcUrl,
      purpose: `before-${plan.label}`,
      now: new Date(),
      skip: !options.snapshot,
    });
    printTarget(output, target);
    const settingsAfter = plan.kind === "revision" ? withImages(settings.settings, plan) : settings.settings;
    printUpgradePlan(output, plan, {
      service,
      cluster,
      snapshot,
      settings: plan.kind === "revision" ? diffSettings(settings.settings, settingsAfter) : [],
      path: settings.path,
    });
    const asker = context.interactive ? context.ask : undefined;
    const rollbackOnFailure = await decideRollback(plan, options.rollbackOnFailure, asker);

    // --timeout counts after the snapshot and the pulls: the restart gets what was left of it when the
    // apply began (with --yes the plan took its share); the calls before the switch end by then too.
    let budgetMs = 0;
    let restartDeadline: number | undefined;
    const deadline = () => (restartDeadline ??= Date.now() + budgetMs);
    const sequence = new RestartSequence<Pick<RevisionSwitchResult, "from" | "to" | "registered">>(
      context,
      options,
      plan.healthUrl,
    );
    let taken: string | undefined;
    let roleChange: RoleChange | undefined;
    const steps: Step[] = [];
    // Before the snapshot and before anything stops: a tag that cannot be pulled ends the upgrade here.
    const prepullWatch = new PrepullWatch();
    if (plan.prepull)
      steps.push(prepullStep(ecs, plan.prepull, prepullWatch, { service, from: plan.from }, options));
    // Then the snapshot: a new version may migrate the schema, which no image rollback undoes.
    const snapshotIndex = steps.length;
    if (snapshot.kind === "take") {
      steps.push({
        title: describeSnapshotPlan(snapshot),
        run: async ({ reporter, signal }) => {
          const bound = { signal, deadline: Date.now() + options.snapshotTimeout };
          const created = await withCallLimits(bound, () =>
            takeSnapshot(rds, reporter, {
              ...snapshot,
              tags: { ...MCCTL_TAGS, [BEFORE_TAG]: plan.label, [REVISION_TAG]: revisionName(plan.current) },
              wait: true,
              timeoutMs: options.snapshotTimeout,
              pollIntervalMs: options.pollInterval,
              signal,
            }),
          );
          taken = created.DBSnapshotIdentifier;
        },
      });
    }
    if (plan.kind === "pull") {
      if (plan.pulls.length > 0) {
        steps.push({
          title: "pull the images on each host (commands above)",
          run: ({ reporter, signal }) => pullImages(plan.pulls, reporter, signal),
        });
      }
      steps.push(
        sequence.step(`restart ${service}`, plan.restart, async (run, { reporter }) => {
          const result = await restartService(ecs, reporter, {
            ...run,
            deadline: deadline(),
            countWhenStopped: 1,
          });
          return { from: plan.from, to: shortRevision(result.taskDefinition) };
        }),
      );
    } else {
      // Before the service is touched: a secret that cannot be stored stops the upgrade with nothing down.
      const { secrets, logGroup } = plan;
      if (secrets) {
        steps.push({
          title: "store the secrets in SSM Parameter Store (above)",
          run: ({ reporter, signal }) =>
            withCallLimits({ signal, deadline: deadline() }, async () => {
              await applySecretStore({ ssm, iam }, reporter, secrets);
              roleChange = executionRoleChange(secrets);
            }),
        });
      }
      const logStep = logGroup && describeLogGroupStep(logGroup);
      if (logGroup && logStep) {
        steps.push({
          title: logStep,
          run: ({ reporter, signal }) =>
            withCallLimits({ signal, deadline: deadline() }, () => ensureLogGroup(logs, reporter, logGroup)),
        });
      }
      steps.push(
        sequence.step(plan.registration, plan.restart, (run, { reporter, signal }) =>
          withCallLimits({ signal, deadline: deadline() }, () =>
            switchRevision(ecs, reporter, {
              ...run,
              deadline: deadline(),
              roleChange,
              current: plan.current,
              target: { register: taken ? withSnapshotTag(plan.next, taken) : plan.next },
              verb: "upgrade",
              rollbackOnFailure,
            }),
          ),
        ),
        {
          title: `save ${settings.path} (the new images and revision)`,
          run: async () => {
            const { registered } = sequence.result;
            if (registered) {
              await saveSettings(settings.path, {
                ...settingsAfter,
                taskDefinition: revisionName(registered),
              });
            }
          },
        },
      );
    }
    const wrapped = steps.map((step, index) => ({
      ...step,
      run: async (apply: ApplyRun) => {
        if (index === 0) budgetMs = applyDeadline(context, options.timeout) - Date.now();
        try {
          await step.run(apply);
        } catch (error) {
          // A failure after the snapshot says which snapshot holds the schema from before.
          if (snapshot.kind !== "take" || index <= snapshotIndex) throw error;
          throw withRestoreAdvice(error, snapshot.snapshot, snapshot.instance, plan.from);
        }
      },
    }));
    return {
      title: `Upgrade of ${service} (${plan.from}) in cluster ${cluster}:`,
      steps: wrapped,
      question: `Upgrade ${service} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
      summary: upgradeSummary(plan, snapshot),
      interrupts: {
        first: () => (prepullWatch.active ? prepullWatch : sequence.watch).first(),
        second: () => (prepullWatch.active ? prepullWatch : sequence.watch).second(),
      },
      outcome: () => {
        const { from, to } = sequence.result;
        return {
          value: { dryRun: false as const, from, to },
          json:
            plan.kind === "revision"
              ? { dryRun: false, from, to, snapshot: taken }
              : { dryRun: false, from, to },
          message:
            plan.kind === "revision"
              ? `${service} now runs ${to} (was ${from})`
              : `${service} restarted on ${to} with freshly pulled images`,
        };
      },
    };
  },
} satisfies ChangingVerb<UpgradeOptions, { dryRun: false; from: string; to: string }>;

export function runUpgrade(context: CommandContext, options: UpgradeOptions) {
  return drive(context, verb, options);
}

/** The revision an upgrade registers names the snapshot taken before it (rollback --with-database reads it). */
function withSnapshotTag(
  input: RegisterTaskDefinitionCommandInput,
  snapshot: string,
): RegisterTaskDefinitionCommandInput {
  const tags = (input.tags ?? []).filter((tag) => tag.key !== UPGRADE_SNAPSHOT_TAG);
  return { ...input, tags: [...tags, { key: UPGRADE_SNAPSHOT_TAG, value: snapshot }] };
}

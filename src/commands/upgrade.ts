import type { TaskDefinition } from "@aws-sdk/client-ecs";
import * as z from "zod/mini";
import { withCallLimits } from "../aws/limits.js";
import { UPGRADE_DEFAULTS } from "../config/defaults.js";
import { diffSettings, revisionName } from "../config/deployment.js";
import { type Settings, saveSettings } from "../config/settings.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { parseImage } from "../domain/images.js";
import { plainTextSecrets } from "../domain/secrets.js";
import { restoreCommands } from "../domain/snapshots.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { ES_CONTAINER, MC_CONTAINER } from "../domain/task-definition.js";
import { containerImage } from "../domain/task-revision.js";
import { McctlError } from "../errors.js";
import { describeLogGroupPlan } from "../operations/logs.js";
import { formatCommand, runPullCommands } from "../operations/pull-images.js";
import { prepareRevision } from "../operations/registration.js";
import { type RestartRequest, restartService, shortRevision } from "../operations/restart.js";
import { takeSnapshot } from "../operations/snapshot.js";
import { switchRevision } from "../operations/switch-revision.js";
import { lookUpTarget } from "../plan/account.js";
import { describeSnapshotPlan, planSnapshot } from "../plan/snapshot.js";
import { type PullUpgradePlan, planUpgrade, type RevisionUpgradePlan } from "../plan/upgrade.js";
import { renderChanges } from "../ui/diff.js";
import { printDryRunEnd, printSettingsChanges, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import { printSecretStore } from "../ui/secrets.js";
import "../zod-messages.js";
import {
  durationOption,
  flag,
  imageOption,
  kmsKeyOption,
  parseOptions,
  RestartFlagsSchema,
  sshKeyOption,
  sshUserOption,
  tagOption,
} from "./options.js";
import { underRestartTrap } from "./restart-sequence.js";

export const UpgradeOptionsSchema = z
  .extend(RestartFlagsSchema, {
    tag: tagOption,
    image: imageOption,
    esTag: tagOption,
    /** undefined: ask on a terminal (in the plan), no rollback without one. */
    rollbackOnFailure: z.optional(z.boolean()),
    skipPull: flag(false),
    sshKey: sshKeyOption,
    sshUser: sshUserOption,
    sshPrivateIp: flag(false),
    kmsKey: kmsKeyOption,
    /** false with --no-snapshot. */
    snapshot: flag(true),
    snapshotTimeout: durationOption("--timeout", UPGRADE_DEFAULTS.snapshotTimeout),
  })
  .check(z.refine((options) => !(options.tag && options.image), "give --tag or --image, not both"));
export type UpgradeOptions = z.output<typeof UpgradeOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(UpgradeOptionsSchema, rawOptions);
  await runUpgrade(await createContext(globals, { timeoutMs: options.timeout }), options);
}

export async function runUpgrade(context: CommandContext, options: UpgradeOptions) {
  const { output, cluster, service } = context;
  await requireConfirmable(context, !options.dryRun);

  const target = await lookUpTarget(context.aws);
  const { ecs, ssm, iam, logs } = await context.aws.registration();
  const plan = await planUpgrade(
    ecs,
    () => context.aws.ec2(),
    { cluster, service, recorded: context.settings.settings.taskDefinition, ...options },
    { aws: { ssm, iam, logs }, target, settings: context.settings.settings, kmsKey: options.kmsKey },
  );
  const rds = await context.aws.rds();
  const snapshot = await planSnapshot(rds, {
    jdbcUrl: environmentValue(plan.current, "METADATA_JDBC_URL"),
    purpose: `before-${upgradeLabel(options, plan.current)}`,
    now: new Date(),
    skip: !options.snapshot,
  });
  printTarget(output, target);
  const settingsAfter = plan.kind === "revision" ? withImages(context.settings.settings, plan) : undefined;
  if (plan.kind === "revision") {
    output.info(
      `Upgrade ${service} in cluster ${cluster}: ${plan.from} → a new revision of ${plan.current.family}`,
    );
    output.info(renderChanges(plan.changes, output.style));
    if (plan.secrets) printSecretStore(output, plan.secrets);
    const logLine = plan.logGroup ? describeLogGroupPlan(plan.logGroup) : undefined;
    if (logLine) output.info(logLine);
    for (const note of plan.placementNotes) output.warn(note);
    printSettingsChanges(
      output,
      diffSettings(context.settings.settings, settingsAfter ?? {}),
      context.settings.path,
    );
  } else {
    output.info(`Upgrade ${service} (${plan.from}) in place, same tags:`);
    for (const pull of plan.pulls) output.info(`  ${formatCommand(pull.argv)}`);
    for (const warning of plan.sshWarnings) output.warn(warning);
    const plain = plainTextSecrets(plan.current);
    if (plain.length > 0) {
      output.warn(
        `${plan.from} holds ${plain.join(", ")} in plain text; this upgrade keeps that revision. \`mcctl register-task\` moves them to SSM.`,
      );
    }
  }
  if (snapshot.kind === "skipped") output.warn(snapshot.reason);
  if (snapshot.kind === "none") output.hint(snapshot.reason);
  const steps = snapshot.kind === "take" ? [describeSnapshotPlan(snapshot), ...plan.steps] : plan.steps;
  for (const [index, step] of steps.entries()) output.info(`  ${index + 1}. ${step}`);
  const rollbackOnFailure = await decideRollback(context, options, plan.from, plan.kind);

  if (options.dryRun) {
    output.result(
      plan.kind === "revision"
        ? {
            dryRun: true,
            from: plan.from,
            to: `a new revision of ${plan.current.family}`,
            changes: plan.changes,
            snapshot,
            secrets: plan.secrets?.secrets.map(({ variable, action, version }) => ({
              variable,
              action,
              version,
            })),
          }
        : {
            dryRun: true,
            from: plan.from,
            pulls: plan.pulls.map((pull) => pull.argv),
            restart: true,
            snapshot,
          },
      "dry run: nothing was changed",
    );
    printDryRunEnd(output);
    return { dryRun: true, from: plan.from };
  }
  await confirmChange(
    context,
    `Upgrade ${service} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
  );

  // Apply: nothing more is asked. --timeout counts after the snapshot and the pulls: the restart gets
  // what was left of it when the apply began (with --yes the plan took its share).
  const reporter = terminalReporter(output);
  return underRestartTrap(context, options, plan.healthUrl, async (applyRun, signal) => {
    const budgetMs = (applyRun.deadline ?? Date.now() + options.timeout) - Date.now();
    const restartRun = () => ({ ...applyRun, deadline: Date.now() + budgetMs });
    // First the snapshot: a new version may migrate the schema, which no image rollback undoes.
    const taken =
      snapshot.kind === "take"
        ? await withCallLimits({ signal, deadline: Date.now() + options.snapshotTimeout }, () =>
            takeSnapshot(rds, reporter, {
              snapshot: snapshot.snapshot,
              instance: snapshot.instance,
              tags: { ...MCCTL_TAGS, "mcctl:before": upgradeLabel(options, plan.current) },
              wait: true,
              timeoutMs: options.snapshotTimeout,
              pollIntervalMs: options.pollInterval,
              signal,
            }),
          )
        : undefined;
    const run = restartRun();
    try {
      // The calls before the switch (secrets, log group, registration) end by the restart's deadline too.
      return await withCallLimits({ signal, deadline: run.deadline }, async () => {
        if (plan.kind === "pull")
          return await pullAndRestart(
            context,
            plan,
            () => ({ ...restartRun(), countWhenStopped: 1 }),
            signal,
          );
        // Before the service is touched: a secret that cannot be stored stops the upgrade with nothing down.
        const roleChange = await prepareRevision({ ssm, iam, logs }, reporter, plan);
        const result = await switchRevision(ecs, reporter, {
          ...run,
          roleChange,
          current: plan.current,
          target: { register: plan.next },
          verb: "upgrade",
          rollbackOnFailure,
        });
        if (result.registered && settingsAfter) {
          await saveSettings(context.settings.path, {
            ...settingsAfter,
            taskDefinition: revisionName(result.registered),
          });
        }
        output.result(
          { dryRun: false, from: result.from, to: result.to, snapshot: taken?.DBSnapshotIdentifier },
          `${service} now runs ${result.to} (was ${result.from})`,
        );
        return { dryRun: false, from: result.from, to: result.to };
      });
    } catch (error) {
      throw snapshot.kind === "take" ? withRestoreAdvice(error, snapshot.snapshot, snapshot.instance) : error;
    }
  });
}

/**
 * A failed upgrade may have migrated the schema already, which rolling back the image does not undo:
 * the error says which snapshot holds the schema from before, and how to restore it.
 */
function withRestoreAdvice(error: unknown, snapshot: string, instance: string): unknown {
  if (!(error instanceof McctlError)) return error;
  const advice = `The database snapshot ${snapshot} holds ${instance} as it was before the upgrade; if the new version changed its schema, restore it: ${restoreCommands(snapshot, instance).join("; ")}`;
  const Kind = error.constructor as new (message: string, options: object) => McctlError;
  return new Kind(error.message, {
    suggestion: error.suggestion ? `${error.suggestion}\n  ${advice}` : advice,
    exitCode: error.exitCode,
    cause: error.cause ?? error,
  });
}

/** What the upgrade goes to, for the snapshot's name: the new tag, else the floating tag pulled again. */
function upgradeLabel(options: UpgradeOptions, current: TaskDefinition): string {
  const tag =
    options.tag ??
    (options.image ? parseImage(options.image).tag : undefined) ??
    options.esTag ??
    parseImage(containerImage(current, MC_CONTAINER) ?? "").tag;
  return tag || "upgrade";
}

function environmentValue(taskDefinition: TaskDefinition, name: string): string | undefined {
  return taskDefinition.containerDefinitions
    ?.find((container) => container.name === MC_CONTAINER)
    ?.environment?.find((entry) => entry.name === name)?.value;
}

/** mcctl.json after the upgrade: only the images change, so a later registration keeps them. */
function withImages(file: Settings, plan: RevisionUpgradePlan): Settings {
  const image = (container: string) => plan.images.find((change) => change.container === container)?.image;
  const mc = image(MC_CONTAINER);
  const es = image(ES_CONTAINER);
  return {
    ...file,
    ...(mc ? { mc: { ...file.mc, image: mc } } : {}),
    ...(es ? { es: { ...file.es, image: es } } : {}),
  };
}

/** Whether a failed upgrade goes back at once: the flag, else the operator's answer (asked now, in the plan). */
async function decideRollback(
  context: CommandContext,
  options: UpgradeOptions,
  from: string,
  kind: "revision" | "pull",
): Promise<boolean> {
  if (kind === "pull") return false;
  if (options.rollbackOnFailure !== undefined) return options.rollbackOnFailure;
  if (!context.interactive) return false;
  return context.ask.askConfirm(`If the new revision fails to start, roll back to ${from} at once?`, true);
}

async function pullAndRestart(
  context: CommandContext,
  plan: PullUpgradePlan,
  /** The restart's request, made once the pulls are done: --timeout counts from then. */
  restart: () => RestartRequest,
  signal: AbortSignal,
) {
  const { output, service } = context;
  if (plan.pulls.length > 0) {
    const results = await runPullCommands(plan.pulls, {
      signal,
      onResult: (result) =>
        result.exitCode === 0
          ? output.success(`${result.host}: pulled ${result.image}`)
          : output.error(
              `${result.host}: pulling ${result.image} failed (exit ${result.exitCode}): ${result.lastError}`,
            ),
    });
    const failed = results.filter((result) => result.exitCode !== 0);
    if (failed.length > 0) {
      throw new McctlError(
        `${failed.length} of ${results.length} image pulls failed; the service was not restarted`,
        { suggestion: "Check --ssh-key, --ssh-user and that port 22 is reachable, or use --skip-pull." },
      );
    }
  }
  const ecs = await context.aws.ecs();
  const result = await restartService(ecs, terminalReporter(output), restart());
  const to = shortRevision(result.taskDefinition);
  output.result(
    { dryRun: false, from: plan.from, to },
    `${service} restarted on ${to} with freshly pulled images`,
  );
  return { dryRun: false, from: plan.from, to };
}

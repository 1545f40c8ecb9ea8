import * as z from "zod/mini";
import { diffSettings, revisionName } from "../config/deployment.js";
import { type Settings, saveSettings } from "../config/settings.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { plainTextSecrets } from "../domain/secrets.js";
import { ES_CONTAINER, MC_CONTAINER } from "../domain/task-definition.js";
import { McctlError } from "../errors.js";
import { formatCommand, runPullCommands } from "../operations/pull-images.js";
import { type RestartRequest, restartService, shortRevision } from "../operations/restart.js";
import { applySecretStore } from "../operations/secrets.js";
import { switchRevision } from "../operations/switch-revision.js";
import { lookUpTarget } from "../plan/account.js";
import { type PullUpgradePlan, planUpgrade, type RevisionUpgradePlan } from "../plan/upgrade.js";
import { renderChanges } from "../ui/diff.js";
import { printDryRunEnd, printSettingsChanges, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import { printSecretStore } from "../ui/secrets.js";
import "../zod-messages.js";
import {
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
  })
  .check(z.refine((options) => !(options.tag && options.image), "give --tag or --image, not both"));
export type UpgradeOptions = z.output<typeof UpgradeOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runUpgrade(await createContext(globals), parseOptions(UpgradeOptionsSchema, rawOptions));
}

export async function runUpgrade(context: CommandContext, options: UpgradeOptions) {
  const { output, cluster, service } = context;
  await requireConfirmable(context, !options.dryRun);

  const target = await lookUpTarget(context.aws);
  const [ecs, ssm, iam] = await Promise.all([context.aws.ecs(), context.aws.ssm(), context.aws.iam()]);
  const plan = await planUpgrade(
    ecs,
    () => context.aws.ec2(),
    { cluster, service, recorded: context.settings.settings.taskDefinition, ...options },
    { aws: { ssm, iam }, target, settings: context.settings.settings, kmsKey: options.kmsKey },
  );
  printTarget(output, target);
  const settingsAfter = plan.kind === "revision" ? withImages(context.settings.settings, plan) : undefined;
  if (plan.kind === "revision") {
    output.info(
      `Upgrade ${service} in cluster ${cluster}: ${plan.from} → a new revision of ${plan.current.family}`,
    );
    output.info(renderChanges(plan.changes, output.style));
    if (plan.secrets) printSecretStore(output, plan.secrets);
    printSettingsChanges(
      output,
      diffSettings(context.settings.settings, settingsAfter ?? {}),
      context.settings.path,
    );
  } else {
    output.info(`Upgrade ${service} (${plan.from}) in place, same tags:`);
    for (const pull of plan.pulls) output.info(`  ${formatCommand(pull.argv)}`);
    const plain = plainTextSecrets(plan.current);
    if (plain.length > 0) {
      output.warn(
        `${plan.from} holds ${plain.join(", ")} in plain text; this upgrade keeps that revision. \`mcctl register-task\` moves them to SSM.`,
      );
    }
  }
  for (const [index, step] of plan.steps.entries()) output.info(`  ${index + 1}. ${step}`);
  const rollbackOnFailure = await decideRollback(context, options, plan.from, plan.kind);

  if (options.dryRun) {
    output.result(
      plan.kind === "revision"
        ? {
            dryRun: true,
            from: plan.from,
            to: `a new revision of ${plan.current.family}`,
            changes: plan.changes,
            secrets: plan.secrets?.secrets.map(({ variable, action, version }) => ({
              variable,
              action,
              version,
            })),
          }
        : { dryRun: true, from: plan.from, pulls: plan.pulls.map((pull) => pull.argv), restart: true },
      "dry run: nothing was changed",
    );
    printDryRunEnd(output);
    return { dryRun: true, from: plan.from };
  }
  await confirmChange(
    context,
    `Upgrade ${service} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
  );

  // Apply: nothing more is asked; --timeout counts from the start of the restart.
  const reporter = terminalReporter(output);
  return underRestartTrap(context, options, plan.healthUrl, async (run, signal) => {
    if (plan.kind === "pull") return pullAndRestart(context, plan, { ...run, countWhenStopped: 1 }, signal);
    // Before the service is touched: a secret that cannot be stored stops the upgrade with nothing down.
    if (plan.secrets) await applySecretStore({ ssm, iam }, reporter, plan.secrets);
    const result = await switchRevision(ecs, reporter, {
      ...run,
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
      { dryRun: false, from: result.from, to: result.to },
      `${service} now runs ${result.to} (was ${result.from})`,
    );
    return { dryRun: false, from: result.from, to: result.to };
  });
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
  restart: RestartRequest,
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
  const result = await restartService(ecs, terminalReporter(output), restart);
  const to = shortRevision(result.taskDefinition);
  output.result(
    { dryRun: false, from: plan.from, to },
    `${service} restarted on ${to} with freshly pulled images`,
  );
  return { dryRun: false, from: plan.from, to };
}

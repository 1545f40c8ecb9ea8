import * as z from "zod/mini";
import { withCallLimits } from "../aws/limits.js";
import { DESTROY_DEFAULTS } from "../config/defaults.js";
import { forgetDestroyed } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import { resolveTaskSettings } from "../config/task-settings.js";
import {
  type CommandContext,
  confirmationToAsk,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { McctlError, UsageError } from "../errors.js";
import { applyDestroy } from "../operations/destroy/apply.js";
import { lookUpTarget, type Target } from "../plan/account.js";
import { planDestroy } from "../plan/destroy/plan.js";
import type { DestroyAws, DestroyPlan } from "../plan/destroy/types.js";
import { printDestroyPlan } from "../ui/destroy.js";
import { withInterruptTrap } from "../ui/interrupt.js";
import { printDryRunEnd, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { durationOption, familyOption, flag, parseOptions } from "./options.js";

export const DestroyOptionsSchema = z.object({
  family: familyOption,
  dryRun: flag(false),
  deleteBucket: flag(false),
  force: flag(false),
  skipFinalSnapshot: flag(false),
  timeout: durationOption("--timeout", DESTROY_DEFAULTS.timeout),
  pollInterval: durationOption("--poll-interval", DESTROY_DEFAULTS.pollInterval),
});
export type DestroyOptions = z.output<typeof DestroyOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(DestroyOptionsSchema, rawOptions);
  await runDestroy(await createContext(globals, { timeoutMs: options.timeout }), options);
}

export interface DestroyResult {
  dryRun: boolean;
  plan: DestroyPlan;
  deleted: string[];
}

/**
 * Removes what mcctl created for this deployment: a plan of every resource (what goes, what stays and
 * why), one confirmation (typing the service name on a terminal), then deletions in an order AWS
 * accepts. A second run finishes what a stopped one left.
 */
export async function runDestroy(context: CommandContext, options: DestroyOptions): Promise<DestroyResult> {
  const { output, settings } = context;
  if (options.force && !options.deleteBucket) {
    throw new UsageError("--force only applies with --delete-bucket (it deletes the bucket's objects)", {
      suggestion: "Add --delete-bucket to delete the S3 bucket too, or leave out --force.",
    });
  }
  await requireConfirmable(context, !options.dryRun);
  const family = resolveTaskSettings(settings.settings, context.env, options.family).family;
  const target = await lookUpTarget(context.aws);
  const aws: DestroyAws = await context.aws.deployment();
  printTarget(output, target);
  const plan = await planDestroy(aws, {
    cluster: context.cluster,
    service: context.service,
    family,
    settings: settings.settings,
    env: context.env,
    deleteBucket: options.deleteBucket,
    force: options.force,
    skipFinalSnapshot: options.skipFinalSnapshot,
    now: new Date(),
  });
  printDestroyPlan(output, plan);
  if (plan.nothingToDo) {
    output.result(
      { dryRun: options.dryRun, nothingToDo: true, kept: keptOf(plan) },
      `Nothing to do: nothing mcctl created for ${context.service} is left in ${target.account}, ${target.region}.`,
    );
    return { dryRun: options.dryRun, plan, deleted: [] };
  }
  if (options.dryRun) {
    output.result({ dryRun: true, lines: plan.lines }, "dry run: destroy would delete what is marked -");
    printDryRunEnd(output);
    return { dryRun: true, plan, deleted: [] };
  }
  await confirmByName(context, target);

  const messages = {
    first: () => "Interrupted: destroy stops before its next deletion; `mcctl destroy` finishes the rest.",
    second: () => "Quit. Run `mcctl destroy` again to finish: it finds what is left.",
  };
  // Each wait is bounded by --timeout of its own, so the plan's deadline (--yes) does not bound the apply.
  const outcome = await withInterruptTrap(output, messages, (signal) =>
    withCallLimits({ signal }, () =>
      applyDestroy(
        {
          reporter: terminalReporter(output),
          signal,
          waitTimeoutMs: options.timeout,
          pollIntervalMs: options.pollInterval,
        },
        aws,
        plan.steps,
      ),
    ),
  );
  // Its look at the instance comes after the apply's waits: the plan's deadline (--yes) is long gone.
  if (settings.exists) await withCallLimits({}, () => forgetWhatIsGone(context, aws, plan));
  const snapshot = plan.steps.database?.finalSnapshot;
  output.result(
    { dryRun: false, deleted: outcome.deleted, finalSnapshot: snapshot, kept: keptOf(plan) },
    [
      `Destroyed what mcctl created for ${context.service}.`,
      ...(snapshot
        ? [`The database's final snapshot ${snapshot} is kept (RDS charges for its storage).`]
        : []),
      `${settings.path} keeps the answers: \`mcctl setup\` builds the deployment again.`,
    ].join(" "),
  );
  return { dryRun: false, plan, deleted: outcome.deleted };
}

/** On a terminal the operator types the service's name: a bare "y" is too easy for this one. */
async function confirmByName(context: CommandContext, target: Target): Promise<void> {
  if (!confirmationToAsk(context)) return;
  const answer = await context.ask.askText({
    message: `Delete everything marked - in account ${target.account}, ${target.region}? This cannot be undone. Type the service name (${context.service}) to confirm:`,
  });
  if (answer.trim() !== context.service) {
    throw new McctlError(
      `cancelled: "${answer.trim().slice(0, 40)}" is not the service name ${context.service}; nothing was deleted`,
    );
  }
}

/** mcctl.json forgets the ids of what is gone, and keeps every answer. */
async function forgetWhatIsGone(context: CommandContext, aws: DestroyAws, plan: DestroyPlan): Promise<void> {
  const file = context.settings.settings;
  const remembered = file.setup?.instance?.instanceId;
  const alive = remembered
    ? (await aws.ec2.describeInstances([remembered])).some(
        (instance) => instance.State?.Name !== "terminated",
      )
    : false;
  const gone = [...plan.steps.instanceGroups, ...plan.steps.databaseGroups];
  const after = forgetDestroyed(file, { instance: !alive, securityGroups: gone });
  if (JSON.stringify(after) !== JSON.stringify(file)) await saveSettings(context.settings.path, after);
}

function keptOf(plan: DestroyPlan): string[] {
  return plan.lines.filter((line) => line.action === "keep").map((line) => line.text);
}

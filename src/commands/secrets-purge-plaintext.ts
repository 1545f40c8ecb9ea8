import * as z from "zod/mini";
import { resolveTaskSettings } from "../config/task-inputs.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { purgeRevisions } from "../operations/purge-revisions.js";
import { lookUpTarget } from "../plan/account.js";
import { planPurgePlaintext } from "../plan/secrets-inventory.js";
import { printDryRunEnd, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { familyOption, flag, parseOptions } from "./options.js";

export const PurgePlaintextOptionsSchema = z.object({ family: familyOption, dryRun: flag(false) });
export type PurgePlaintextOptions = z.output<typeof PurgePlaintextOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runPurgePlaintext(
    await createContext(globals),
    parseOptions(PurgePlaintextOptionsSchema, rawOptions),
  );
}

/**
 * Deregisters and deletes the family's older revisions that hold secrets in plain text. They can then never
 * be rolled back to, which the plan says before the one confirmation.
 */
export async function runPurgePlaintext(context: CommandContext, options: PurgePlaintextOptions) {
  const { output } = context;
  await requireConfirmable(context, !options.dryRun);
  const settings = context.settings.settings;
  const family = resolveTaskSettings(settings, context.env, options.family).family;
  const target = await lookUpTarget(context.aws);
  const ecs = await context.aws.ecs();
  const plan = await planPurgePlaintext(ecs, {
    family,
    recorded: settings.taskDefinition,
    cluster: context.cluster,
    service: context.service,
  });
  printTarget(output, target);
  if (plan.revisions.length === 0) {
    output.result(
      { dryRun: options.dryRun, family, revisions: [] },
      `No revision of ${family} holds a secret in plain text.`,
    );
    return { deleted: [] as string[] };
  }
  output.info(`Revisions of ${family} that hold secrets in plain text (deregistered, then deleted):`);
  for (const revision of plan.revisions) {
    output.info(`  - ${revision.name} (${revision.status}): ${revision.plain.join(", ")}`);
  }
  for (const kept of plan.kept) output.info(`  kept: ${kept.name} (${kept.why})`);
  output.warn(
    `Deleted revisions can never be rolled back to: \`mcctl rollback --to\` will not find ${plan.revisions.length === 1 ? "it" : "them"}.`,
  );
  if (options.dryRun) {
    output.result(
      {
        dryRun: true,
        family,
        revisions: plan.revisions.map(({ name, status, plain }) => ({ name, status, plain })),
      },
      `dry run: would delete ${plan.revisions.length} revision(s) of ${family}`,
    );
    printDryRunEnd(output);
    return { deleted: [] as string[] };
  }
  await confirmChange(
    context,
    `Delete ${plan.revisions.length} revision(s) of ${family} in account ${target.account}, ${target.region}? This cannot be undone.`,
  );
  const outcome = await purgeRevisions(ecs, terminalReporter(output), plan);
  output.result(
    outcome,
    `Deleted ${outcome.deleted.length} revision(s) of ${family}${outcome.refused.length > 0 ? `; ECS refused ${outcome.refused.length} (run again later)` : ""}`,
  );
  return { deleted: outcome.deleted };
}

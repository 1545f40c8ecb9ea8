import { resolveTaskSettings } from "../config/task-settings.js";
import type { CommandContext } from "../context.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb } from "../driver/verb.js";
import { type PurgeOutcome, purgeRevisions } from "../operations/purge-revisions.js";
import { lookUpTarget } from "../plan/account.js";
import { planPurgePlaintext } from "../plan/secrets-inventory.js";
import { printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("secrets purge-plaintext").flags;
export const options = optionsSchema(FLAGS);
export const PurgePlaintextOptionsSchema = options;
export type PurgePlaintextOptions = OptionsOf<typeof FLAGS>;

export interface PurgePlaintextResult {
  deleted: string[];
}

/**
 * Deregisters and deletes the family's older revisions that hold secrets in plain text. They can then never
 * be rolled back to, which the plan says before the one confirmation.
 */
export const verb = {
  async plan(context, options) {
    const { output } = context;
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
    const revisions = plan.revisions.map(({ name, status, plain }) => ({ name, status, plain }));
    const summary = { family, revisions, deleted: [] as string[] };
    const title = `Purge of the plain-text revisions of ${family}:`;
    const question = `Delete ${plan.revisions.length} revision(s) of ${family} in account ${target.account}, ${target.region}? This cannot be undone.`;
    if (plan.revisions.length === 0) {
      return {
        title,
        steps: [],
        nothingToDo: `no revision of ${family} holds a secret in plain text`,
        question,
        summary,
        outcome: () => ({ value: { deleted: [] }, json: summary, message: "" }),
      };
    }
    output.info(`Revisions of ${family} that hold secrets in plain text (deregistered, then deleted):`);
    for (const revision of plan.revisions) {
      output.info(`  - ${revision.name} (${revision.status}): ${revision.plain.join(", ")}`);
    }
    for (const kept of plan.kept) output.info(`  kept: ${kept.name} (${kept.why})`);
    output.warn(
      `Deleted revisions can never be rolled back to: \`mcctl rollback --to\` will not find ${plan.revisions.length === 1 ? "it" : "them"}.`,
    );
    const active = plan.revisions.filter((revision) => revision.status === "ACTIVE").map(({ name }) => name);
    let outcome: PurgeOutcome | undefined;
    return {
      title,
      steps: [
        {
          title: `${active.length > 0 ? `deregister ${active.join(", ")}, then ` : ""}delete ${plan.revisions.map(({ name }) => name).join(", ")}`,
          run: async ({ reporter }) => {
            outcome = await purgeRevisions(ecs, reporter, plan);
          },
        },
      ],
      question,
      summary,
      outcome: () => {
        const done = outcome;
        if (!done) throw new Error("the purge has not run");
        return {
          value: { deleted: done.deleted },
          json: { ...done },
          message: `Deleted ${done.deleted.length} revision(s) of ${family}${done.refused.length > 0 ? `; ECS refused ${done.refused.length} (run again later)` : ""}`,
        };
      },
    };
  },
} satisfies ChangingVerb<PurgePlaintextOptions, PurgePlaintextResult>;

export function runPurgePlaintext(context: CommandContext, options: PurgePlaintextOptions) {
  return drive<PurgePlaintextOptions, PurgePlaintextResult>(context, verb, options);
}

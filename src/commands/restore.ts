import * as z from "zod/mini";
import { diffSettings } from "../config/deployment.js";
import { resolveTaskSettings } from "../config/task-settings.js";
import type { CommandContext } from "../context.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { type RestoreResult, restoreSteps } from "../driver/restore-steps.js";
import type { ChangingVerb, Summary } from "../driver/verb.js";
import { UsageError } from "../errors.js";
import { lookUpTarget } from "../plan/account.js";
import { NothingToRestore, planRestore } from "../plan/restore.js";
import { printSettingsChanges, printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("restore").flags;
export const options = optionsSchema(FLAGS, { snapshot: z.optional(z.string()) });
export const RestoreOptionsSchema = options;
export type RestoreOptions = OptionsOf<typeof FLAGS> & { snapshot?: string | undefined };

/**
 * Brings a snapshot back: RDS restores it into a new instance while the service keeps running, the
 * instance gets the deployment's password, and the service moves onto it with one restart. The old
 * instance is kept (mcctl.json lists it) unless --delete-old.
 */
export const verb = {
  async plan(context, options) {
    const { output, cluster, service, settings } = context;
    const target = await lookUpTarget(context.aws);
    const family = resolveTaskSettings(settings.settings, context.env, options.family).family;
    const aws = {
      rds: await context.aws.rds(),
      ecs: await context.aws.ecs(),
      ssm: await context.aws.ssm(),
      ec2: await context.aws.ec2(),
    };
    const title = `Restore of the database of ${service} (${family}) in cluster ${cluster}:`;
    let plan: Awaited<ReturnType<typeof planRestore>>;
    try {
      plan = await planRestore(
        aws,
        settings.settings,
        context.env,
        context.interactive ? context.ask : undefined,
        {
          snapshot: options.snapshot,
          cluster,
          service,
          family,
          now: new Date(),
        },
      );
    } catch (error) {
      if (!(error instanceof NothingToRestore)) throw error;
      const summary: Summary = { restored: false, reason: error.message };
      return {
        title,
        steps: [],
        nothingToDo: error.message,
        question: "",
        summary,
        outcome: () => ({ value: { snapshot: "", instance: "" }, json: summary, message: "" }),
      };
    }
    if (options.deleteOld && plan.old?.DeletionProtection) {
      throw new UsageError(
        `--delete-old: ${plan.oldIdentifier} has deletion protection, and RDS refuses to delete it`,
        {
          suggestion:
            "Leave out --delete-old (the old instance is kept), or turn its deletion protection off first. Nothing was changed.",
        },
      );
    }
    printTarget(output, target);
    for (const fact of plan.facts) output.info(fact);
    if (options.deleteOld && !plan.old)
      output.warn("--delete-old: the deployment's database no longer exists; nothing to delete");
    const built = restoreSteps(context, plan, options, `mcctl restore ${plan.snapshotId}`);
    printSettingsChanges(output, diffSettings(settings.settings, built.predictedSettings), settings.path);
    return {
      title,
      steps: built.steps,
      question: built.outage
        ? `Restore ${plan.snapshotId} and move ${service} onto it in account ${target.account}, ${target.region}? Model Catalogue is unavailable ${built.outage}.`
        : `Restore ${plan.snapshotId} into ${plan.target.identifier} in account ${target.account}, ${target.region}?`,
      summary: <Summary>{
        snapshot: plan.snapshotId,
        instance: plan.target.identifier,
        jdbcUrl: plan.jdbcUrl,
        service: plan.service ? service : undefined,
        old: plan.oldIdentifier,
        deleteOld: options.deleteOld && plan.old !== undefined,
      },
      interrupts: built.interrupts,
      outcome: () => {
        const result = built.result();
        return {
          value: result,
          json: { dryRun: false, ...result },
          message: plan.service
            ? `${service} now runs ${result.to} on ${result.instance}, restored from ${result.snapshot}`
            : `${result.instance} is restored from ${result.snapshot}; \`mcctl setup\` builds the rest of the deployment on it`,
        };
      },
    };
  },
} satisfies ChangingVerb<RestoreOptions, RestoreResult, Summary>;

export function runRestore(context: CommandContext, options: RestoreOptions) {
  return drive(context, verb, options);
}

import { deploymentJdbcUrl } from "../config/deployment.js";
import { applyDeadline, type CommandContext } from "../context.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb } from "../driver/verb.js";
import { McctlError } from "../errors.js";
import { takeSnapshot } from "../operations/snapshot.js";
import { lookUpTarget } from "../plan/account.js";
import { jdbcUrlInService } from "../plan/service.js";
import { planSnapshot } from "../plan/snapshot.js";
import { printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("backup create").flags;
export const options = optionsSchema(FLAGS);
export const BackupOptionsSchema = options;
export type BackupOptions = OptionsOf<typeof FLAGS>;

/** A manual RDS snapshot of the deployment's database, on demand; with --wait, until it is available. */
export const verb = {
  async plan(context, options) {
    const target = await lookUpTarget(context.aws);
    const rds = await context.aws.rds();
    // A deployment made by hand (or whose mcctl.json is lost) names its database in the revision in service.
    const jdbcUrl =
      deploymentJdbcUrl(context.settings.settings, context.env) ??
      (await jdbcUrlInService(await context.aws.ecs(), context.cluster, context.service));
    const plan = await planSnapshot(rds, { jdbcUrl, purpose: "backup", now: new Date(), skip: false });
    printTarget(context.output, target);
    if (plan.kind !== "take") {
      throw new McctlError(plan.reason, {
        suggestion:
          "mcctl backs up the RDS instance METADATA_JDBC_URL points at (the environment's, else mcctl.json's, else the revision in service's), in this account and region.",
      });
    }
    let status: string | undefined;
    return {
      title: `Backup of ${plan.instance}:`,
      steps: [
        {
          title: `take RDS snapshot ${plan.snapshot} of ${plan.instance}${options.wait ? ", and wait until it is available" : ""}`,
          run: async ({ reporter }) => {
            const snapshot = await takeSnapshot(rds, reporter, {
              snapshot: plan.snapshot,
              instance: plan.instance,
              tags: { ...MCCTL_TAGS },
              wait: options.wait,
              timeoutMs: options.timeout,
              deadline: applyDeadline(context, options.timeout),
              pollIntervalMs: options.pollInterval,
            });
            status = snapshot.Status;
          },
        },
      ],
      question: `Take snapshot ${plan.snapshot} of ${plan.instance} in account ${target.account}, ${target.region}? (RDS charges for snapshot storage)`,
      summary: { kind: plan.kind, snapshot: plan.snapshot, instance: plan.instance },
      outcome: () => ({
        value: { dryRun: false as const, snapshot: plan.snapshot },
        json: { dryRun: false, snapshot: plan.snapshot, instance: plan.instance, status },
        message: options.wait
          ? `${plan.snapshot} is available`
          : `${plan.snapshot} is being taken; \`mcctl backup list\` shows when it is available`,
      }),
    };
  },
} satisfies ChangingVerb<
  BackupOptions,
  { dryRun: false; snapshot: string },
  { kind: "take"; snapshot: string; instance: string }
>;

export function runBackup(context: CommandContext, options: BackupOptions) {
  return drive(context, verb, options);
}

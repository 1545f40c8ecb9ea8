import * as z from "zod/mini";
import { deploymentJdbcUrl } from "../config/deployment.js";
import {
  applyDeadline,
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { McctlError } from "../errors.js";
import { takeSnapshot } from "../operations/snapshot.js";
import { lookUpTarget } from "../plan/account.js";
import { planSnapshot } from "../plan/snapshot.js";
import { printDryRunEnd, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { durationOption, flag, parseOptions } from "./options.js";

export const BackupOptionsSchema = z.object({
  dryRun: flag(false),
  wait: flag(false),
  timeout: durationOption("--timeout", "60m"),
  pollInterval: durationOption("--poll-interval", "10s"),
});
export type BackupOptions = z.output<typeof BackupOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(BackupOptionsSchema, rawOptions);
  await runBackup(await createContext(globals, { timeoutMs: options.timeout }), options);
}

/** A manual RDS snapshot of the deployment's database, on demand; with --wait, until it is available. */
export async function runBackup(context: CommandContext, options: BackupOptions) {
  const { output } = context;
  await requireConfirmable(context, !options.dryRun);
  const jdbcUrl = deploymentJdbcUrl(context.settings.settings, context.env);
  const target = await lookUpTarget(context.aws);
  const rds = await context.aws.rds();
  const plan = await planSnapshot(rds, { jdbcUrl, purpose: "backup", now: new Date(), skip: false });
  printTarget(output, target);
  if (plan.kind !== "take") {
    throw new McctlError(plan.reason, {
      suggestion:
        "mcctl backs up the RDS instance METADATA_JDBC_URL (in mcctl.json) points at, in this account and region.",
    });
  }
  output.info(
    `Backup: RDS snapshot ${plan.snapshot} of ${plan.instance}${options.wait ? ", waiting until it is available" : ""}`,
  );
  if (options.dryRun) {
    output.result({ dryRun: true, ...plan }, "dry run: nothing was changed");
    printDryRunEnd(output);
    return { dryRun: true as const, snapshot: plan.snapshot };
  }
  await confirmChange(
    context,
    `Take snapshot ${plan.snapshot} of ${plan.instance} in account ${target.account}, ${target.region}? (RDS charges for snapshot storage)`,
  );
  const snapshot = await takeSnapshot(rds, terminalReporter(output), {
    snapshot: plan.snapshot,
    instance: plan.instance,
    tags: { ...MCCTL_TAGS },
    wait: options.wait,
    timeoutMs: options.timeout,
    deadline: applyDeadline(context, options.timeout),
    pollIntervalMs: options.pollInterval,
  });
  output.result(
    { dryRun: false, snapshot: plan.snapshot, instance: plan.instance, status: snapshot.Status },
    options.wait
      ? `${plan.snapshot} is available`
      : `${plan.snapshot} is being taken; \`mcctl backup list\` shows when it is available`,
  );
  return { dryRun: false as const, snapshot: plan.snapshot };
}

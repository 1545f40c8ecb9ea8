import * as z from "zod/mini";
import "../zod-messages.js";
import { AwsClients } from "../aws/clients.js";
import { withCallLimits } from "../aws/limits.js";
import { diffSettings } from "../config/deployment.js";
import { mergeSettings, type Settings, saveSettings } from "../config/settings.js";
import { gatherTaskInputs } from "../config/task-inputs.js";
import * as values from "../config/values.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { buildJdbcUrl } from "../domain/environment.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { MISSING_REGION, MissingInputError } from "../errors.js";
import { applySetup, type SetupOutcome } from "../operations/setup/apply.js";
import type { SetupAws } from "../operations/setup/types.js";
import { lookUpTarget } from "../plan/account.js";
import { PENDING_DB_HOST } from "../plan/setup/pending.js";
import { applyStepsOf, planSetup, type SetupPlan } from "../plan/setup/plan.js";
import type { PlanLine } from "../plan/setup/types.js";
import { withInterruptTrap } from "../ui/interrupt.js";
import { printDryRunEnd, printRegistration, printSettingsChanges, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import { setupSummary } from "../ui/setup.js";
import { familyOption, flag, kmsKeyOption, parseOptions, setupWaitOptions } from "./options.js";

export const SetupOptionsSchema = z.object({
  family: familyOption,
  kmsKey: kmsKeyOption,
  dryRun: flag(false),
  wait: flag(true),
  ...setupWaitOptions,
});
export type SetupOptions = z.output<typeof SetupOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(SetupOptionsSchema, rawOptions);
  await runSetupCommand(await createContext(globals, { timeoutMs: options.timeout }), options);
}

const MARK: Record<PlanLine["state"], string> = { exists: "✔", create: "+", pending: "…", skip: "-" };
const TAGS = { ...MCCTL_TAGS };

export interface SetupResult extends SetupOutcome {
  dryRun: boolean;
  plan: PlanLine[];
}

export async function runSetupCommand(context: CommandContext, options: SetupOptions): Promise<SetupResult> {
  const { output, settings } = context;
  const region = context.aws.config.region;
  // Without a confirmation nothing runs, so no AWS call finds a password ECS holds: it must be set.
  await requireConfirmable(context, !options.dryRun, () => precheckAnswers(context, region, true));
  if (!context.interactive) await precheckAnswers(context, region, false);
  const aws = context.aws.config.region
    ? context.aws
    : new AwsClients({ ...context.aws.config, region: await askRegion(context) }, context.aws.limits);

  // Plan: every question and every check, nothing created.
  const target = await lookUpTarget(aws);
  const clients: SetupAws = await aws.deployment();
  printTarget(output, target);
  const plan = await planSetup(
    {
      ask: context.ask,
      interactive: context.interactive,
      env: context.env,
      region: target.region,
      accountId: target.account,
      settings: settings.settings,
      noWait: !options.wait,
      tags: TAGS,
      warn: (message) => output.warn(message),
      info: (message) => output.hint(message),
    },
    clients,
    {
      cluster: context.cluster,
      service: context.service,
      family: options.family,
      target,
      kmsKey: options.kmsKey,
    },
  );
  printPlan(context, plan);
  if (options.dryRun) {
    output.result({ dryRun: true, plan: plan.lines }, "dry run: setup would make the changes above");
    printDryRunEnd(output);
    return { dryRun: true, complete: false, created: [], plan: plan.lines };
  }
  const creates = plan.lines.some((line) => line.state === "create");
  await confirmChange(
    context,
    creates
      ? `Set up Model Catalogue in account ${target.account}, region ${target.region}? The resources marked + are created (an RDS database and an EC2 instance cost money).`
      : `Finish the setup of Model Catalogue in account ${target.account}, region ${target.region}?`,
  );

  // Apply: no question from here on. The confirmed answers are saved now, each resource as it appears.
  let current: Settings = plan.settingsAfter;
  await saveSettings(settings.path, current);
  const save = async (update: Settings) => {
    current = mergeSettings(current, update);
    await saveSettings(settings.path, current);
  };
  const messages = {
    first: () =>
      "Interrupted: setup stops before its next change; what exists stays, and `mcctl setup` continues.",
    second: () => "Quit. Run `mcctl setup` again to continue: it finds what exists.",
  };
  // A call in flight ends with the signal too; each wait is bounded by --timeout of its own, so the
  // plan's deadline (--yes) does not bound the apply.
  const outcome = await withInterruptTrap(output, messages, (signal) =>
    withCallLimits({ signal }, () =>
      applySetup(
        {
          reporter: terminalReporter(output),
          signal,
          tags: TAGS,
          region: target.region,
          pollIntervalMs: options.pollInterval,
          waitTimeoutMs: options.timeout,
          save,
        },
        clients,
        applyStepsOf(plan, options.wait),
      ),
    ),
  );
  output.result({ ...outcome, plan: plan.lines }, setupSummary(outcome, plan, target, settings.path));
  return { ...outcome, dryRun: false, plan: plan.lines };
}

function printPlan(context: CommandContext, plan: SetupPlan): void {
  const { output, settings } = context;
  output.info("Setup plan:");
  for (const line of plan.lines) output.info(`  ${MARK[line.state]} ${line.step}: ${line.detail}`);
  if (plan.jdbcPending) {
    output.hint(
      "METADATA_JDBC_URL is filled in once RDS gives the database its endpoint; the task definition is registered then.",
    );
  }
  printRegistration(output, plan.registration);
  if (plan.service.exists && plan.registration.register && plan.service.runs) {
    output.hint(
      `Service ${plan.service.name} runs ${plan.service.runs}; setup registers the new revision but does not restart the service: \`mcctl rollback --to REVISION\` puts it in service.`,
    );
  }
  printSettingsChanges(output, diffSettings(settings.settings, plan.settingsAfter), settings.path);
}

/** Without a terminal every answer must already be there: list all that are not, before any AWS call. */
async function precheckAnswers(
  context: CommandContext,
  region: string | undefined,
  passwordNeeded: boolean,
): Promise<void> {
  const missing: string[] = [];
  if (!region) missing.push(MISSING_REGION);
  if (passwordNeeded && !context.env.METADATA_PASSWORD) missing.push("METADATA_PASSWORD");
  // Values setup derives itself stand in as placeholders: only what the operator must give counts.
  const derived = {
    MC_S3_BUCKET: "placeholder-bucket",
    MC_S3_REGION: region ?? "eu-west-1",
    METADATA_JDBC_URL: buildJdbcUrl({ host: PENDING_DB_HOST, database: "mc" }),
    METADATA_USERNAME: "placeholder",
    METADATA_PASSWORD: "placeholder",
  };
  const settings = context.settings.settings;
  try {
    await gatherTaskInputs(
      {
        settings: { ...settings, features: { ...settings.features, assets: true } },
        env: context.env,
        interactive: false,
        derived,
      },
      context.ask,
    );
  } catch (error) {
    if (!(error instanceof MissingInputError)) throw error;
    missing.push(...error.missing);
  }
  if (missing.length > 0) throw new MissingInputError(missing);
}

async function askRegion(context: CommandContext): Promise<string> {
  if (!context.interactive) throw new MissingInputError([MISSING_REGION]);
  return context.ask.askText({
    message: "AWS region to install into",
    defaultValue: "eu-west-1",
    validate: (value) => {
      const parsed = values.region.safeParse(value);
      return parsed.success ? undefined : parsed.error.issues[0]?.message;
    },
  });
}

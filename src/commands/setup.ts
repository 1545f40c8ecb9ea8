import * as z from "zod/mini";
import "../zod-messages.js";
import { AwsClients } from "../aws/clients.js";
import { mergeSettings, type Settings, saveSettings } from "../config/settings.js";
import { gatherTaskInputs } from "../config/task-inputs.js";
import {
  type CommandContext,
  confirmationImpossible,
  confirmChange,
  createContext,
  type GlobalOptions,
  withConfirmationCheck,
} from "../context.js";
import { buildJdbcUrl } from "../domain/environment.js";
import { MissingInputError } from "../errors.js";
import { runSetup, type SetupOutcome } from "../operations/setup/run-setup.js";
import type { PlanLine, SetupAws, SetupIo } from "../operations/setup/types.js";
import { trapInterrupts } from "../ui/interrupt.js";
import { durationOption, familyOption, flag, parseOptions } from "./options.js";
import { withKnownSecrets } from "./register-task.js";

export const SetupOptionsSchema = z.object({
  family: familyOption,
  dryRun: flag(false),
  wait: flag(true),
  timeout: durationOption("--timeout", "30m"),
  pollInterval: durationOption("--poll-interval", "5s"),
});
export type SetupOptions = z.output<typeof SetupOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runSetupCommand(await createContext(globals), parseOptions(SetupOptionsSchema, rawOptions));
}

const MARK: Record<PlanLine["state"], string> = { exists: "✔", create: "+", pending: "…", skip: "-" };

export async function runSetupCommand(context: CommandContext, options: SetupOptions): Promise<SetupOutcome> {
  const { output } = context;
  const region = context.aws.config.region;
  // Secrets ECS already holds (a re-run) are used without asking; looked up only when the run can go on.
  const env =
    region && !confirmationImpossible(context)
      ? await withKnownSecrets(context, options.family)
      : context.env;
  await withConfirmationCheck(context, !options.dryRun, async () => {
    if (!context.interactive) await precheckAnswers(context, env, region);
  });
  const aws = region
    ? context.aws
    : new AwsClients({ ...context.aws.config, region: await askRegion(context) });
  const effectiveRegion = aws.config.region as string;

  const identity = await (await aws.sts()).callerIdentity();
  output.info(`AWS account ${identity.account} (${identity.arn}), region ${effectiveRegion}`);
  if (!options.dryRun) {
    await confirmChange(
      context,
      `Set up Model Catalogue in account ${identity.account}, region ${effectiveRegion}? This may create an S3 bucket, an RDS database and an EC2 instance, which cost money.`,
    );
  }

  let settings: Settings = mergeSettings(context.settings.settings, { region: effectiveRegion });
  const lines: PlanLine[] = [];
  const trap = trapInterrupts(output, {
    first: () =>
      "Interrupted: stopping; everything created so far stays, and `mcctl setup` continues from there.",
    second: () => "Quit. Run `mcctl setup` again to continue.",
  });
  const io: SetupIo = {
    output,
    ask: context.ask,
    interactive: context.interactive,
    dryRun: options.dryRun,
    noWait: !options.wait,
    env,
    region: effectiveRegion,
    accountId: identity.account,
    tags: { "managed-by": "mcctl", application: "model-catalogue" },
    pollIntervalMs: options.pollInterval,
    waitTimeoutMs: options.timeout,
    signal: trap.signal,
    settings: () => settings,
    remember: async (update) => {
      settings = mergeSettings(settings, update);
      if (!options.dryRun) await saveSettings(context.settings.path, settings);
    },
    plan: (line) => {
      lines.push(line);
      output.info(`  ${MARK[line.state]} ${line.step}: ${line.detail}`);
    },
  };
  const clients: SetupAws = {
    s3: await aws.s3(),
    rds: await aws.rds(),
    ec2: await aws.ec2(),
    ecs: await aws.ecs(),
    iam: await aws.iam(),
  };
  let outcome: SetupOutcome;
  try {
    outcome = await runSetup(io, clients, {
      cluster: context.cluster,
      service: context.service,
      family: options.family,
      serviceTimeoutMs: options.timeout,
    });
  } finally {
    trap.dispose();
  }
  output.result({ ...outcome, plan: lines }, summary(outcome, context.settings.path));
  return outcome;
}

/** Without a terminal every answer must already be there: list all that are not, before any change. */
async function precheckAnswers(
  context: CommandContext,
  env: NodeJS.ProcessEnv,
  region: string | undefined,
): Promise<void> {
  const missing: string[] = [];
  if (!region) missing.push("region (--region, AWS_REGION or mcctl.json)");
  if (!env.METADATA_PASSWORD) missing.push("METADATA_PASSWORD");
  // Values setup derives itself stand in as placeholders: only what the operator must give counts.
  const placeholders = {
    MC_S3_BUCKET: "placeholder-bucket",
    MC_S3_REGION: region ?? "eu-west-1",
    METADATA_JDBC_URL: buildJdbcUrl({ host: "placeholder.invalid", database: "mc" }),
    METADATA_USERNAME: "placeholder",
    METADATA_PASSWORD: "placeholder",
  };
  const settings = context.settings.settings;
  try {
    await gatherTaskInputs(
      {
        settings: { ...settings, features: { ...settings.features, assets: true } },
        env: { ...env, ...placeholders },
        interactive: false,
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
  if (!context.interactive) throw new MissingInputError(["region (--region, AWS_REGION or mcctl.json)"]);
  return context.ask.askText({
    message: "AWS region to install into",
    defaultValue: "eu-west-1",
    validate: (value) => (/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value) ? undefined : "must look like eu-west-1"),
  });
}

function summary(outcome: SetupOutcome, settingsPath: string): string {
  const lines = [
    outcome.complete ? "Model Catalogue is set up." : `Setup is not finished: ${outcome.pendingReason}`,
    `  bucket ${outcome.bucket}, database ${outcome.database}, cluster ${outcome.cluster}, service ${outcome.service}${outcome.taskDefinition ? ` (${outcome.taskDefinition})` : ""}`,
  ];
  if (outcome.instanceUrl) lines.push(`  reachable now at ${outcome.instanceUrl}`);
  if (outcome.metadataHost)
    lines.push(`  users will reach it at http://${outcome.metadataHost}/ (METADATA_HOST)`);
  if (outcome.complete) {
    lines.push(
      "Next steps:",
      `  - point DNS for ${outcome.metadataHost ?? "METADATA_HOST"} at the instance`,
      '  - on first start, run the "Reindex Catalogue" admin action',
    );
    if (!outcome.supervisorPasswordSet) {
      lines.push('  - change the supervisor password: it is the default "supervisor"');
    }
  }
  lines.push(`Answers are saved in ${settingsPath} (never secrets).`);
  return lines.join("\n");
}

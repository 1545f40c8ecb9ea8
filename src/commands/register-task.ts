import * as z from "zod/mini";
import { gatherTaskInputs } from "../config/task-inputs.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { isSecretVariable } from "../domain/environment.js";
import { placeholderWiring } from "../domain/secrets.js";
import { buildCheckedTaskDefinition, redactTaskDefinition } from "../domain/task-definition.js";
import { MissingInputError, UsageError } from "../errors.js";
import type { RegistrationPlan } from "../plan/registration.js";
import {
  printDryRunEnd,
  printFindings,
  printRegistration,
  printSettingsChanges,
  printTarget,
} from "../ui/plan.js";
import "../zod-messages.js";
import { familyOption, flag, kmsKeyOption, parseOptions } from "./options.js";

export const RegisterTaskOptionsSchema = z.object({
  family: familyOption,
  kmsKey: kmsKeyOption,
  dryRun: flag(false),
  offline: flag(false),
  force: flag(false),
});
export type RegisterTaskOptions = z.output<typeof RegisterTaskOptionsSchema>;

export interface RegisterTaskResult {
  family: string;
  revision?: number | undefined;
  taskDefinitionArn?: string | undefined;
  registered: boolean;
  dryRun: boolean;
}

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runRegisterTask(await createContext(globals), parseOptions(RegisterTaskOptionsSchema, rawOptions));
}

export async function runRegisterTask(
  context: CommandContext,
  options: RegisterTaskOptions,
): Promise<RegisterTaskResult> {
  if (options.offline) return renderOffline(context, options);
  const { output, settings } = context;
  await requireConfirmable(context, !options.dryRun, () => gatherFromLocalSources(context, options));
  if (!context.interactive) await failEarlyOnMissingValues(context, options);

  // Plan: read-only. Every question is asked here, before anything is shown for confirmation. Its
  // modules load only now: `register-task --dry-run --offline` starts without them.
  const [
    { lookUpTarget },
    { planRegistration },
    { diffSettings, revisionName },
    { secretStoreChanges },
    { logGroupChanges },
    { restartAdvice },
    { registrationChangesSettings, saveRegisteredSettings, settingsAfterRegistration },
  ] = await Promise.all([
    import("../plan/account.js"),
    import("../plan/registration.js"),
    import("../config/deployment.js"),
    import("../plan/secrets.js"),
    import("../plan/logs.js"),
    import("../ui/secrets.js"),
    import("./registration-settings.js"),
  ]);
  const target = await lookUpTarget(context.aws);
  const { ecs, ssm, iam, logs } = await context.aws.registration();
  const plan = await planRegistration(
    {
      settings: settings.settings,
      env: context.env,
      interactive: context.interactive,
      familyFlag: options.family,
      region: target.region,
      cluster: context.cluster,
      service: context.service,
      kmsKey: options.kmsKey,
      notify: (finding) => printFindings(output, [finding]),
    },
    context.ask,
    { ecs, ssm, iam, logs, target },
    { force: options.force },
  );
  printTarget(output, target);
  printRegistration(output, plan);
  printSettingsChanges(
    output,
    diffSettings(settings.settings, settingsAfterRegistration(plan, target.region)),
    settings.path,
  );

  if (options.dryRun) {
    output.result(
      {
        dryRun: true,
        register: plan.register,
        changes: plan.changes,
        secrets: secretsSummary(plan),
        input: redactTaskDefinition(plan.input),
      },
      plan.register
        ? `dry run: would register a new revision of ${plan.family}`
        : "dry run: nothing to register",
    );
    printDryRunEnd(output);
    return { family: plan.family, registered: false, dryRun: true };
  }

  const settingsChanged = registrationChangesSettings(context, plan, target.region);
  const storeChanges = secretStoreChanges(plan.secrets);
  const first = [
    storeChanges ? "storing the secrets" : "",
    logGroupChanges(plan.logGroup) ? "preparing the log group" : "",
  ].filter(Boolean);
  if (plan.register) {
    await confirmChange(
      context,
      `Register a new revision of ${plan.family} in account ${target.account}, ${target.region}${first.length > 0 ? `, after ${first.join(" and ")} as shown` : ""}?`,
    );
  } else if (first.length > 0) {
    await confirmChange(
      context,
      `Go on with ${first.join(" and ")} as shown in account ${target.account}, ${target.region}?`,
    );
  } else if (settingsChanged) {
    await confirmChange(context, `Save these settings to ${settings.path}?`);
  }

  // Apply: no question from here on.
  const [{ applyRegistration }, { terminalReporter }] = await Promise.all([
    import("../operations/registration.js"),
    import("../ui/reporter.js"),
  ]);
  const { revision: registered } = await applyRegistration(
    { ecs, ssm, iam, logs },
    terminalReporter(output),
    {
      ...plan,
      storeSecrets: storeChanges,
      baseline: plan.baseline?.taskDefinition,
    },
  );
  await saveRegisteredSettings(context, plan, target.region, registered);
  const name = registered ? revisionName(registered) : plan.family;
  if (plan.register && plan.drift) {
    output.hint(
      `The service still runs ${plan.drift.revision}: \`mcctl rollback --to ${registered?.revision}\` puts ${name} in service.`,
    );
  }
  if (plan.secrets.secrets.some((secret) => secret.action === "migrate")) {
    output.hint(
      `Older revisions of ${plan.family} still hold secrets in plain text: once ${name} runs, \`mcctl secrets purge-plaintext\` deletes them (they can no longer be rolled back to).`,
    );
  }
  const restart = restartAdvice(plan.secrets, context.service);
  if (restart && !plan.register) output.hint(restart);
  output.result(
    {
      family: plan.family,
      revision: registered?.revision,
      taskDefinitionArn: registered?.taskDefinitionArn,
      registered: plan.register,
    },
    plan.register ? `${name}\n${registered?.taskDefinitionArn}` : `${name} is up to date`,
  );
  return {
    family: plan.family,
    revision: registered?.revision,
    taskDefinitionArn: registered?.taskDefinitionArn,
    registered: plan.register,
    dryRun: false,
  };
}

/** The secrets part of a plan for --json: names, actions and versions, never a value. */
function secretsSummary(plan: RegistrationPlan) {
  return {
    path: plan.secrets.store.path,
    kmsKey: plan.secrets.store.kmsKeyArn ?? "alias/aws/ssm",
    executionRole: plan.secrets.role.arn,
    parameters: plan.secrets.secrets.map(({ variable, parameter, action, version }) => ({
      variable,
      parameter,
      action,
      version,
    })),
  };
}

/** Without a terminal and --yes nothing can be confirmed: list that with every other missing input. */
async function gatherFromLocalSources(context: CommandContext, options: RegisterTaskOptions) {
  await gatherTaskInputs(
    {
      settings: context.settings.settings,
      env: context.env,
      interactive: false,
      familyFlag: options.family,
      region: context.aws.config.region,
    },
    context.ask,
  );
}

/**
 * Without a terminal nothing can be asked: when mcctl.json and the environment lack a non-secret value,
 * say so with the whole list before any AWS call. Missing secrets alone may still come from ECS.
 */
async function failEarlyOnMissingValues(context: CommandContext, options: RegisterTaskOptions) {
  try {
    await gatherFromLocalSources(context, options);
  } catch (error) {
    if (!(error instanceof MissingInputError)) return;
    if (error.missing.some((name) => !isSecretVariable(name))) throw error;
  }
}

/**
 * --dry-run --offline: the task definition from mcctl.json and the environment alone, secrets masked.
 * No AWS call, so nothing is compared and no secret is taken from ECS.
 */
async function renderOffline(
  context: CommandContext,
  options: RegisterTaskOptions,
): Promise<RegisterTaskResult> {
  if (!options.dryRun) {
    throw new UsageError("--offline renders the task definition only, so it needs --dry-run", {
      suggestion: "Run `mcctl register-task --dry-run --offline`, or drop --offline to register.",
    });
  }
  const inputs = await gatherTaskInputs(
    {
      settings: context.settings.settings,
      env: context.env,
      interactive: context.interactive,
      familyFlag: options.family,
      region: context.aws.config.region,
      notify: (finding) => printFindings(context.output, [finding]),
    },
    context.ask,
  );
  const input = redactTaskDefinition(
    buildCheckedTaskDefinition(
      inputs.task,
      inputs.environment,
      placeholderWiring(inputs.task.family, context.settings.settings.secrets, context.aws.config.region),
    ),
  );
  context.output.result(input, JSON.stringify(input, null, 2));
  printDryRunEnd(context.output);
  return { family: inputs.task.family, registered: false, dryRun: true };
}

import { gatherTaskInputs } from "../config/task-inputs.js";
import type { CommandContext } from "../context.js";
import { isSecretVariable } from "../domain/environment.js";
import { placeholderWiring } from "../domain/secrets.js";
import { buildCheckedTaskDefinition, redactTaskDefinition } from "../domain/task-definition.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb, Plan } from "../driver/verb.js";
import { MISSING_REGION, MissingInputError, UsageError } from "../errors.js";
import type { LogGroupPlan } from "../plan/logs.js";
import type { RegistrationPlan } from "../plan/registration.js";
import type { SecretStorePlan } from "../plan/secrets.js";
import { printFindings, printRegistration, printSettingsChanges, printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("register-task").flags;
export const options = optionsSchema(FLAGS);
export const RegisterTaskOptionsSchema = options;
export type RegisterTaskOptions = OptionsOf<typeof FLAGS>;

export interface RegisterTaskResult {
  family: string;
  revision?: number | undefined;
  taskDefinitionArn?: string | undefined;
  registered: boolean;
  dryRun: boolean;
}

/**
 * The two-container task definition from mcctl.json, the environment and the answers, registered as a
 * new revision when it changed: its secrets stored in SSM and its log group prepared first.
 */
export const verb = {
  async plan(context, options) {
    if (options.offline) return planOffline(context, options);
    const { output, settings } = context;
    const unresolved = context.interactive ? undefined : await failEarlyOnMissingValues(context, options);

    // Read-only: every question is asked here, before anything is shown for confirmation. Its modules
    // load only now: `register-task --dry-run --offline` starts without them.
    const [
      { lookUpTarget },
      { planRegistration },
      { diffSettings, revisionName },
      { secretStoreChanges },
      { logGroupChanges },
      { restartAdvice },
      { registrationSteps, settingsAfterRegistration },
    ] = await Promise.all([
      import("../plan/account.js"),
      import("../plan/registration.js"),
      import("../config/deployment.js"),
      import("../plan/secrets.js"),
      import("../plan/logs.js"),
      import("../ui/secrets.js"),
      import("../driver/registration.js"),
    ]);
    const target = await stillMissingUnlessRead(unresolved, () => lookUpTarget(context.aws));
    const { ecs, ssm, iam, logs } = await context.aws.registration();
    const plan = await stillMissingUnlessRead(unresolved, () =>
      planRegistration(
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
      ),
    );
    printTarget(output, target);
    printRegistration(output, plan);
    printSettingsChanges(
      output,
      diffSettings(settings.settings, settingsAfterRegistration(plan, target.region)),
      settings.path,
    );

    const storeChanges = secretStoreChanges(plan.secrets);
    const logGroupChanged = logGroupChanges(plan.logGroup);
    const baseline = plan.baseline?.taskDefinition;
    const registration = registrationSteps(context, { ecs, ssm, iam, logs }, plan, target.region, {
      secretStore: secretStoreStep,
      logGroup: logGroupStep,
      register: () =>
        `register a new revision of ${plan.family}${baseline ? ` (changed from ${revisionName(baseline)} as shown)` : ""}`,
      save: (path: string) => `save mcctl.json (${path})`,
    });
    const steps = registration.steps;

    const first = [
      storeChanges ? "storing the secrets" : "",
      logGroupChanged ? "preparing the log group" : "",
    ].filter(Boolean);
    const question = plan.register
      ? `Register a new revision of ${plan.family} in account ${target.account}, ${target.region}${first.length > 0 ? `, after ${first.join(" and ")} as shown` : ""}?`
      : first.length > 0
        ? `Go on with ${first.join(" and ")} as shown in account ${target.account}, ${target.region}?`
        : `Save these settings to ${settings.path}?`;
    return {
      title: plan.register
        ? `Registration of a new revision of ${plan.family}:`
        : `Registration of ${plan.family} (up to date):`,
      steps,
      nothingToDo: `${baseline ? revisionName(baseline) : plan.family} is up to date`,
      question,
      summary: {
        family: plan.family,
        revision: baseline?.revision,
        taskDefinitionArn: baseline?.taskDefinitionArn,
        registered: false,
        register: plan.register,
        changes: plan.changes,
        secrets: secretsSummary(plan),
        input: redactTaskDefinition(plan.input),
      },
      outcome: () => {
        const registered = registration.revision();
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
        const result = {
          family: plan.family,
          revision: registered?.revision,
          taskDefinitionArn: registered?.taskDefinitionArn,
          registered: plan.register,
        };
        return {
          value: { ...result, dryRun: false },
          json: result,
          message: plan.register ? `${name}\n${registered?.taskDefinitionArn}` : `${name} is up to date`,
        };
      },
    };
  },

  /** Without a terminal and --yes nothing can be confirmed: list that with every other missing input. */
  async localCheck(context, options) {
    refuseOfflineChange(options);
    try {
      await gatherFromLocalSources(context, options);
    } catch (error) {
      if (!(error instanceof MissingInputError) || !mayAdopt(context)) throw error;
    }
  },
} satisfies ChangingVerb<RegisterTaskOptions, RegisterTaskResult>;

export function runRegisterTask(context: CommandContext, options: RegisterTaskOptions) {
  return drive(context, verb, options) as Promise<RegisterTaskResult>;
}

/** What storing the secrets does: the execution role, then each SecureString written. */
function secretStoreStep(plan: SecretStorePlan): string {
  const { role } = plan;
  const parts: string[] = [];
  // Said as what the step makes, never as advice to create a role (it may exist by the time it runs).
  if (role.create) parts.push(`a new execution role, ${role.name}`);
  else if (role.attachManagedPolicy || role.putPolicy)
    parts.push(`the policies of execution role ${role.name}`);
  const written = plan.secrets.filter((secret) => secret.action !== "keep").map((secret) => secret.variable);
  if (written.length > 0)
    parts.push(
      `write ${written.join(", ")} as ${written.length === 1 ? "a SecureString" : "SecureStrings"} under ${plan.store.path}`,
    );
  return `store the secrets: ${parts.join(", then ")}`;
}

function logGroupStep(plan: LogGroupPlan): string {
  if (plan.kind === "create")
    return `create CloudWatch Logs group ${plan.group}, kept ${plan.retentionDays} days`;
  if (plan.kind === "retention") return `keep the events of ${plan.group} ${plan.retentionDays} days`;
  return "prepare the log group";
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
 * say so with the whole list before any AWS call. Missing secrets alone may still come from ECS, and
 * anything may when mcctl.json describes no revision (the revision in service is adopted): then the
 * list is returned, for when AWS cannot be asked.
 */
async function failEarlyOnMissingValues(
  context: CommandContext,
  options: RegisterTaskOptions,
): Promise<MissingInputError | undefined> {
  // Without a region AWS cannot be asked for the stored secrets either: all of it is missing, in one list.
  const region = context.aws.config.region ? [] : [MISSING_REGION];
  try {
    await gatherFromLocalSources(context, options);
  } catch (error) {
    if (!(error instanceof MissingInputError)) return;
    if (region.length > 0) throw new MissingInputError([...error.missing, ...region]);
    if (!error.missing.some((name) => !isSecretVariable(name))) return undefined;
    if (!mayAdopt(context)) throw error;
    return error;
  }
  if (region.length > 0) throw new MissingInputError(region);
  return undefined;
}

/**
 * Reads AWS for a plan whose inputs are not all known locally. When AWS cannot be asked (network,
 * credentials), no revision in service can be adopted: the values stay missing, and are said so (exit 2).
 */
async function stillMissingUnlessRead<T>(
  missing: MissingInputError | undefined,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!missing || error instanceof UsageError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MissingInputError(
      missing.missing,
      `${missing.suggestion} (No revision in service could be looked for to take them from: ${reason}.)`,
      { cause: error },
    );
  }
}

/**
 * mcctl.json describes no revision: the one in service (a deployment made by hand) may hold what is
 * missing, and only AWS can tell. The plan fails with the same list when it does not.
 */
function mayAdopt(context: CommandContext): boolean {
  return context.settings.settings.taskDefinition === undefined;
}

function refuseOfflineChange(options: RegisterTaskOptions): void {
  if (options.offline && !options.dryRun) {
    throw new UsageError("--offline renders the task definition only, so it needs --dry-run", {
      suggestion: "Run `mcctl register-task --dry-run --offline`, or drop --offline to register.",
    });
  }
}

/**
 * --dry-run --offline: the task definition from mcctl.json and the environment alone, secrets masked,
 * and the steps a registration would take. No AWS call, so nothing is compared and no secret is taken
 * from ECS: the steps are those of a registration that changes everything.
 */
async function planOffline(
  context: CommandContext,
  options: RegisterTaskOptions,
): Promise<Plan<RegisterTaskResult>> {
  refuseOfflineChange(options);
  const { output } = context;
  const region = context.aws.config.region;
  const inputs = await gatherTaskInputs(
    {
      settings: context.settings.settings,
      env: context.env,
      interactive: context.interactive,
      familyFlag: options.family,
      region,
      notify: (finding) => printFindings(output, [finding]),
    },
    context.ask,
  );
  const family = inputs.task.family;
  const wiring = placeholderWiring(family, context.settings.settings.secrets, region);
  const input = redactTaskDefinition(buildCheckedTaskDefinition(inputs.task, inputs.environment, wiring));
  output.info(`Task definition of ${family} (offline: not compared with AWS; secrets masked): on stdout`);
  const secrets = (input.containerDefinitions ?? []).flatMap((container) =>
    (container.secrets ?? []).map((secret) => secret.name),
  );
  // Offline is a dry run only (refused above otherwise): these steps are printed, never run.
  const never = async () => {
    throw new UsageError("--offline renders the task definition only, so it needs --dry-run");
  };
  return {
    title: `Registration of a new revision of ${family} (offline: what exists in AWS is not looked at):`,
    steps: [
      {
        title: `store the secrets${secrets.length > 0 ? ` (${secrets.join(", ")})` : ""} as SecureStrings in SSM Parameter Store, read by the execution role`,
        run: never,
      },
      { title: "prepare the log group the containers write to", run: never },
      { title: `register the task definition above as a new revision of ${family}`, run: never },
      { title: `save mcctl.json (${context.settings.path})`, run: never },
    ],
    question: `Register a new revision of ${family}?`,
    summary: { family, registered: false, input },
    // The exact RegisterTaskDefinition input on stdout, to read or pipe (README).
    dryRunOutput: { json: input, text: JSON.stringify(input, null, 2) },
    outcome: () => {
      throw new UsageError("--offline renders the task definition only, so it needs --dry-run");
    },
  };
}

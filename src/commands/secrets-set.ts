import * as z from "zod/mini";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { variableSpec } from "../domain/environment.js";
import { SECRET_VARIABLES } from "../domain/secrets.js";
import { MissingInputError, UsageError } from "../errors.js";
import { applyRegistration } from "../operations/registration.js";
import { restartService } from "../operations/restart.js";
import { lookUpTarget } from "../plan/account.js";
import { logGroupChanges } from "../plan/logs.js";
import { planRegistration, serviceIfAny } from "../plan/registration.js";
import { planRestart } from "../plan/restart.js";
import { secretStoreChanges } from "../plan/secrets.js";
import { printDryRunEnd, printRegistration, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import { restartAdvice } from "../ui/secrets.js";
import "../zod-messages.js";
import { flag, kmsKeyOption, parseOptions, restartWaitOptions } from "./options.js";
import { saveRegisteredSettings } from "./registration-settings.js";
import { underRestartTrap } from "./restart-sequence.js";

export const SecretsSetOptionsSchema = z.object({
  name: z.string(),
  dryRun: flag(false),
  /** undefined: asked in the plan on a terminal; no restart without one. */
  restart: z.optional(z.boolean()),
  kmsKey: kmsKeyOption,
  ...restartWaitOptions,
});
export type SecretsSetOptions = z.output<typeof SecretsSetOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(SecretsSetOptionsSchema, rawOptions);
  await runSecretsSet(await createContext(globals, { timeoutMs: options.timeout }), options);
}

/**
 * Stores a new value for one secret: from the environment variable of that name, else a masked prompt,
 * never a flag. A registration with that one value given: the parameter gets a new version, and a task
 * definition that does not reference it yet gets a new revision that does. Optionally restarts, since a
 * running task reads its secrets only when it starts.
 */
export async function runSecretsSet(context: CommandContext, options: SecretsSetOptions) {
  const { output, settings } = context;
  const name = requireSecretName(options.name);
  // Without a terminal and --yes nothing can be confirmed: say so with the value, if it is missing too.
  await requireConfirmable(context, !options.dryRun, () => newValue(context, name));
  const value = await newValue(context, name);

  // Setting it means it is no longer deliberately left out.
  const { [name]: _unset, ...environment } = settings.settings.environment ?? {};
  const target = await lookUpTarget(context.aws);
  const { ecs, ssm, iam, logs } = await context.aws.registration();
  const plan = await planRegistration(
    {
      settings: { ...settings.settings, environment },
      env: { ...context.env, [name]: value },
      interactive: context.interactive,
      noReview: true,
      region: target.region,
      cluster: context.cluster,
      service: context.service,
      kmsKey: options.kmsKey,
    },
    context.ask,
    { ecs, ssm, iam, logs, target },
  );
  printTarget(output, target);
  printRegistration(output, plan);
  const changed = plan.secrets.secrets.find((secret) => secret.variable === name);
  const restartable =
    changed?.action === "update" &&
    !plan.register &&
    (await serviceIfAny(ecs, context.cluster, context.service))?.status === "ACTIVE";
  const restart = restartable ? await decideRestart(context, options, name) : false;
  if (options.restart && !restartable) {
    output.warn(
      plan.register
        ? `--restart: ${name} needs a new revision first; \`mcctl rollback --to N\` with it restarts the service`
        : `--restart: nothing to restart (${changed?.action === "update" ? "no active service" : `${name} does not change`})`,
    );
  }

  const writes = secretStoreChanges(plan.secrets) || logGroupChanges(plan.logGroup);
  if (options.dryRun || (!writes && !plan.register)) {
    output.result(
      { dryRun: options.dryRun, name, action: changed?.action, register: plan.register, restart },
      options.dryRun ? "dry run: nothing was changed" : `${name} already holds that value; nothing to change`,
    );
    if (options.dryRun) printDryRunEnd(output);
    return { changed: false };
  }
  await confirmChange(
    context,
    `Store ${name} in SSM${plan.register ? " and register a new revision" : ""}${restart ? `, then restart ${context.service}` : ""} in account ${target.account}, ${target.region}?`,
  );

  // Apply: nothing more is asked.
  const reporter = terminalReporter(output);
  const { revision, roleChange } = await applyRegistration({ ecs, ssm, iam, logs }, reporter, {
    ...plan,
    storeSecrets: writes,
    baseline: plan.baseline?.taskDefinition,
  });
  await saveRegisteredSettings(context, plan, target.region, revision);
  if (restart) {
    const restartPlan = await planRestart(ecs, {
      cluster: context.cluster,
      service: context.service,
      count: 1,
      checkHealth: false,
    });
    await underRestartTrap(context, options, undefined, (request) =>
      restartService(ecs, reporter, { ...request, countWhenStopped: restartPlan.targetCount, roleChange }),
    );
  } else {
    const advice = restartAdvice(plan.secrets, context.service);
    if (advice) output.hint(advice);
    if (plan.register && revision) {
      output.hint(
        `${revision.family}:${revision.revision} references ${name}: \`mcctl rollback --to ${revision.revision}\` puts it in service.`,
      );
    }
  }
  output.result(
    { name, action: changed?.action, revision: revision?.revision, restarted: restart },
    `${name} stored in SSM`,
  );
  return { changed: true };
}

function requireSecretName(name: string): string {
  if (SECRET_VARIABLES.includes(name)) return name;
  throw new UsageError(`${JSON.stringify(name.slice(0, 60))} is not a secret mcctl stores`, {
    suggestion: `The secrets are ${SECRET_VARIABLES.join(", ")}.`,
  });
}

/** The environment variable of that name, else a masked prompt; never a flag, never echoed. */
async function newValue(context: CommandContext, name: string): Promise<string> {
  const spec = variableSpec(name);
  const given = context.env[name];
  if (given) {
    const problem = spec?.validate(given);
    if (problem) throw new UsageError(`${name} (from the environment): ${problem}`);
    return given;
  }
  if (!context.interactive) {
    throw new MissingInputError(
      [name],
      `Set the ${name} environment variable (a secret is never taken from a flag).`,
    );
  }
  return context.ask.askSecret({
    message: `New value of ${name} (${spec?.description ?? "secret"})`,
    validate: (value) => (value === "" ? `${name} is required` : spec?.validate(value)),
  });
}

async function decideRestart(
  context: CommandContext,
  options: SecretsSetOptions,
  name: string,
): Promise<boolean> {
  if (options.restart !== undefined) return options.restart;
  if (!context.interactive) return false;
  return context.ask.askConfirm(
    `The running task reads ${name} only when it starts. Restart ${context.service} afterwards (it is unavailable until the new task has started)?`,
    false,
  );
}

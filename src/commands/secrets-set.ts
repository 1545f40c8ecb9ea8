import * as z from "zod/mini";
import type { CommandContext } from "../context.js";
import { variableSpec } from "../domain/environment.js";
import { SECRET_VARIABLES } from "../domain/secrets.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { registrationSteps } from "../driver/registration.js";
import { RestartSequence } from "../driver/restart-sequence.js";
import type { ChangingVerb } from "../driver/verb.js";
import { MissingInputError, UsageError } from "../errors.js";
import { type RestartResult, restartService } from "../operations/restart.js";
import { lookUpTarget } from "../plan/account.js";
import { logGroupChanges } from "../plan/logs.js";
import { planRegistration, serviceIfAny } from "../plan/registration.js";
import { planRestart } from "../plan/restart.js";
import { secretStoreChanges } from "../plan/secrets.js";
import { printRegistration, printTarget } from "../ui/plan.js";
import { restartAdvice } from "../ui/secrets.js";

const FLAGS = verbNamed("secrets set").flags;
export const options = optionsSchema(FLAGS, { name: z.string() });
export const SecretsSetOptionsSchema = options;
export type SecretsSetOptions = OptionsOf<typeof FLAGS> & { name: string };

/**
 * Stores a new value for one secret: from the environment variable of that name, else a masked prompt,
 * never a flag. A registration with that one value given: the parameter gets a new version, and a task
 * definition that does not reference it yet gets a new revision that does. Optionally restarts, since a
 * running task reads its secrets only when it starts.
 */
export const verb = {
  // Without a terminal and --yes nothing can be confirmed: say so with the value, if it is missing too.
  async localCheck(context, options) {
    await newValue(context, requireSecretName(options.name));
  },

  async plan(context, options) {
    const { output, settings, cluster, service } = context;
    const name = requireSecretName(options.name);
    const value = await newValue(context, name);

    // Setting it means it is no longer deliberately left out.
    const { [name]: _unset, ...environment } = settings.settings.environment ?? {};
    const target = await lookUpTarget(context.aws);
    const aws = await context.aws.registration();
    const { ecs } = aws;
    const plan = await planRegistration(
      {
        settings: { ...settings.settings, environment },
        env: { ...context.env, [name]: value },
        familyFlag: options.family,
        interactive: context.interactive,
        noReview: true,
        region: target.region,
        cluster,
        service,
        kmsKey: options.kmsKey,
      },
      context.ask,
      { ...aws, target },
    );
    printTarget(output, target);
    printRegistration(output, plan);
    const changed = plan.secrets.secrets.find((secret) => secret.variable === name);
    const restartable =
      changed?.action === "update" &&
      !plan.register &&
      (await serviceIfAny(ecs, cluster, service))?.status === "ACTIVE";
    const restart = restartable ? await decideRestart(context, options, name) : false;
    if (options.restart && !restartable) {
      output.warn(
        plan.register
          ? `--restart: ${name} needs a new revision first; \`mcctl rollback --to N\` with it restarts the service`
          : `--restart: nothing to restart (${changed?.action === "update" ? "no active service" : `${name} does not change`})`,
      );
    }

    const summary = { name, action: changed?.action, register: plan.register, restart, changed: false };
    const writes = secretStoreChanges(plan.secrets) || logGroupChanges(plan.logGroup);
    const title = `Setting ${name} for ${service} (${plan.family}) in cluster ${cluster}:`;
    const question = `Store ${name} in SSM${plan.register ? " and register a new revision" : ""}${restart ? `, then restart ${service}` : ""} in account ${target.account}, ${target.region}?`;
    if (!writes && !plan.register) {
      return {
        title,
        steps: [],
        nothingToDo: `${name} already holds that value`,
        question,
        summary,
        outcome: () => ({
          value: { changed: false },
          json: summary,
          message: `${name} already holds that value`,
        }),
      };
    }

    const registration = registrationSteps(context, aws, plan, target.region);
    const steps = [...registration.steps];
    // The restart's plan is read now (the registration does not touch the service when it restarts).
    const sequence = new RestartSequence<RestartResult>(context, options, undefined);
    if (restart) {
      const restartPlan = await planRestart(ecs, { cluster, service, count: 1, checkHealth: false });
      steps.push(
        sequence.step(
          `restart ${service} (${restartPlan.revision})`,
          restartPlan.steps,
          (run, { reporter }) =>
            restartService(ecs, reporter, {
              ...run,
              countWhenStopped: restartPlan.targetCount,
              roleChange: registration.roleChange(),
            }),
        ),
      );
    }
    return {
      title,
      steps,
      question,
      summary,
      interrupts: restart ? sequence.watch : undefined,
      outcome: () => {
        const revision = registration.revision();
        if (!restart) {
          const advice = restartAdvice(plan.secrets, service);
          if (advice) output.hint(advice);
          if (plan.register && revision) {
            output.hint(
              `${revision.family}:${revision.revision} references ${name}: \`mcctl rollback --to ${revision.revision}\` puts it in service.`,
            );
          }
        }
        return {
          value: { changed: true },
          json: { name, action: changed?.action, revision: revision?.revision, restarted: restart },
          message: `${name} stored in SSM`,
        };
      },
    };
  },
} satisfies ChangingVerb<SecretsSetOptions, SecretsSetResult>;

export interface SecretsSetResult {
  changed: boolean;
}

export function runSecretsSet(context: CommandContext, options: SecretsSetOptions) {
  return drive<SecretsSetOptions, SecretsSetResult>(context, verb, options);
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

import * as z from "zod/mini";
import type { CommandContext } from "../context.js";
import { OPTIONAL_SECRETS, parameterName, SECRET_VARIABLES } from "../domain/secrets.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { registrationSteps } from "../driver/registration.js";
import type { ChangingVerb } from "../driver/verb.js";
import { UsageError } from "../errors.js";
import { lookUpTarget } from "../plan/account.js";
import { logGroupChanges } from "../plan/logs.js";
import { findKnownRevisions, planRegistration } from "../plan/registration.js";
import { secretStoreChanges } from "../plan/secrets.js";
import { printRegistration, printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("secrets rm").flags;
export const options = optionsSchema(FLAGS, { name: z.string() });
export const SecretsRmOptionsSchema = options;
export type SecretsRmOptions = OptionsOf<typeof FLAGS> & { name: string };

export interface SecretsRmResult {
  deleted: boolean;
}

/**
 * Stops using an optional secret: mcctl.json records it as left out, a new revision without it is
 * registered, and its parameter is deleted — but only once no revision in service reads it, because a
 * task whose parameter is gone cannot start.
 */
export const verb = {
  // A wrong name or a value in the environment is said before the missing confirmation.
  async localCheck(context, options) {
    requireRemovable(context, options.name);
  },

  async plan(context, options) {
    const { output, settings, cluster, service } = context;
    const name = requireRemovable(context, options.name);
    const target = await lookUpTarget(context.aws);
    const aws = await context.aws.registration();
    const plan = await planRegistration(
      {
        settings: {
          ...settings.settings,
          environment: { ...settings.settings.environment, [name]: false },
        },
        env: context.env,
        familyFlag: options.family,
        interactive: context.interactive,
        noReview: true,
        region: target.region,
        cluster,
        service,
      },
      context.ask,
      { ...aws, target },
    );
    const parameter = parameterName(plan.secrets.store, name);
    const exists = plan.secrets.unused.includes(parameter);
    const known = await findKnownRevisions(aws.ecs, { family: plan.family, cluster, service });
    const running = known.running;
    const runningReads = running?.containerDefinitions?.some((container) =>
      container.secrets?.some((secret) => secret.name === name),
    );
    printTarget(output, target);
    printRegistration(output, plan);
    if (exists && runningReads) {
      output.warn(
        `${service} runs ${running?.family}:${running?.revision}, which reads ${name}: the parameter is kept until the new revision is in service (then run this again to delete it).`,
      );
    }
    const deletes = exists && !runningReads;
    const summary = { name, register: plan.register, deleteParameter: deletes, deleted: false };
    const title = `Removing ${name} from ${service} (${plan.family}) in cluster ${cluster}:`;
    const question = `Stop using ${name}${deletes ? ` and delete ${parameter}` : ""} in account ${target.account}, ${target.region}?`;

    const registration = registrationSteps(context, aws, plan, target.region);
    const steps = [...registration.steps];
    if (deletes) {
      steps.push({
        title: `delete ${parameter} (revisions that still reference it can no longer start)`,
        run: async ({ reporter }) => {
          await aws.ssm.deleteParameter(parameter);
          reporter.success(`Deleted ${parameter}`);
        },
      });
    }
    // Only a change in AWS is worth doing: mcctl.json alone is not saved, as before.
    const changesAws =
      plan.register || deletes || secretStoreChanges(plan.secrets) || logGroupChanges(plan.logGroup);
    return {
      title,
      steps: changesAws ? steps : [],
      nothingToDo: exists
        ? `${name} is no longer referenced by ${plan.family}'s newest revision; its parameter waits for that revision to be in service`
        : `${name} is not used and not stored`,
      question,
      summary,
      outcome: () => {
        const revision = registration.revision();
        if (plan.register && revision) {
          output.hint(
            `${revision.family}:${revision.revision} no longer uses ${name}: \`mcctl rollback --to ${revision.revision}\` puts it in service${deletes ? "" : `, then \`mcctl secrets rm ${name}\` deletes the parameter`}.`,
          );
        }
        return {
          value: { deleted: deletes },
          json: { name, revision: revision?.revision, deletedParameter: deletes },
          message: `${name} is no longer used`,
        };
      },
    };
  },
} satisfies ChangingVerb<SecretsRmOptions, SecretsRmResult>;

export function runSecretsRm(context: CommandContext, options: SecretsRmOptions) {
  return drive<SecretsRmOptions, SecretsRmResult>(context, verb, options);
}

/** An optional secret, not set in the environment (which would store it again). */
function requireRemovable(context: CommandContext, name: string): string {
  requireOptionalSecret(name);
  if (context.env[name]) {
    throw new UsageError(`${name} is set in the environment, which would store it again`, {
      suggestion: `Unset it (\`unset ${name}\`) and run the command again.`,
    });
  }
  return name;
}

function requireOptionalSecret(name: string): string {
  if (OPTIONAL_SECRETS.includes(name)) return name;
  if (SECRET_VARIABLES.includes(name)) {
    throw new UsageError(`${name} is required by Model Catalogue and cannot be removed`, {
      suggestion: `To change it, run \`mcctl secrets set ${name}\`.`,
    });
  }
  throw new UsageError(`${JSON.stringify(name.slice(0, 60))} is not a secret mcctl stores`, {
    suggestion: `The optional secrets are ${OPTIONAL_SECRETS.join(", ")}.`,
  });
}

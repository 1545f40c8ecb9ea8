import * as z from "zod/mini";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { OPTIONAL_SECRETS, parameterName, SECRET_VARIABLES } from "../domain/secrets.js";
import { UsageError } from "../errors.js";
import { applyRegistration } from "../operations/registration.js";
import { lookUpTarget } from "../plan/account.js";
import { logGroupChanges } from "../plan/logs.js";
import { findKnownRevisions, planRegistration } from "../plan/registration.js";
import { secretStoreChanges } from "../plan/secrets.js";
import { printDryRunEnd, printRegistration, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { flag, parseOptions } from "./options.js";
import { saveRegisteredSettings } from "./registration-settings.js";

export const SecretsRmOptionsSchema = z.object({ name: z.string(), dryRun: flag(false) });
export type SecretsRmOptions = z.output<typeof SecretsRmOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runSecretsRm(await createContext(globals), parseOptions(SecretsRmOptionsSchema, rawOptions));
}

/**
 * Stops using an optional secret: mcctl.json records it as left out, a new revision without it is
 * registered, and its parameter is deleted — but only once no revision in service reads it, because a
 * task whose parameter is gone cannot start.
 */
export async function runSecretsRm(context: CommandContext, options: SecretsRmOptions) {
  const { output, settings } = context;
  const name = requireOptionalSecret(options.name);
  if (context.env[name]) {
    throw new UsageError(`${name} is set in the environment, which would store it again`, {
      suggestion: `Unset it (\`unset ${name}\`) and run the command again.`,
    });
  }
  await requireConfirmable(context, !options.dryRun);
  const target = await lookUpTarget(context.aws);
  const { ecs, ssm, iam, logs } = await context.aws.registration();
  const plan = await planRegistration(
    {
      settings: {
        ...settings.settings,
        environment: { ...settings.settings.environment, [name]: false },
      },
      env: context.env,
      interactive: context.interactive,
      noReview: true,
      region: target.region,
      cluster: context.cluster,
      service: context.service,
    },
    context.ask,
    { ecs, ssm, iam, logs, target },
  );
  const parameter = parameterName(plan.secrets.store, name);
  const exists = plan.secrets.unused.includes(parameter);
  const known = await findKnownRevisions(ecs, {
    family: plan.family,
    cluster: context.cluster,
    service: context.service,
  });
  const running = known.running;
  const runningReads = running?.containerDefinitions?.some((container) =>
    container.secrets?.some((secret) => secret.name === name),
  );
  printTarget(output, target);
  printRegistration(output, plan);
  if (exists && runningReads) {
    output.warn(
      `${context.service} runs ${running?.family}:${running?.revision}, which reads ${name}: the parameter is kept until the new revision is in service (then run this again to delete it).`,
    );
  } else if (exists) {
    output.info(`  - ${parameter}: delete (revisions that still reference it can no longer start)`);
  }
  const deletes = exists && !runningReads;
  if (
    options.dryRun ||
    (!plan.register && !deletes && !secretStoreChanges(plan.secrets) && !logGroupChanges(plan.logGroup))
  ) {
    output.result(
      { dryRun: options.dryRun, name, register: plan.register, deleteParameter: deletes },
      options.dryRun
        ? "dry run: nothing was changed"
        : exists
          ? `${name} is no longer referenced by ${plan.family}'s newest revision; its parameter waits for that revision to be in service`
          : `${name} is not used and not stored; nothing to do`,
    );
    if (options.dryRun) printDryRunEnd(output);
    return { deleted: false };
  }
  await confirmChange(
    context,
    `Stop using ${name}${deletes ? ` and delete ${parameter}` : ""} in account ${target.account}, ${target.region}?`,
  );

  // Apply: the new revision first, then the parameter it no longer needs.
  const reporter = terminalReporter(output);
  const { revision } = await applyRegistration({ ecs, ssm, iam, logs }, reporter, {
    ...plan,
    storeSecrets: secretStoreChanges(plan.secrets),
    baseline: plan.baseline?.taskDefinition,
  });
  await saveRegisteredSettings(context, plan, target.region, revision);
  if (deletes) {
    await ssm.deleteParameter(parameter);
    reporter.success(`Deleted ${parameter}`);
  }
  if (plan.register && revision) {
    output.hint(
      `${revision.family}:${revision.revision} no longer uses ${name}: \`mcctl rollback --to ${revision.revision}\` puts it in service${deletes ? "" : `, then \`mcctl secrets rm ${name}\` deletes the parameter`}.`,
    );
  }
  output.result(
    { name, revision: revision?.revision, deletedParameter: deletes },
    `${name} is no longer used`,
  );
  return { deleted: deletes };
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

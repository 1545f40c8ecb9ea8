import type { CommandContext } from "../context.js";
import { verbNamed } from "../driver/catalogue.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ReadingVerb } from "../driver/verb.js";
import { lookUpTarget } from "../plan/account.js";
import { deploymentFamily } from "../plan/registration.js";
import { readSecretInventory, type SecretInventory } from "../plan/secrets-inventory.js";
import { renderSecretInventory } from "../ui/secrets.js";

const FLAGS = verbNamed("secrets list").flags;
export const options = optionsSchema(FLAGS);
export const SecretsListOptionsSchema = options;
export type SecretsListOptions = OptionsOf<typeof FLAGS>;

/** Read-only: each secret, where it is stored and its SSM version; never a value (not even with --json). */
export async function runSecretsList(
  context: CommandContext,
  options: SecretsListOptions,
): Promise<SecretInventory> {
  const settings = context.settings.settings;
  const target = await lookUpTarget(context.aws);
  const [ecs, ssm] = await Promise.all([context.aws.ecs(), context.aws.ssm()]);
  // A deployment made by hand is listed under its own family, as register-task adopts it.
  const family = await deploymentFamily(ecs, {
    settings,
    env: context.env,
    familyFlag: options.family,
    cluster: context.cluster,
    service: context.service,
  });
  const inventory = await readSecretInventory(
    { ecs, ssm },
    { settings, family, cluster: context.cluster, service: context.service, target },
  );
  const plain = inventory.rows.filter((row) => row.delivery === "plain").map((row) => row.variable);
  if (plain.length > 0) {
    context.output.warn(
      `${inventory.revision} holds ${plain.join(", ")} in plain text: \`mcctl register-task\` moves them to SSM.`,
    );
  }
  context.output.result(
    {
      family,
      path: inventory.store.path,
      revision: inventory.revision,
      secrets: inventory.rows.map((row) => ({
        name: row.variable,
        parameter: row.parameter,
        optional: row.optional,
        usedAs: row.delivery,
        version: row.stored?.version,
        lastModified: row.stored?.lastModified?.toISOString(),
        kmsKey: row.stored?.keyId,
      })),
    },
    renderSecretInventory(inventory),
  );
  return inventory;
}

export const verb = { read: runSecretsList } satisfies ReadingVerb<SecretsListOptions>;

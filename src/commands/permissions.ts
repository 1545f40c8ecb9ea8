import * as z from "zod/mini";
import { permissionsOf, VERBS, type Verb } from "../aws/verb-permissions.js";
import type { CommandContext } from "../context.js";
import { type PolicyDocument, splitIntoDocuments, statementsFor } from "../domain/iam-policy.js";
import { verbNamed } from "../driver/catalogue.js";
import { optionsSchema, parseOptions } from "../driver/options.js";
import type { ReadingVerb } from "../driver/verb.js";
import { UsageError } from "../errors.js";
import { resolveScope } from "../plan/permissions.js";
import { renderPolicies } from "../ui/permissions.js";

export const options = optionsSchema(verbNamed("permissions").flags, {
  commands: z._default(z.array(z.string()), []),
});
export const PermissionsOptionsSchema = options;
export type PermissionsOptions = z.input<typeof PermissionsOptionsSchema>;

/**
 * Read-only: the least-privilege IAM policy an operator needs for the named commands (all by default),
 * scoped to this deployment's names, in as many documents as IAM's managed-policy size limit requires.
 */
export async function runPermissions(
  context: CommandContext,
  options: PermissionsOptions = {},
): Promise<PolicyDocument[]> {
  const parsed = parseOptions(PermissionsOptionsSchema, options);
  const verbs = verbsNamed(parsed.commands);
  if (parsed.account !== undefined && !/^\d{12}$/.test(parsed.account)) {
    throw new UsageError(`--account must be a 12-digit AWS account id, got ${parsed.account}`);
  }
  const { scope, notes } = await resolveScope(
    {
      settings: context.settings.settings,
      env: context.env,
      cluster: context.cluster,
      service: context.service,
      family: parsed.family,
      region: context.aws.config.region,
      account: parsed.account,
      passesInstanceRole: verbs.includes("setup"),
    },
    { sts: () => context.aws.sts(), iam: () => context.aws.iam() },
  );
  const grants = permissionsOf(verbs).map((permission) => ({
    actions: permission.actions,
    resources: permission.resources(scope),
    condition: permission.condition?.(scope),
  }));
  const documents = splitIntoDocuments(statementsFor(grants));
  // A note about names not known yet matters only where the policy has statements of that service.
  const services = new Set(
    documents.flatMap((document) =>
      document.Statement.flatMap((statement) => statement.Action.map((action) => action.split(":")[0])),
    ),
  );
  for (const note of notes) {
    if (note.service === "*" || services.has(note.service)) context.output.warn(note.text);
  }
  context.output.result(documents.length === 1 ? documents[0] : documents, renderPolicies(verbs, documents));
  return documents;
}

/**
 * The verbs the words name: "restart", "backup list", "secrets set"; "secrets" alone is every secrets
 * command. None: every verb.
 */
export function verbsNamed(words: readonly string[]): Verb[] {
  if (words.length === 0) return [...VERBS];
  const named: Verb[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? "";
    const pair = `${word} ${words[index + 1] ?? ""}`;
    if (isVerb(pair)) {
      named.push(pair);
      index++;
    } else if (isVerb(word)) {
      named.push(word);
    } else if (word === "secrets") {
      named.push(...VERBS.filter((verb) => verb.startsWith("secrets ")));
    } else {
      throw new UsageError(`unknown command ${JSON.stringify(word)} for mcctl permissions`, {
        suggestion: `Name any of: ${VERBS.join(", ")}.`,
      });
    }
  }
  return [...new Set(named)];
}

function isVerb(word: string): word is Verb {
  return (VERBS as string[]).includes(word);
}

export const verb = { read: runPermissions } satisfies ReadingVerb<PermissionsOptions>;

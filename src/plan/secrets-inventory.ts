/**
 * What `mcctl secrets list`, `status` and `purge-plaintext` look at: which secret lives where (SSM, plain
 * text in a revision, nowhere), and which revisions of the family still hold plain text. Read-only.
 */
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import type { SsmApi } from "../aws/ssm.js";
import { revisionName } from "../config/deployment.js";
import type { Settings } from "../config/settings.js";
import {
  OPTIONAL_SECRETS,
  parameterName,
  plainTextSecrets,
  SECRET_VARIABLES,
  type SecretStore,
  secretDeliveries,
} from "../domain/secrets.js";
import { McctlError } from "../errors.js";
import type { Target } from "./account.js";
import { baselineOf, findKnownRevisions } from "./registration.js";
import { readStoredSecrets, resolveSecretStore } from "./secrets.js";

export interface PurgeCandidate {
  arn: string;
  /** "model-catalogue:3" */
  name: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  /** The secret variables it holds in plain text (names only). */
  plain: string[];
}

/** The revisions `secrets purge-plaintext` deletes, newest first, and those it keeps on purpose. */
export interface PurgePlan {
  family: string;
  revisions: PurgeCandidate[];
  kept: { name: string; why: string }[];
}

export interface SecretRow {
  variable: string;
  parameter: string;
  optional: boolean;
  /** The parameter, when SSM has it. */
  stored?: { version: number; lastModified?: Date | undefined; keyId?: string | undefined } | undefined;
  /** How the revision the deployment is described by gets it. */
  delivery: "ssm" | "plain" | "unset";
}

export interface SecretInventory {
  family: string;
  store: SecretStore;
  /** The revision the rows describe ("family:7"): mcctl.json's, else the service's, else the newest. */
  revision?: string | undefined;
  rows: SecretRow[];
}

export async function readSecretInventory(
  aws: { ecs: EcsApi; ssm: SsmApi },
  where: { settings: Settings; family: string; cluster: string; service: string; target: Target },
): Promise<SecretInventory> {
  const store = resolveSecretStore(where.settings, where.family, where.target);
  const [known, stored] = await Promise.all([
    findKnownRevisions(aws.ecs, {
      family: where.family,
      recorded: where.settings.taskDefinition,
      cluster: where.cluster,
      service: where.service,
    }),
    readStoredSecrets(aws.ssm, store),
  ]);
  const baseline = baselineOf(known)?.taskDefinition;
  const deliveries = secretDeliveries(baseline);
  const rows = SECRET_VARIABLES.map((variable): SecretRow => {
    const parameter = stored.get(variable);
    const delivery = deliveries.get(variable);
    return {
      variable,
      parameter: parameterName(store, variable),
      optional: OPTIONAL_SECRETS.includes(variable),
      stored: parameter
        ? { version: parameter.version, lastModified: parameter.lastModified, keyId: parameter.keyId }
        : undefined,
      delivery: delivery === undefined ? "unset" : delivery.kind === "plain" ? "plain" : "ssm",
    };
  });
  return { family: where.family, store, revision: baseline ? revisionName(baseline) : undefined, rows };
}

/** At most this many DescribeTaskDefinition calls at once: a family may have hundreds of revisions. */
const DESCRIBE_CONCURRENCY = 5;

/**
 * The revisions of the family that hold a secret in plain text and may be deleted: every ACTIVE or
 * INACTIVE one except the revision in service and the one mcctl.json describes. Refuses while either of
 * those still holds plain text: deleting the others would not close the leak.
 */
export async function planPurgePlaintext(
  ecs: EcsApi,
  where: { family: string; recorded?: string | undefined; cluster: string; service: string },
): Promise<PurgePlan> {
  const known = await findKnownRevisions(ecs, where);
  const protectedRevisions = new Map<string, string>();
  if (known.running?.taskDefinitionArn) protectedRevisions.set(known.running.taskDefinitionArn, "in service");
  if (known.recorded?.taskDefinitionArn && !protectedRevisions.has(known.recorded.taskDefinitionArn))
    protectedRevisions.set(known.recorded.taskDefinitionArn, "described by mcctl.json");
  for (const [arn, why] of protectedRevisions) {
    const revision = arn === known.running?.taskDefinitionArn ? known.running : known.recorded;
    const plain = revision ? plainTextSecrets(revision) : [];
    if (revision && plain.length > 0) {
      throw new McctlError(
        `${revisionName(revision)} (${why}) still holds ${plain.join(", ")} in plain text, so purging older revisions would not remove them`,
        {
          suggestion:
            "Run `mcctl register-task` (it moves them to SSM) and put the new revision in service (`mcctl rollback --to N` or `mcctl upgrade`), then purge.",
        },
      );
    }
  }
  const [active, inactive] = await Promise.all([
    ecs.listActiveRevisions(where.family),
    ecs.listInactiveRevisions(where.family),
  ]);
  const candidates = [
    ...active.map((arn) => ({ arn, status: "ACTIVE" as const })),
    ...inactive.map((arn) => ({ arn, status: "INACTIVE" as const })),
  ].filter((candidate) => !protectedRevisions.has(candidate.arn));
  const described = await mapLimited(candidates, DESCRIBE_CONCURRENCY, async (candidate) => ({
    ...candidate,
    definition: await ecs.describeTaskDefinition(candidate.arn),
  }));
  const revisions = described
    .map(({ arn, status, definition }) => ({
      arn,
      status,
      name: revisionName(definition),
      revision: definition.revision ?? 0,
      plain: plainTextSecrets(definition),
    }))
    .filter((revision) => revision.plain.length > 0)
    .sort((a, b) => b.revision - a.revision);
  return {
    family: where.family,
    revisions,
    kept: [...protectedRevisions].map(([arn, why]) => ({ name: shortName(arn, known), why })),
  };
}

function shortName(
  arn: string,
  known: { running?: TaskDefinition | undefined; recorded?: TaskDefinition | undefined },
) {
  const revision = [known.running, known.recorded].find((candidate) => candidate?.taskDefinitionArn === arn);
  return revision ? revisionName(revision) : (arn.split("/").pop() ?? arn);
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

import type { EcsApi } from "../aws/ecs.js";
import type { PurgePlan } from "../plan/secrets-inventory.js";
import type { Reporter } from "./reporter.js";

export interface PurgeOutcome {
  deregistered: string[];
  deleted: string[];
  refused: { name: string; reason: string }[];
}

/**
 * Deregisters the ACTIVE revisions of a confirmed purge, then asks ECS to delete all of them (ECS deletes
 * only INACTIVE revisions, at most 10 per call). A revision ECS refuses is reported, not retried: the
 * run can simply be repeated. Asks nothing.
 */
export async function purgeRevisions(
  ecs: EcsApi,
  reporter: Reporter,
  plan: PurgePlan,
): Promise<PurgeOutcome> {
  const deregistered: string[] = [];
  for (const revision of plan.revisions.filter((candidate) => candidate.status === "ACTIVE")) {
    await ecs.deregisterTaskDefinition(revision.arn);
    deregistered.push(revision.name);
    reporter.info(`Deregistered ${revision.name}`);
  }
  const failures = await ecs.deleteTaskDefinitions(plan.revisions.map((revision) => revision.arn));
  const nameOf = (arn: string) => plan.revisions.find((revision) => revision.arn === arn)?.name ?? arn;
  const refused = failures.map((failure) => ({ name: nameOf(failure.arn), reason: failure.reason }));
  const deleted = plan.revisions
    .map((revision) => revision.name)
    .filter((name) => !refused.some((failure) => failure.name === name));
  for (const name of deleted) reporter.success(`Deleted ${name}`);
  for (const failure of refused) reporter.warn(`ECS did not delete ${failure.name}: ${failure.reason}`);
  return { deregistered, deleted, refused };
}

import { deploymentJdbcUrl } from "../config/deployment.js";
import type { CommandContext } from "../context.js";
import { databaseLineage } from "../domain/restore.js";
import { snapshotRows } from "../domain/snapshot-list.js";
import { jdbcHost, rdsIdentifierOf } from "../domain/snapshots.js";
import { verbNamed } from "../driver/catalogue.js";
import { optionsSchema } from "../driver/options.js";
import type { ReadingVerb } from "../driver/verb.js";
import { backupListText, type KnownDatabase } from "../ui/backup-list.js";

export const options = optionsSchema(verbNamed("backup list").flags);
export const BackupListOptionsSchema = options;

/**
 * Read-only: the snapshots mcctl made of the deployment's databases (the one METADATA_JDBC_URL names, the one
 * setup created, those a restore replaced), final ones included, whether or not those instances still exist;
 * every snapshot mcctl made in the region when no database of the deployment is known. Newest first.
 */
export async function runBackupList(context: CommandContext, _options: unknown = {}) {
  const rds = await context.aws.rds();
  const settings = context.settings.settings;
  const host = jdbcHost(deploymentJdbcUrl(settings, context.env));
  const instances = await rds.listInstances();
  const existing = new Set(
    instances.flatMap((instance) => instance.DBInstanceIdentifier?.toLowerCase() ?? []),
  );
  const notes: string[] = [];
  const byHost = instances.find(
    (instance) => host !== undefined && instance.Endpoint?.Address?.toLowerCase() === host,
  );
  if (host !== undefined && !byHost && rdsIdentifierOf(host) === undefined) {
    notes.push(`${host} (METADATA_JDBC_URL) is no RDS instance in this account and region`);
  }
  const identifiers = [
    byHost?.DBInstanceIdentifier ?? rdsIdentifierOf(host),
    settings.setup?.database?.identifier,
    ...(settings.setup?.database?.replaced ?? []),
  ].flatMap((identifier) => identifier?.toLowerCase() ?? []);
  const snapshots = await rds.listRegionSnapshots();
  // With the databases they were restored from, whose snapshots are this deployment's too.
  const databases: KnownDatabase[] = databaseLineage([...new Set(identifiers)], snapshots, instances).map(
    (identifier) => ({ identifier, exists: existing.has(identifier) }),
  );
  if (databases.length === 0) {
    notes.push("no database of this deployment is known: these are every snapshot mcctl made in the region");
  }
  const rows = snapshotRows(
    snapshots,
    databases.map((database) => database.identifier),
    existing,
  );
  const primary = databases[0];
  context.output.result(
    {
      instance: primary?.identifier,
      exists: primary?.exists,
      databases,
      scope: databases.length === 0 ? "region" : "deployment",
      notes,
      snapshots: rows,
    },
    backupListText({ databases, notes, rows }),
  );
  return rows;
}

export const verb = { read: runBackupList } satisfies ReadingVerb<unknown>;

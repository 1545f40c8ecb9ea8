/** What `backup list` prints: the deployment's databases, notes, and a line per snapshot. */
import type { SnapshotRow } from "../domain/snapshot-list.js";

/** A database of the deployment, and whether RDS still has it. */
export interface KnownDatabase {
  identifier: string;
  exists: boolean;
}

export function backupListText(listing: {
  databases: readonly KnownDatabase[];
  notes: readonly string[];
  rows: readonly SnapshotRow[];
}): string {
  const { databases, notes, rows } = listing;
  const named = databases.map((database) => instanceLabel(database.identifier, database.exists)).join(", ");
  const whose = databases.length === 0 ? "in this region" : `of ${named}`;
  const lines = notes.map((note) => `Note: ${note}`);
  if (rows.length === 0) {
    lines.push(`No snapshot mcctl made ${whose}; \`mcctl backup\` takes one.`);
    return lines.join("\n");
  }
  lines.push(`Snapshots mcctl made ${whose}, newest first:`);
  for (const row of rows) lines.push(`  ${rowText(row, databases.length !== 1)}`);
  return lines.join("\n");
}

function rowText(row: SnapshotRow, nameInstance: boolean): string {
  const progress = row.progress === undefined || row.status === "available" ? "" : ` ${row.progress}%`;
  return [
    row.identifier,
    `${row.status}${progress}`,
    row.createdAt ?? "(not yet)",
    `${row.sizeGiB ?? "?"} GiB`,
    ...(nameInstance || !row.instanceExists ? [`of ${instanceLabel(row.instance, row.instanceExists)}`] : []),
    row.purpose ?? "",
    row.byMcctl ? "" : "(not tagged by mcctl)",
  ]
    .filter((part) => part !== "")
    .join("  ");
}

function instanceLabel(identifier: string, exists: boolean): string {
  return exists ? identifier : `${identifier} (gone)`;
}

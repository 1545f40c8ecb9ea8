import type { DBSnapshot } from "@aws-sdk/client-rds";
import { deploymentJdbcUrl } from "../config/deployment.js";
import type { CommandContext } from "../context.js";
import { jdbcHost, rdsIdentifierOf } from "../domain/snapshots.js";
import { taggedByMcctl } from "../domain/tags.js";
import { verbNamed } from "../driver/catalogue.js";
import { optionsSchema } from "../driver/options.js";
import type { ReadingVerb } from "../driver/verb.js";
import { McctlError } from "../errors.js";
import { planSnapshot } from "../plan/snapshot.js";

export const options = optionsSchema(verbNamed("backup list").flags);
export const BackupListOptionsSchema = options;

/** Read-only: the manual snapshots of the deployment's database, newest first, with size and time. */
export async function runBackupList(context: CommandContext, _options: unknown = {}) {
  const rds = await context.aws.rds();
  const jdbcUrl = deploymentJdbcUrl(context.settings.settings, context.env);
  const plan = await planSnapshot(rds, {
    jdbcUrl,
    purpose: "list",
    now: new Date(),
    skip: false,
    anyStatus: true,
  });
  // After destroy (or a restore elsewhere) the instance is gone, and its snapshots are what matter:
  // RDS still lists a deleted instance's manual snapshots by its identifier.
  const gone =
    plan.kind === "take"
      ? undefined
      : (context.settings.settings.setup?.database?.identifier ?? rdsIdentifierOf(jdbcHost(jdbcUrl)));
  if (plan.kind !== "take" && gone === undefined) throw new McctlError(plan.reason);
  const instance = plan.kind === "take" ? plan.instance : (gone as string);
  const snapshots = await rds.listManualSnapshots(instance);
  const rows = snapshots.map(row);
  context.output.result(
    { instance, exists: gone === undefined, snapshots: rows },
    rows.length === 0
      ? `No manual snapshot of ${instance}; \`mcctl backup\` takes one.`
      : [
          `Manual snapshots of ${instance}${gone === undefined ? "" : " (the instance no longer exists)"}, newest first:`,
          ...rows.map(
            (snapshot) =>
              `  ${snapshot.identifier}  ${snapshot.status}${snapshot.progress === undefined || snapshot.status === "available" ? "" : ` ${snapshot.progress}%`}  ${snapshot.createdAt ?? "(not yet)"}  ${snapshot.sizeGiB ?? "?"} GiB${snapshot.byMcctl ? "" : "  (not made by mcctl)"}`,
          ),
        ].join("\n"),
  );
  return rows;
}

function row(snapshot: DBSnapshot) {
  return {
    identifier: snapshot.DBSnapshotIdentifier ?? "",
    status: snapshot.Status ?? "unknown",
    progress: snapshot.PercentProgress,
    createdAt: snapshot.SnapshotCreateTime?.toISOString(),
    sizeGiB: snapshot.AllocatedStorage,
    byMcctl: taggedByMcctl(snapshot.TagList),
  };
}

export const verb = { read: runBackupList } satisfies ReadingVerb<unknown>;

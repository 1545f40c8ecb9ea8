import type { DBInstance } from "@aws-sdk/client-rds";
import { adoptRevision, withSecretsStored } from "../config/deployment.js";
import { type Settings, saveSettings } from "../config/settings.js";
import type { CommandContext } from "../context.js";
import { restartSteps } from "../domain/restart-sequence.js";
import { expectedOutage } from "../domain/restore.js";
import { snapshotIdentifier } from "../domain/snapshots.js";
import { shortRevision } from "../domain/task-revision.js";
import {
  applyPassword,
  type DatabaseWait,
  restoredJdbcUrl,
  restoreInstance,
  revisionOnDatabase,
} from "../operations/restore.js";
import { switchRevision } from "../operations/switch-revision.js";
import type { RestorePlan } from "../plan/restore.js";
import { describePassword } from "../plan/restore-password.js";
import { resolveHealthUrl } from "../plan/service.js";
import type { InterruptMessages } from "../ui/interrupt.js";
import { RestartSequence } from "./restart-sequence.js";
import type { Step } from "./verb.js";

/** ECS stops a container this long after SIGTERM unless the task says otherwise (ECS_CONTAINER_STOP_TIMEOUT). */
const DEFAULT_STOP_MS = 30_000;

export interface RestoreWaits {
  timeout: number;
  pollInterval: number;
  databaseTimeout: number;
  healthUrl?: string | undefined;
  checkHealth: boolean;
  deleteOld: boolean;
}

export interface RestoreResult {
  snapshot: string;
  instance: string;
  from?: string | undefined;
  to?: string | undefined;
  deleted?: string | undefined;
}

export interface RestoreSteps {
  steps: Step[];
  /** What the plan shows of mcctl.json afterwards (the revision's number is ECS's to give). */
  predictedSettings: Settings;
  /** Model Catalogue's expected outage, for the question; undefined when no service is moved. */
  outage?: string | undefined;
  interrupts?: InterruptMessages | undefined;
  result(): RestoreResult;
}

/**
 * The apply of `restore` and `rollback --with-database`: the snapshot into a new instance while the
 * service keeps running on the old one, its password, then (when a service exists) a new revision on it
 * and the restart sequence, which goes back to the revision and database in service when it fails; the
 * old instance deleted only when asked; mcctl.json last.
 */
export function restoreSteps(
  context: CommandContext,
  plan: RestorePlan,
  waits: RestoreWaits,
  resume: string,
): RestoreSteps {
  const rds = context.aws.rds();
  const ssm = context.aws.ssm();
  const ecs = context.aws.ecs();
  const settingsFile = context.settings;
  const target = plan.target.identifier;
  let restored: DBInstance | undefined;
  let registered: { from: string; to: string; revision: Parameters<typeof adoptRevision>[1] } | undefined;
  let deleted: string | undefined;
  let restarting = false;
  // The steps run in order: the ones after the restore have its instance.
  const restoredInstance = () => {
    if (!restored) throw new Error("the restore step has not run");
    return restored;
  };
  const databaseWait = (signal: AbortSignal | undefined): DatabaseWait => ({
    deadline: Date.now() + waits.databaseTimeout,
    timeoutMs: waits.databaseTimeout,
    pollIntervalMs: waits.pollInterval,
    signal,
    resume,
  });
  const shape = plan.target;
  const steps: Step[] = [
    {
      title: shape.existing
        ? `go on with ${target}, restored from ${plan.snapshotId} by an earlier run (${shape.existing.DBInstanceStatus}), until it is available`
        : `restore ${plan.snapshotId} into a new MySQL instance ${target} and wait until it is available`,
      details: [
        `class ${shape.instanceClass ?? "the snapshot's"}, ${shape.encryption}`,
        shape.securityGroupIds.length > 0
          ? `security groups ${shape.securityGroupIds.join(", ")}${shape.subnetGroup ? `, subnet group ${shape.subnetGroup}` : ""}`
          : "the VPC's default security group",
        `tags ${Object.entries(shape.tags)
          .map(([key, value]) => `${key}=${value}`)
          .join(", ")}`,
        plan.service
          ? `${context.service} keeps running on ${plan.oldIdentifier} meanwhile`
          : "no service runs: nothing else waits for it",
      ],
      run: async ({ reporter, signal }) => {
        restored = await restoreInstance(await rds, reporter, plan.snapshotId, shape, databaseWait(signal));
      },
    },
    {
      title: describePassword(plan.password, target),
      run: async ({ reporter, signal }) =>
        applyPassword(
          { rds: await rds, ssm: await ssm },
          reporter,
          target,
          plan.password,
          settingsFile.settings.secrets?.kmsKey,
          databaseWait(signal),
        ),
    },
  ];
  const moved = plan.service;
  let sequence: RestartSequence<{ from: string; to: string }> | undefined;
  let outage: string | undefined;
  if (moved) {
    const healthUrl = resolveHealthUrl(waits, moved.base);
    // --timeout bounds the restart from its start, not from the command's: RDS's waits come first.
    sequence = new RestartSequence({ ...context, deadline: undefined }, waits, healthUrl);
    const desired = moved.desiredCount;
    outage = expectedOutage(moved.lastStartMs, DEFAULT_STOP_MS);
    const from = shortRevision(moved.current.taskDefinitionArn);
    steps.push(
      sequence.step(
        `register ${moved.base.family}:<next>, ${shortRevision(moved.base.taskDefinitionArn)} with METADATA_JDBC_URL → ${target}, and restart ${context.service} on it (Model Catalogue is unavailable ${outage})`,
        [
          ...restartSteps({
            service: context.service,
            from: desired,
            to: desired > 0 ? desired : 1,
            healthUrl,
            revision: "the new revision",
          }),
          plan.old
            ? `should the new task fail: back to ${from} on ${plan.oldIdentifier}`
            : "should the new task fail: it stays, and `mcctl status` says why",
        ],
        async (run, { reporter }) => {
          restarting = true;
          const instance = restoredInstance();
          const result = await switchRevision(await ecs, reporter, {
            ...run,
            current: moved.current,
            target: { register: revisionOnDatabase(moved.base, moved.tags, instance, plan.jdbcUrlBefore) },
            verb: "restore",
            rollbackOnFailure: plan.old !== undefined,
          });
          registered = { from: result.from, to: result.to, revision: result.registered ?? moved.base };
          return { from: result.from, to: result.to };
        },
      ),
    );
  }
  if (waits.deleteOld && plan.old && plan.oldIdentifier) {
    const old = plan.oldIdentifier;
    const finalSnapshot = snapshotIdentifier(old, "final", new Date());
    steps.push({
      title: `delete the old instance ${old}, with a final snapshot ${finalSnapshot} (RDS deletes it in the background)`,
      run: async ({ reporter }) => {
        await (await rds).deleteInstance(old, finalSnapshot);
        deleted = old;
        reporter.success(`Asked RDS to delete ${old} (final snapshot ${finalSnapshot})`);
      },
    });
  }
  const settingsAfter = (
    url: string,
    revision: Parameters<typeof adoptRevision>[1] | undefined,
  ): Settings => {
    // SSM holds METADATA_PASSWORD once restored (stored now, or there already): setup need not ask for it.
    const inSsm = plan.password.store || plan.password.exists;
    const file = inSsm
      ? withSecretsStored(settingsFile.settings, ["METADATA_PASSWORD"])
      : settingsFile.settings;
    const base = revision ? adoptRevision(file, revision).settings : file;
    const database = file.setup?.database ?? {};
    const kept = plan.old && !waits.deleteOld && plan.oldIdentifier ? [plan.oldIdentifier] : [];
    const replaced = [...new Set([...(database.replaced ?? []), ...plan.others, ...kept])].filter(
      (id) => id !== target && !(waits.deleteOld && id === plan.oldIdentifier),
    );
    const { replaced: _before, ...rest } = database;
    return {
      ...base,
      environment: { ...base.environment, METADATA_JDBC_URL: url },
      setup: {
        ...file.setup,
        database: { ...rest, identifier: target, create: true, ...(replaced.length > 0 ? { replaced } : {}) },
      },
    };
  };
  steps.push({
    title: `save ${settingsFile.path} (METADATA_JDBC_URL and setup.database naming ${target})`,
    run: async () => {
      const instance = restoredInstance();
      await saveSettings(
        settingsFile.path,
        settingsAfter(restoredJdbcUrl(instance, plan.jdbcUrlBefore), registered?.revision),
      );
    },
  });
  const predictedBase = moved ? { ...moved.base, revision: undefined } : undefined;
  const predictedSettings = settingsAfter(plan.jdbcUrl, predictedBase);
  if (moved) predictedSettings.taskDefinition = `${moved.base.family}:<next>`;
  return {
    steps,
    predictedSettings,
    outage,
    // Before the restart the service is untouched: the operator learns that RDS goes on, and how to resume.
    interrupts: {
      first: () =>
        restarting || !sequence
          ? (sequence?.watch.first() ?? "Interrupted: stopping the wait.")
          : `Interrupted: stopping the wait; ${context.service} was not touched. RDS goes on with ${target}; \`${resume}\` goes on from there.`,
      second: () => (restarting && sequence ? sequence.watch.second() : "Quit."),
    },
    result: () => ({
      snapshot: plan.snapshotId,
      instance: target,
      from: registered?.from,
      to: registered?.to,
      deleted,
    }),
  };
}

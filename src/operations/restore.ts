import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import type { DBInstance } from "@aws-sdk/client-rds";
import { awsErrorName } from "../aws/errors.js";
import type { RdsApi } from "../aws/rds.js";
import type { SsmApi } from "../aws/ssm.js";
import { withJdbcHost } from "../domain/restore.js";
import { AWS_MANAGED_KEY } from "../domain/secrets.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { reviseTaskDefinition } from "../domain/task-revision.js";
import { McctlError } from "../errors.js";
import type { RestoredInstance } from "../plan/restore.js";
import type { RestorePassword } from "../plan/restore-password.js";
import { waitForInstance } from "./rds-wait.js";
import type { Reporter } from "./reporter.js";

export interface DatabaseWait {
  /** When the wait must be over (epoch ms). */
  deadline: number;
  /** The bound as the operator gave it, for the timeout's message. */
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal | undefined;
  /** What runs the same restore again, for the timeout's and the interrupt's advice. */
  resume: string;
}

/**
 * Asks RDS to restore the snapshot into the planned instance (unless an interrupted run did already)
 * and waits until it is available with its endpoint. The old instance is not touched.
 */
export async function restoreInstance(
  rds: RdsApi,
  reporter: Reporter,
  snapshot: string,
  target: RestoredInstance,
  wait: DatabaseWait,
): Promise<DBInstance> {
  if (target.existing) {
    reporter.info(
      `${target.identifier} exists already (${target.existing.DBInstanceStatus}): restored from ${snapshot} by an earlier run`,
    );
  } else {
    try {
      await rds.restoreFromSnapshot({
        instance: target.identifier,
        snapshot,
        instanceClass: target.instanceClass,
        subnetGroup: target.subnetGroup,
        securityGroupIds: target.securityGroupIds,
        publiclyAccessible: target.publiclyAccessible,
        multiAz: target.multiAz,
        port: target.port,
        deletionProtection: target.deletionProtection,
        tags: target.tags,
      });
    } catch (error) {
      // The SDK retried a restore whose answer was lost: the instance is this run's.
      const code = awsErrorName(error instanceof McctlError ? error.cause : error);
      if (!/^DBInstanceAlreadyExists/.test(code ?? "")) throw error;
    }
    reporter.success(`Asked RDS to restore ${snapshot} into ${target.identifier} (RDS takes 10–30 minutes)`);
  }
  return waitUntilAvailable(rds, reporter, target.identifier, "restored", wait);
}

/**
 * Gives the restored instance's master user the planned password and waits until RDS has applied it,
 * then stores it in SSM when it is new: a password SSM holds is never one the database refuses.
 */
export async function applyPassword(
  aws: { rds: RdsApi; ssm: SsmApi },
  reporter: Reporter,
  identifier: string,
  password: RestorePassword,
  kmsKey: string | undefined,
  wait: DatabaseWait,
): Promise<void> {
  if (password.source !== "application-user") {
    await aws.rds.setMasterPassword(identifier, password.value);
    reporter.success(`Asked RDS to set the master password of ${identifier}`);
    // RDS reports the change a moment later ("resetting-master-credentials"), then available again.
    await waitUntilAvailable(aws.rds, reporter, identifier, "given its password", wait, { settle: true });
  }
  if (!password.store) return;
  await aws.ssm.putSecureString({
    name: password.parameter,
    value: password.value,
    keyId: kmsKey ?? AWS_MANAGED_KEY,
    overwrite: password.exists,
    tags: { ...MCCTL_TAGS },
    description: "Model Catalogue METADATA_PASSWORD, written by mcctl",
  });
  reporter.success(`Stored METADATA_PASSWORD in SSM ${password.parameter}`);
}

/** The new revision: `base` as it is, with METADATA_JDBC_URL naming the restored instance. */
export function revisionOnDatabase(
  base: TaskDefinition,
  tags: readonly Tag[],
  instance: DBInstance,
  jdbcUrlBefore: string,
): RegisterTaskDefinitionCommandInput {
  const input = reviseTaskDefinition(base, tags, []);
  for (const container of input.containerDefinitions ?? []) {
    if (container.name !== MC_CONTAINER) continue;
    const entry = container.environment?.find((variable) => variable.name === "METADATA_JDBC_URL");
    const url = restoredJdbcUrl(instance, entry?.value ?? jdbcUrlBefore);
    if (entry) entry.value = url;
    else
      container.environment = [...(container.environment ?? []), { name: "METADATA_JDBC_URL", value: url }];
  }
  return input;
}

/** The JDBC URL the restored instance answers at. */
export function restoredJdbcUrl(instance: DBInstance, jdbcUrlBefore: string): string {
  const endpoint = instance.Endpoint?.Address;
  if (!endpoint) throw new McctlError(`RDS gives no endpoint for ${instance.DBInstanceIdentifier}`);
  return withJdbcHost(jdbcUrlBefore, endpoint, instance.Endpoint?.Port);
}

function waitUntilAvailable(
  rds: RdsApi,
  reporter: Reporter,
  identifier: string,
  what: string,
  wait: DatabaseWait,
  options: { settle?: boolean } = {},
): Promise<DBInstance> {
  return waitForInstance(rds, reporter, {
    identifier,
    title: `to be ${what}`,
    deadline: wait.deadline,
    timeoutMs: wait.timeoutMs,
    intervalMs: wait.pollIntervalMs,
    signal: wait.signal,
    // After ModifyDBInstance RDS may say "available" a moment longer, with the password pending.
    ready: (instance) =>
      instance.DBInstanceStatus === "available" &&
      instance.Endpoint?.Address &&
      (!options.settle || !instance.PendingModifiedValues?.MasterUserPassword)
        ? instance
        : undefined,
    goneAdvice: `Someone deleted it while mcctl was waiting; the service was not changed. Run \`${wait.resume}\` again.`,
    timeoutAdvice: `RDS goes on with it and the service was not changed; \`${wait.resume}\` goes on from there (or give a longer --database-timeout).`,
    done: (_instance, took) => `MySQL instance ${identifier} is ${what} and available (${took})`,
  });
}

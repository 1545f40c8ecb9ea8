import { InterruptedError, McctlError } from "../../errors.js";
import type { DestroyAws, DestroySteps } from "../../plan/destroy/types.js";
import type { DestroyIo } from "./types.js";
import {
  deleteWhenFree,
  scaleServiceToZero,
  waitForDatabaseGone,
  waitForFinalSnapshotState,
  waitForTermination,
} from "./waits.js";

export interface DestroyOutcome {
  /** What this run deleted (or saw deleted), in order. */
  deleted: string[];
}

/**
 * Carries out a confirmed destroy plan in an order AWS accepts: the service (scaled to 0 first), the
 * instances and the cluster, the rules and security groups, the database (with its final snapshot) and
 * its groups, the bucket, the task definitions, the secrets and the role, the log group. Each step
 * waits (bounded) for what the next one needs. Nothing is asked; a signal stops the run before its next
 * deletion, and a second run finishes what this one left.
 */
export async function applyDestroy(
  io: DestroyIo,
  aws: DestroyAws,
  steps: DestroySteps,
): Promise<DestroyOutcome> {
  const deleted: string[] = [];
  try {
    await applySteps(io, aws, steps, deleted);
    return { deleted };
  } catch (error) {
    throw withProgressSoFar(error, deleted);
  }
}

async function applySteps(io: DestroyIo, aws: DestroyAws, steps: DestroySteps, deleted: string[]) {
  const { reporter } = io;
  const checkpoint = (next: string) => {
    if (!io.signal?.aborted) return;
    const reason = io.signal.reason instanceof InterruptedError ? io.signal.reason : new InterruptedError();
    throw new InterruptedError(`${reason.message}: stopped before ${next}`, { exitCode: reason.exitCode });
  };
  const done = (what: string) => {
    reporter.success(`Deleted ${what}`);
    deleted.push(what);
  };

  if (steps.service) {
    checkpoint(`scaling service ${steps.service.name} to 0`);
    await scaleServiceToZero(io, aws, steps.cluster, steps.service);
    checkpoint(`deleting service ${steps.service.name}`);
    await aws.ecs.deleteService(steps.cluster, steps.service.name);
    done(`ECS service ${steps.service.name}`);
  }

  if (steps.instances.length > 0) {
    checkpoint("terminating the container instances");
    for (const instance of steps.instances) {
      if (instance.containerInstanceArn) {
        await aws.ecs.deregisterContainerInstance(steps.cluster, instance.containerInstanceArn);
      }
    }
    const ids = steps.instances.map((instance) => instance.instanceId);
    await aws.ec2.terminateInstances(ids);
    reporter.success(`EC2 is terminating ${ids.join(", ")}`);
    await waitForTermination(io, aws, ids);
    deleted.push(...ids.map((id) => `EC2 instance ${id}`));
  }

  if (steps.deleteCluster) {
    checkpoint(`deleting ECS cluster ${steps.cluster}`);
    await deleteWhenFree(io, `ECS cluster ${steps.cluster}`, async () => {
      const result = await aws.ecs.deleteCluster(steps.cluster);
      return result.outcome === "busy" ? { done: false, why: result.reason } : { done: true };
    });
    done(`ECS cluster ${steps.cluster}`);
  }

  for (const rule of steps.rules) {
    checkpoint(`revoking a rule of ${rule.groupId}`);
    await aws.ec2.revokeIngress(rule.groupId, rule.permission);
    const from = rule.permission.UserIdGroupPairs?.map((pair) => pair.GroupId).join(", ");
    reporter.success(
      `Revoked the rule of ${rule.groupId} that let ${from} in (TCP ${rule.permission.FromPort})`,
    );
  }
  await deleteGroups(io, aws, steps.instanceGroups, checkpoint, done);

  const databases = [...steps.replacedDatabases, ...(steps.database ? [steps.database] : [])];
  for (const { identifier, finalSnapshot, deleting } of databases) {
    if (!deleting) {
      checkpoint(`deleting database ${identifier}`);
      // Its state may have changed since the plan looked (a backup window): looked at again here.
      const readiness = finalSnapshot ? await waitForFinalSnapshotState(io, aws, identifier) : "ready";
      if (readiness === "ready") {
        checkpoint(`deleting database ${identifier}`);
        await aws.rds.deleteInstance(identifier, finalSnapshot);
        reporter.success(
          finalSnapshot
            ? `RDS is deleting ${identifier}, after a final snapshot ${finalSnapshot}`
            : `RDS is deleting ${identifier} (no final snapshot: --skip-final-snapshot)`,
        );
      }
    }
  }
  // One after the other: RDS deletes them side by side meanwhile.
  for (const { identifier } of databases) {
    await waitForDatabaseGone(io, aws, identifier);
    deleted.push(`RDS instance ${identifier}`);
  }
  await deleteGroups(io, aws, steps.databaseGroups, checkpoint, done);

  if (steps.bucket) {
    const { name, objects } = steps.bucket;
    checkpoint(`deleting S3 bucket ${name}`);
    if (objects > 0) reporter.success(`Deleted ${await aws.s3.emptyBucket(name)} object(s) of ${name}`);
    if ((await aws.s3.deleteBucket(name)) === "not-empty") {
      throw new McctlError(
        `S3 bucket ${name} is not empty: objects were written to it since the plan looked`,
        {
          suggestion:
            "Look at what is in it; run `mcctl destroy --delete-bucket --force` to delete them with it.",
        },
      );
    }
    done(`S3 bucket ${name}`);
  }

  if (steps.revisions.length > 0) {
    checkpoint("deregistering the task definitions");
    for (const revision of steps.revisions) await aws.ecs.deregisterTaskDefinition(revision);
    const names = steps.revisions.map((arn) => arn.split("/").pop());
    reporter.success(`Deregistered ${names.join(", ")}`);
    deleted.push(`task definitions ${names.join(", ")}`);
  }

  if (steps.parameters.length > 0) {
    checkpoint("deleting the secrets");
    for (const name of steps.parameters) await aws.ssm.deleteParameter(name);
    done(`SSM parameters ${steps.parameters.join(", ")}`);
  }

  if (steps.role) {
    checkpoint(`deleting IAM role ${steps.role}`);
    await aws.iam.deleteRole(steps.role);
    done(`IAM role ${steps.role}`);
  }

  if (steps.logGroup) {
    checkpoint(`deleting log group ${steps.logGroup}`);
    await aws.logs.deleteLogGroup(steps.logGroup);
    done(`log group ${steps.logGroup}`);
  }
}

async function deleteGroups(
  io: DestroyIo,
  aws: DestroyAws,
  groups: readonly string[],
  checkpoint: (next: string) => void,
  done: (what: string) => void,
): Promise<void> {
  for (const group of groups) {
    checkpoint(`deleting security group ${group}`);
    await deleteWhenFree(io, `security group ${group}`, async () => {
      const result = await aws.ec2.deleteSecurityGroup(group);
      return result === "in-use"
        ? { done: false, why: "still in use (a network interface is being detached)" }
        : { done: true };
    });
    done(`security group ${group}`);
  }
}

function withProgressSoFar(error: unknown, deleted: readonly string[]): unknown {
  if (!(error instanceof McctlError)) return error;
  const so = deleted.length > 0 ? `deleted so far: ${deleted.join(", ")}` : "nothing was deleted";
  const Kind = error instanceof InterruptedError ? InterruptedError : McctlError;
  return new Kind(`${error.message}; ${so}`, {
    suggestion: `${error.suggestion ? `${error.suggestion} ` : ""}Run \`mcctl destroy\` again to finish: it finds what is left.`,
    exitCode: error.exitCode,
    cause: error.cause ?? error,
  });
}

import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { revisionName } from "../../config/deployment.js";
import { buildCreateServiceInput } from "../../domain/ecs-service.js";
import { buildJdbcUrl } from "../../domain/environment.js";
import type { DatabaseFacts } from "../../domain/rds-rules.js";
import { buildTaskDefinition } from "../../domain/task-definition.js";
import { diffTaskDefinitions } from "../../domain/task-definition-diff.js";
import { InterruptedError, McctlError } from "../../errors.js";
import { logGroupChanges } from "../../plan/logs.js";
import type { SetupSteps } from "../../plan/setup/plan.js";
import type { SetupAws } from "../../plan/setup/types.js";
import { createService } from "../create-service.js";
import { ensureLogGroup } from "../logs.js";
import { executionRoleChange, type RoleChange, registerRevision } from "../role-propagation.js";
import { applySecretStore } from "../secrets.js";
import { createBucket } from "./bucket.js";
import { createDatabase, createDatabaseSecurityGroup, waitForDatabase } from "./database.js";
import { addDatabaseAccess } from "./database-access.js";
import { ensureInstanceSecurityGroup, launchInstance } from "./launch.js";
import type { ApplyIo } from "./types.js";
import { waitForContainerInstance } from "./wait-instance.js";

export interface SetupOutcome {
  /** Everything exists and the service is steady. */
  complete: boolean;
  /** Why it is not complete yet (--no-wait). */
  pendingReason?: string | undefined;
  /** Resources this run created, in order. */
  created: string[];
  taskDefinition?: string | undefined;
  instanceUrl?: string | undefined;
}

/**
 * Carries out a confirmed setup plan, in an order that works: bucket, database (RDS starts it), cluster,
 * instance security group and instance, database access, then — once the database has an endpoint and
 * the instance has registered — the task definition and the service. Nothing is asked. Each resource is
 * remembered in mcctl.json as it is created, and a signal stops the run before its next change,
 * saying what exists.
 */
export async function applySetup(io: ApplyIo, aws: SetupAws, steps: SetupSteps): Promise<SetupOutcome> {
  const created: string[] = [];
  try {
    return await applySteps(io, aws, steps, created);
  } catch (error) {
    throw withProgressSoFar(error, created);
  }
}

async function applySteps(
  io: ApplyIo,
  aws: SetupAws,
  steps: SetupSteps,
  created: string[],
): Promise<SetupOutcome> {
  const checkpoint = (next: string) => {
    if (!io.signal?.aborted) return;
    const reason = io.signal.reason instanceof InterruptedError ? io.signal.reason : new InterruptedError();
    throw new InterruptedError(`${reason.message}: stopped before ${next}`, { exitCode: reason.exitCode });
  };

  // Before the database: a new database's password is safe in SSM before RDS is given it.
  checkpoint("storing the secrets in SSM Parameter Store");
  const written = await applySecretStore(aws, io.reporter, steps.secrets);
  // Registering and starting tasks with a role created or changed just now waits for IAM to reach ECS.
  const roleChange = executionRoleChange(steps.secrets);
  if (steps.secrets.role.create) created.push(`IAM role ${steps.secrets.role.name}`);
  const stored = written.filter((secret) => secret.before === undefined).map((secret) => secret.variable);
  if (stored.length > 0) {
    created.push(`SSM parameters ${stored.join(", ")} under ${steps.secrets.store.path}`);
  }

  if (steps.bucket.create) {
    checkpoint(`creating S3 bucket ${steps.bucket.name}`);
    await createBucket(io, aws, steps.bucket.name);
    created.push(`S3 bucket ${steps.bucket.name}`);
  }

  let database: DatabaseFacts | undefined;
  const groups: { database?: string; instances?: string } = {};
  if (steps.database.action === "create") {
    const planned = steps.database.planned;
    let securityGroupId = planned.securityGroupId;
    if (!securityGroupId) {
      checkpoint("creating the database's security group");
      securityGroupId = await createDatabaseSecurityGroup(io, aws, planned.vpcId);
      created.push(`security group ${securityGroupId} (database)`);
    }
    groups.database = securityGroupId;
    checkpoint(`creating MySQL instance ${planned.identifier}`);
    database = await createDatabase(io, aws, { ...planned, securityGroupId }, steps.password);
    created.push(`MySQL instance ${planned.identifier} (RDS is creating it)`);
  } else if (steps.database.action === "use") {
    database = steps.database.facts;
  }

  if (steps.createCluster) {
    checkpoint(`creating ECS cluster ${steps.cluster}`);
    await aws.ecs.createCluster(steps.cluster, io.tags);
    io.reporter.success(`Created ECS cluster ${steps.cluster}`);
    created.push(`ECS cluster ${steps.cluster}`);
  }

  let pendingInstance = steps.compute.status === "pending" ? steps.compute.instanceId : undefined;
  if (steps.compute.status === "launch") {
    const answers = steps.compute.answers;
    checkpoint("creating the container instances' security group");
    const groupId = await ensureInstanceSecurityGroup(io, aws, answers);
    if (!answers.securityGroup.id) created.push(`security group ${groupId} (container instances)`);
    groups.instances = groupId;
    await io.save({ setup: { instance: { securityGroupId: groupId } } });
    checkpoint(`launching a ${answers.instanceType} container instance`);
    pendingInstance = await launchInstance(io, aws, steps.cluster, answers, groupId);
    created.push(`EC2 instance ${pendingInstance}`);
    await io.save({ setup: { instance: { instanceId: pendingInstance } } });
  }

  if (steps.access.length > 0) {
    checkpoint("opening the database to the container instances");
    await addDatabaseAccess(io, aws, steps.access, groups);
  }

  const databaseReady = !database || database.status === "available";
  if (!steps.wait && (!databaseReady || pendingInstance)) {
    return {
      complete: false,
      pendingReason:
        "--no-wait: the database or the instance is still starting; run `mcctl setup` again to finish",
      created,
    };
  }

  const ready = database && !databaseReady ? await waitForDatabase(io, aws, database) : database;
  const launchAnswers = steps.compute.status === "launch" ? steps.compute.answers : undefined;
  const host = pendingInstance
    ? await waitForContainerInstance(io, aws, steps.cluster, pendingInstance, {
        instanceProfile: launchAnswers?.instanceProfile,
        subnetId: launchAnswers?.subnetId,
      })
    : undefined;

  const environment = { ...steps.environment };
  if (ready) {
    if (!ready.endpoint)
      throw new McctlError(`RDS reports ${ready.identifier} available but gives no endpoint`);
    environment.METADATA_JDBC_URL = buildJdbcUrl({
      host: ready.endpoint.host,
      port: ready.endpoint.port,
      database: ready.databaseName,
    });
  }
  checkpoint("registering the task definition");
  if (logGroupChanges(steps.logGroup)) {
    await ensureLogGroup(aws.logs, io.reporter, steps.logGroup);
    if (steps.logGroup.kind === "create") created.push(`log group ${steps.logGroup.group}`);
  }
  const revision = await registerIfChanged(
    io,
    aws,
    buildTaskDefinition(steps.task, environment, steps.secrets.wiring),
    steps,
    roleChange,
  );
  await io.save({
    environment: { METADATA_JDBC_URL: environment.METADATA_JDBC_URL ?? false },
    taskDefinition: revision.name,
  });
  if (revision.registered) created.push(`task definition ${revision.name}`);

  if (!steps.service.exists) {
    checkpoint(`creating service ${steps.service.name}`);
    await createService(aws.ecs, io.reporter, {
      input: buildCreateServiceInput(steps.cluster, steps.service.name, revision.arn),
      wait: steps.wait,
      timeoutMs: io.waitTimeoutMs,
      pollIntervalMs: io.pollIntervalMs,
      signal: io.signal,
      roleChange,
      onCreated: async () => {
        created.push(`ECS service ${steps.service.name}`);
      },
    });
  }
  const publicDns =
    host?.publicDnsName ?? (steps.compute.status === "ready" ? steps.compute.publicDnsName : undefined);
  return {
    complete: true,
    created,
    taskDefinition: revision.name,
    instanceUrl: publicDns ? `http://${publicDns}/` : undefined,
  };
}

/**
 * Registers the final task definition (the real JDBC URL is only known now) unless the revision it is
 * compared with already is exactly that.
 */
async function registerIfChanged(
  io: ApplyIo,
  aws: SetupAws,
  input: RegisterTaskDefinitionCommandInput,
  steps: SetupSteps,
  roleChange: RoleChange | undefined,
): Promise<{ name: string; arn: string; registered: boolean }> {
  const baseline = steps.baseline;
  if (baseline && !steps.force && diffTaskDefinitions(baseline, input).length === 0) {
    io.reporter.info(`Task definition ${revisionName(baseline)} is up to date.`);
    return { name: revisionName(baseline), arn: baseline.taskDefinitionArn as string, registered: false };
  }
  const registered = await registerRevision(aws.ecs, io.reporter, input, { roleChange, signal: io.signal });
  io.reporter.success(`Registered ${revisionName(registered)}`);
  return { name: revisionName(registered), arn: registered.taskDefinitionArn as string, registered: true };
}

/** A failed or interrupted setup says what it created, and that running it again continues from there. */
function withProgressSoFar(error: unknown, created: readonly string[]): unknown {
  if (!(error instanceof McctlError)) return error;
  const so = created.length > 0 ? `created so far: ${created.join(", ")}` : "nothing was created";
  const Kind = error instanceof InterruptedError ? InterruptedError : McctlError;
  return new Kind(`${error.message}; ${so}`, {
    suggestion: `${error.suggestion ? `${error.suggestion} ` : ""}Run \`mcctl setup\` again to continue: it finds what exists.`,
    exitCode: error.exitCode,
    cause: error.cause ?? error,
  });
}

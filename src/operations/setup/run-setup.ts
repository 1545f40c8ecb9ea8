import { resolveTaskSettings } from "../../config/task-inputs.js";
import { buildJdbcUrl } from "../../domain/environment.js";
import { buildTaskDefinition, taskRequirements } from "../../domain/task-definition.js";
import { McctlError } from "../../errors.js";
import { reportFindings } from "../../ui/findings.js";
import { withProgress } from "../../ui/progress.js";
import { planCreateService } from "../create-service.js";
import { ServiceMonitor, waitForSteady } from "../service-monitor.js";
import { registerIfChanged } from "../task-registration.js";
import { timeoutError } from "../timeouts.js";
import { gatherApplicationSettings } from "./application.js";
import { ensureBucket } from "./bucket.js";
import { launchInstance, prepareCompute, waitForContainerInstance } from "./compute.js";
import { ensureDatabase, waitForDatabase } from "./database.js";
import { ensureDatabaseAccess } from "./database-access.js";
import type { SetupAws, SetupIo } from "./types.js";

export interface SetupRequest {
  cluster: string;
  service: string;
  family?: string;
  /** Bound for waiting until the new service is steady. */
  serviceTimeoutMs: number;
}

export interface SetupOutcome {
  /** Everything exists and the service is steady. */
  complete: boolean;
  /** Why it is not complete yet (dry run, --no-wait, …). */
  pendingReason?: string;
  bucket: string;
  database: string;
  cluster: string;
  service: string;
  taskDefinition?: string;
  instanceUrl?: string;
  metadataHost?: string;
  supervisorPasswordSet: boolean;
}

/** A host that is only there to satisfy the JDBC URL check until RDS has given the database an endpoint. */
const PENDING_DB_HOST = "pending-endpoint.invalid";

/**
 * The wiki's whole procedure, each step looking before it changes anything. Questions come first and
 * slow waits (RDS, a new instance) last, so an operator answers everything in one sitting.
 */
export async function runSetup(io: SetupIo, aws: SetupAws, request: SetupRequest): Promise<SetupOutcome> {
  const { output } = io;
  const task = resolveTaskSettings(io.settings(), io.env, request.family);

  output.info(io.output.style.bold("1. S3 bucket for assets"));
  const bucket = await ensureBucket(io, aws);

  output.info(io.output.style.bold("2. MySQL database (RDS)"));
  const { database, password } = await ensureDatabase(io, aws);

  output.info(io.output.style.bold("3. ECS cluster and container instance"));
  const compute = await prepareCompute(io, aws, {
    cluster: request.cluster,
    requirement: taskRequirements(task),
    service: request.service,
  });

  const launch = compute.launchNeeded ? await launchInstance(io, aws, compute) : undefined;

  output.info(io.output.style.bold("4. Database network access"));
  await ensureDatabaseAccess(io, aws, database, compute.securityGroupIds);

  output.info(io.output.style.bold("5. Model Catalogue settings"));
  const jdbcHost = database.endpoint?.host ?? PENDING_DB_HOST;
  const derived = {
    MC_S3_BUCKET: bucket.bucket,
    MC_S3_REGION: bucket.region,
    METADATA_JDBC_URL: buildJdbcUrl({
      host: jdbcHost,
      port: database.endpoint?.port,
      database: database.databaseName,
    }),
    METADATA_USERNAME: database.masterUsername,
    METADATA_PASSWORD: password,
  };
  const inputs = await gatherApplicationSettings(io, derived);
  reportFindings(output, inputs.findings);

  const outcome: SetupOutcome = {
    complete: false,
    bucket: bucket.bucket,
    database: database.identifier,
    cluster: request.cluster,
    service: request.service,
    metadataHost: inputs.environment.METADATA_HOST,
    supervisorPasswordSet: inputs.environment.MC_SUPERVISOR_PASSWORD !== undefined,
  };
  const pendingInstance = launch?.instanceId ?? compute.pendingInstanceId;
  if (io.dryRun) {
    io.plan({
      step: "task definition",
      state: "create",
      detail: `${task.family}: registered when it differs`,
    });
    io.plan({
      step: "service",
      state: "create",
      detail: `${request.service} in ${request.cluster}, desired count 1`,
    });
    return { ...outcome, pendingReason: "dry run: nothing was changed" };
  }
  if (io.noWait && (database.status !== "available" || pendingInstance)) {
    return {
      ...outcome,
      pendingReason:
        "--no-wait: the database or the instance is still starting; run `mcctl setup` again to finish",
    };
  }

  output.info(io.output.style.bold("6. Task definition and service"));
  const ready = database.status === "available" ? database : await waitForDatabase(io, aws, database);
  if (!ready.endpoint)
    throw new McctlError(`RDS reports ${ready.identifier} available but gives no endpoint`);
  const host = pendingInstance
    ? await waitForContainerInstance(io, aws, request.cluster, pendingInstance)
    : compute.fittingInstance;

  const environment = {
    ...inputs.environment,
    METADATA_JDBC_URL: buildJdbcUrl({
      host: ready.endpoint.host,
      port: ready.endpoint.port,
      database: ready.databaseName,
    }),
  };
  const registration = await registerIfChanged(
    aws.ecs,
    output,
    buildTaskDefinition(inputs.task, environment),
  );
  const revision = `${registration.family}:${registration.revision}`;
  if (registration.registered) output.success(`Registered ${revision}`);

  const existing = await aws.ecs.describeService(request.cluster, request.service);
  if (existing?.status === "ACTIVE") {
    output.success(`Service ${request.service} exists`);
    if (existing.taskDefinition !== registration.taskDefinitionArn) {
      output.warn(
        `Service ${request.service} runs ${existing.taskDefinition?.split("/").pop()}, not ${revision}: deploy it with \`mcctl rollback --to ${registration.revision}\` or \`mcctl restart\` after pointing it there.`,
      );
    }
  } else {
    const plan = await planCreateService(aws.ecs, {
      cluster: request.cluster,
      service: request.service,
      family: registration.family,
      taskDefinition: registration.taskDefinitionArn,
    });
    const created = await aws.ecs.createService(plan.input);
    output.success(`Created service ${request.service}`);
    const deadline = Date.now() + request.serviceTimeoutMs;
    await withProgress(output, `Waiting for ${request.service} to become steady`, async (reporter) => {
      const monitor = new ServiceMonitor(aws.ecs, request.cluster, request.service, reporter);
      monitor.ignoreEvents(created.events);
      await waitForSteady(
        monitor,
        {
          deadline,
          pollIntervalMs: io.pollIntervalMs,
          signal: io.signal,
          onTimeout: (snapshot) =>
            timeoutError(
              `service ${request.service} to become steady`,
              request.serviceTimeoutMs,
              snapshot,
              "ECS keeps trying; follow it with `mcctl status`.",
            ),
        },
        reporter,
      );
      return `Service ${request.service} is steady`;
    });
  }
  return {
    ...outcome,
    complete: true,
    taskDefinition: revision,
    instanceUrl: host?.publicDnsName ? `http://${host.publicDnsName}/` : undefined,
  };
}

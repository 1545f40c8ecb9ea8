import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { Settings } from "../../config/settings.js";
import { resolveTaskSettings } from "../../config/task-inputs.js";
import { buildJdbcUrl } from "../../domain/environment.js";
import type { DatabaseFacts } from "../../domain/rds-rules.js";
import { STORED_IN_SSM } from "../../domain/secrets.js";
import { type TaskSettings, taskRequirements } from "../../domain/task-definition.js";
import { McctlError } from "../../errors.js";
import type { Target } from "../account.js";
import type { LogGroupPlan } from "../logs.js";
import {
  baselineOf,
  findKnownRevisions,
  planRegistration,
  type RegistrationPlan,
  serviceIfAny,
} from "../registration.js";
import { knownSecrets, readStoredSecrets, resolveSecretStore, type SecretStorePlan } from "../secrets.js";
import { type BucketPlan, planBucket } from "./bucket.js";
import { type ComputePlan, planCompute } from "./compute.js";
import { type DatabasePlan, type NewDatabase, planDatabase } from "./database.js";
import { type AccessPlan, type AccessRule, planDatabaseAccess } from "./database-access.js";
import type { LaunchAnswers } from "./launch.js";
import { PENDING_DB_HOST } from "./pending.js";
import type { PlanIo, PlanLine, SetupAws } from "./types.js";

/** What setup's apply needs of the plan, in the terms of the resources it creates. */
export interface SetupSteps {
  cluster: string;
  service: { name: string; exists: boolean };
  bucket: { name: string; create: boolean };
  database:
    | { action: "use"; facts: DatabaseFacts }
    | {
        action: "create";
        planned: Omit<NewDatabase, "securityGroupId"> & {
          vpcId: string;
          securityGroupId?: string | undefined;
        };
      }
    | { action: "external"; host: string; port?: number | undefined; databaseName: string };
  password: string;
  createCluster: boolean;
  compute:
    | { status: "ready"; publicDnsName?: string | undefined }
    | { status: "pending"; instanceId: string }
    | { status: "launch"; answers: LaunchAnswers };
  access: AccessRule[];
  /** The application's task definition, and the revision it is compared with before registering. */
  task: TaskSettings;
  environment: Record<string, string>;
  /** Secrets to store in SSM and the execution role; written first, so none is lost if setup stops. */
  secrets: SecretStorePlan;
  logGroup: LogGroupPlan;
  baseline?: TaskDefinition | undefined;
  force?: boolean | undefined;
  /** Wait for a steady service after creating it, and for slow resources before registering. */
  wait: boolean;
}

export interface SetupRequest {
  cluster: string;
  service: string;
  family?: string | undefined;
  /** The account, caller and region (the secrets' ARNs are built in them). */
  target: Target;
  kmsKey?: string | undefined;
}

/** The whole of `mcctl setup`, decided before anything is created. */
export interface SetupPlan {
  bucket: BucketPlan;
  database: DatabasePlan;
  compute: ComputePlan;
  access: AccessPlan;
  registration: RegistrationPlan;
  /** The database has no endpoint yet: METADATA_JDBC_URL is filled in once RDS gives it one. */
  jdbcPending: boolean;
  /** The service exists (and runs this revision), or apply creates it. */
  service: { name: string; exists: boolean; runs?: string | undefined };
  /** One line a resource: what exists, what apply creates. */
  lines: PlanLine[];
  /** mcctl.json after setup; saved right after the confirmation, then completed as resources appear. */
  settingsAfter: Settings;
}

/**
 * The wiki's whole procedure, looked at and answered: every question is asked and every prerequisite
 * checked (bucket ownership, engine version and class offered, instance type offered, AMI, key pair,
 * subnet, instance profile and its role, security groups, service present or absent) before the
 * operator confirms anything. Reads AWS; changes nothing.
 */
export async function planSetup(given: PlanIo, aws: SetupAws, request: SetupRequest): Promise<SetupPlan> {
  const family = resolveTaskSettings(given.settings, given.env, request.family).family;
  const known = await findKnownRevisions(aws.ecs, {
    family,
    recorded: given.settings.taskDefinition,
    cluster: request.cluster,
    service: request.service,
  });
  // A re-run: the secrets SSM holds are used (never read) instead of being asked again, and plain ones
  // of an older revision are moved to SSM.
  const store = resolveSecretStore(given.settings, family, request.target, request.kmsKey);
  const stored = await readStoredSecrets(aws.ssm, store);
  const io: PlanIo = { ...given, knownSecrets: knownSecrets(stored, baselineOf(known)?.taskDefinition) };
  const bucket = await planBucket(io, aws);
  const database = await planDatabase(io, aws);
  const task = resolveTaskSettings(io.settings, io.env, request.family);
  const compute = await planCompute(io, aws, {
    cluster: request.cluster,
    requirement: taskRequirements(task),
    service: request.service,
  });
  const access = await planDatabaseAccess(aws, database.database, compute);

  const choice = database.database;
  const endpoint = choice.action === "use" ? choice.endpoint : undefined;
  const jdbcPending = choice.action !== "external" && endpoint === undefined;
  const derived: Record<string, string> = {
    MC_S3_BUCKET: bucket.name,
    MC_S3_REGION: bucket.region,
    METADATA_PASSWORD: database.password,
  };
  if (choice.action !== "external") {
    derived.METADATA_USERNAME = choice.masterUsername;
    derived.METADATA_JDBC_URL = buildJdbcUrl({
      host: endpoint?.host ?? PENDING_DB_HOST,
      port: endpoint?.port,
      database: choice.databaseName,
    });
  }
  // A password setup chose or was given (a new database's) wins over the one SSM holds, as if set in
  // the environment: the task must use the password the database gets.
  const chosen = database.password === STORED_IN_SSM ? {} : { METADATA_PASSWORD: database.password };
  const registration = await planRegistration(
    {
      settings: {
        ...settingsForRegistration(io.settings, jdbcPending),
        features: { ...io.settings.features, assets: true },
      },
      env: { ...io.env, ...chosen },
      kmsKey: request.kmsKey,
      interactive: io.interactive,
      familyFlag: request.family,
      region: io.region,
      cluster: request.cluster,
      service: request.service,
      derived,
      notify: (finding) => io.warn(`${finding.variable}: ${finding.message}`),
    },
    io.ask,
    { ecs: aws.ecs, ssm: aws.ssm, iam: aws.iam, logs: aws.logs, target: request.target },
    {
      known,
      stored,
      // The instance setup reuses must be able to run the revision; a new one from the current ECS AMI can.
      placement: compute.status === "ready" ? { instances: compute.usableContainerInstances ?? [] } : "skip",
    },
  );

  const existing = await serviceIfAny(aws.ecs, request.cluster, request.service);
  if (existing?.status === "DRAINING") {
    throw new McctlError(
      `service ${request.service} in cluster ${request.cluster} is still being deleted (DRAINING)`,
      {
        suggestion: "Wait until ECS has finished deleting it, then run mcctl setup again.",
      },
    );
  }
  const service = {
    name: request.service,
    exists: existing?.status === "ACTIVE",
    runs: existing?.status === "ACTIVE" ? existing.taskDefinition?.split("/").pop() : undefined,
  };
  const lines = [bucket.line, ...database.lines, ...compute.lines, ...access.lines];
  lines.push(
    service.exists
      ? {
          step: "ECS service",
          state: "exists",
          detail: `${service.name} in ${request.cluster} (runs ${service.runs})`,
        }
      : {
          step: "ECS service",
          state: "create",
          detail: `${service.name} in ${request.cluster}, desired count 1, then wait until steady`,
        },
  );
  return {
    bucket,
    database,
    compute,
    access,
    registration,
    jdbcPending,
    service,
    lines,
    settingsAfter: settingsAfterSetup(io.settings, {
      bucket,
      database,
      compute,
      registration,
      jdbcPending,
      request,
      region: io.region,
    }),
  };
}

/**
 * A database setup is yet to create (or that is still starting) gets a new endpoint: the JDBC URL
 * mcctl.json keeps from an earlier one (before a destroy) names a database that is gone, not a choice.
 */
function settingsForRegistration(file: Settings, jdbcPending: boolean): Settings {
  if (!jdbcPending || file.environment?.METADATA_JDBC_URL === undefined) return file;
  const { METADATA_JDBC_URL: _gone, ...environment } = file.environment;
  return { ...file, environment };
}

/**
 * mcctl.json after setup: the application's description (from the registration plan), setup's own
 * answers, and where the deployment lives. The bucket lives in environment.MC_S3_BUCKET now (older
 * files kept it in setup.bucket); a JDBC URL that only stands in for a pending endpoint is left out.
 */
function settingsAfterSetup(
  file: Settings,
  plan: Pick<SetupPlan, "bucket" | "database" | "compute" | "registration" | "jdbcPending"> & {
    request: SetupRequest;
    region: string;
  },
): Settings {
  const settings = plan.registration.settingsAfter;
  const environment = { ...settings.environment };
  if (plan.jdbcPending) delete environment.METADATA_JDBC_URL;
  const { bucket: _legacy, ...setup } = file.setup ?? {};
  const choice = plan.database.database;
  const launch = plan.compute.launch;
  return {
    ...settings,
    region: plan.region,
    cluster: plan.request.cluster,
    service: plan.request.service,
    environment,
    setup: {
      ...setup,
      ...(choice.action === "create"
        ? {
            database: {
              identifier: choice.identifier,
              create: true,
              engineVersion: choice.engineVersion,
              instanceClass: choice.instanceClass,
              storageGiB: choice.storageGiB,
              masterUsername: choice.masterUsername,
              databaseName: choice.databaseName,
            },
          }
        : choice.action === "use"
          ? {
              database: {
                ...setup.database,
                identifier: choice.identifier,
                create: choice.created,
                databaseName: choice.databaseName,
              },
            }
          : {}),
      ...(launch
        ? {
            instance: {
              ...setup.instance,
              type: launch.instanceType,
              keyPair: launch.keyPair ?? false,
              instanceProfile: launch.instanceProfile,
              subnetId: launch.subnetId,
              ...(launch.securityGroup.id ? { securityGroupId: launch.securityGroup.id } : {}),
            },
          }
        : {}),
    },
  };
}

/** The plan in the terms apply works in (SetupSteps). */
export function applyStepsOf(plan: SetupPlan, wait: boolean): SetupSteps {
  const choice = plan.database.database;
  const compute = plan.compute;
  return {
    cluster: plan.compute.cluster,
    service: plan.service,
    bucket: { name: plan.bucket.name, create: plan.bucket.action === "create" },
    database:
      choice.action === "create"
        ? { action: "create", planned: choice }
        : choice.action === "use"
          ? { action: "use", facts: choice }
          : choice,
    password: plan.database.password,
    createCluster: compute.createCluster,
    compute:
      compute.status === "launch" && compute.launch
        ? { status: "launch", answers: compute.launch }
        : compute.status === "pending" && compute.pendingInstanceId
          ? { status: "pending", instanceId: compute.pendingInstanceId }
          : { status: "ready", publicDnsName: compute.fittingInstance?.publicDnsName },
    access: plan.access.rules,
    task: plan.registration.inputs.task,
    environment: { ...plan.registration.inputs.environment },
    secrets: plan.registration.secrets,
    logGroup: plan.registration.logGroup,
    baseline: plan.registration.baseline?.taskDefinition,
    wait,
  };
}

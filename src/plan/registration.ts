import type {
  ContainerInstance,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import type { IamApi } from "../aws/iam.js";
import type { LogsApi } from "../aws/logs.js";
import type { SsmApi } from "../aws/ssm.js";
import { revisionName, withInputs } from "../config/deployment.js";
import type { Asker } from "../config/questions.js";
import type { Settings } from "../config/settings.js";
import {
  gatherTaskInputs,
  resolveTaskSettings,
  type TaskInputSources,
  type TaskInputs,
} from "../config/task-inputs.js";
import { buildCheckedTaskDefinition } from "../domain/task-definition.js";
import { diffTaskDefinitions, type TaskDefinitionChange } from "../domain/task-definition-diff.js";
import type { SecretStorePlan } from "../plan/secrets.js";
import type { Target } from "./account.js";
import { type Adoption, type AdoptionSummary, adoptionOf, summarizeAdoption } from "./adoption.js";
import type { LogGroupPlan } from "./logs.js";
import { planLogGroup } from "./logs.js";
import { checkRevisionPlacement } from "./placement.js";
import { serviceIfAny } from "./service.js";

export { serviceIfAny } from "./service.js";

import {
  knownSecrets,
  planSecretStore,
  readStoredSecrets,
  resolveSecretStore,
  type StoredSecrets,
} from "./secrets.js";

export interface RegistrationSources extends Omit<TaskInputSources, "knownSecrets"> {
  cluster: string;
  service: string;
  /** --kms-key: a customer key for the secrets, instead of mcctl.json's or the AWS-managed one. */
  kmsKey?: string | undefined;
}

/** The services a registration reads, and where it lands. */
export interface RegistrationAws {
  ecs: EcsApi;
  logs: LogsApi;
  ssm: SsmApi;
  iam: IamApi;
  target: Target;
}

/** Where the revision a registration is compared with came from. */
export type BaselineSource = "mcctl.json" | "service" | "newest";

export interface RegistrationPlan {
  family: string;
  inputs: TaskInputs;
  /** The RegisterTaskDefinition input: secrets are references to SSM, never values. */
  input: RegisterTaskDefinitionCommandInput;
  /** Where each secret is stored, what is written to SSM, and the execution role that reads them. */
  secrets: SecretStorePlan;
  /** The log group the containers write to: there, to be created, or its retention to set. */
  logGroup: LogGroupPlan;
  /**
   * The revision the inputs are compared with and take their secrets from: the one mcctl.json describes,
   * else the one the service runs, else the family's newest. Undefined for a family with no revision.
   */
  baseline?: { taskDefinition: TaskDefinition; source: BaselineSource } | undefined;
  /** What registering changes compared with the baseline (secrets masked). */
  changes: TaskDefinitionChange[];
  /** A new revision is registered: something changed, there is none yet, or --force. */
  register: boolean;
  /**
   * Without a baseline: the newest revision ECS still lists, deregistered or being deleted, after which
   * it numbers the one registered now (ECS never reuses a revision number).
   */
  retired?: { revision: number; status: "INACTIVE" | "DELETE_IN_PROGRESS" } | undefined;
  /**
   * ECS lists no revision, but mcctl.json describes an earlier deployment: its revisions may have been
   * deleted, and ECS does not give their numbers again, so the first number is only a lower bound.
   */
  numberUncertain: boolean;
  /** The service runs a revision other than the baseline: what the registration would change in it. */
  drift?: { revision: string; changes: TaskDefinitionChange[] } | undefined;
  /** mcctl.json after the registration, except the revision it describes (known once registered). */
  settingsAfter: Settings;
  /** Container instances that could never run the new revision while another can: what each lacks. */
  placementNotes: string[];
  /** mcctl.json described no revision: the values came from the one in service, as said here. */
  adoption?: AdoptionSummary | undefined;
}

export interface KnownRevisions {
  recorded?: TaskDefinition | undefined;
  running?: TaskDefinition | undefined;
  newest?: TaskDefinition | undefined;
}

/**
 * The revisions that decide what a registration means: the one mcctl.json describes, the one the service
 * runs (when the service exists and runs this family) and the family's newest. Read-only.
 */
export async function findKnownRevisions(
  ecs: EcsApi,
  where: { family: string; recorded?: string | undefined; cluster: string; service: string },
): Promise<KnownRevisions> {
  const recordedName = where.recorded?.startsWith(`${where.family}:`) ? where.recorded : undefined;
  const [recorded, service, newest] = await Promise.all([
    recordedName ? ecs.findTaskDefinition(recordedName) : undefined,
    serviceIfAny(ecs, where.cluster, where.service),
    ecs.findLatestTaskDefinition(where.family),
  ]);
  const runningArn = service?.status === "ACTIVE" ? service.taskDefinition : undefined;
  const running =
    runningArn === undefined
      ? undefined
      : runningArn === recorded?.taskDefinitionArn
        ? recorded
        : runningArn === newest?.taskDefinitionArn
          ? newest
          : await ecs.findTaskDefinition(runningArn);
  return { recorded, running: running?.family === where.family ? running : undefined, newest };
}

/** Where a deployment is, and what names its family: --family, MCCTL_TASK_FAMILY, mcctl.json. */
export interface DeploymentWhere {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  familyFlag?: string | undefined;
  cluster: string;
  service: string;
}

/**
 * The revision in service, when mcctl.json describes none and it is of the family given (if one is):
 * a deployment made by hand, whose values that revision holds. Read-only.
 */
export async function revisionToAdopt(
  ecs: EcsApi,
  where: DeploymentWhere,
): Promise<(TaskDefinition & { family: string }) | undefined> {
  const { settings } = where;
  if (settings.taskDefinition !== undefined) return undefined;
  const current = await serviceIfAny(ecs, where.cluster, where.service);
  const arn = current?.status === "ACTIVE" ? current.taskDefinition : undefined;
  const running = arn ? await ecs.findTaskDefinition(arn) : undefined;
  const family = where.familyFlag ?? where.env.MCCTL_TASK_FAMILY ?? settings.taskFamily;
  if (!running?.family || (family !== undefined && family !== running.family)) return undefined;
  return { ...running, family: running.family };
}

/** The family a command works on: the one given, else the adopted revision's, else the default. */
export async function deploymentFamily(ecs: EcsApi, where: DeploymentWhere): Promise<string> {
  const adopted = await revisionToAdopt(ecs, where);
  return adopted?.family ?? resolveTaskSettings(where.settings, where.env, where.familyFlag).family;
}

/** The known revisions, and the revision in service to adopt when mcctl.json describes none. */
async function findRevisions(
  ecs: EcsApi,
  sources: RegistrationSources,
): Promise<{ known: KnownRevisions; adoption?: Adoption | undefined }> {
  const running = await revisionToAdopt(ecs, sources);
  if (running) {
    const newest = await ecs.findLatestTaskDefinition(running.family);
    return { known: { running, newest }, adoption: adoptionOf(sources.settings, running) };
  }
  const { settings, cluster, service } = sources;
  const family = resolveTaskSettings(settings, sources.env, sources.familyFlag).family;
  const recorded = settings.taskDefinition;
  return { known: await findKnownRevisions(ecs, { family, recorded, cluster, service }) };
}

/** The revision a registration is compared with; see RegistrationPlan.baseline. */
export function baselineOf(known: KnownRevisions): RegistrationPlan["baseline"] {
  if (known.recorded) return { taskDefinition: known.recorded, source: "mcctl.json" };
  if (known.running) return { taskDefinition: known.running, source: "service" };
  if (known.newest) return { taskDefinition: known.newest, source: "newest" };
  return undefined;
}

/**
 * The plan of a registration (register-task, setup): every input resolved (asking on a terminal), the
 * secrets SSM already holds reused without reading them, plain-text secrets of the baseline moved to SSM,
 * and what would change. Reads ECS, SSM and IAM; changes nothing.
 */
export async function planRegistration(
  sources: RegistrationSources,
  ask: Pick<Asker, "askText" | "askSecret" | "askConfirm">,
  aws: RegistrationAws,
  options: {
    force?: boolean | undefined;
    known?: KnownRevisions | undefined;
    /** The parameters under the store's path, when the caller has read them already. */
    stored?: StoredSecrets | undefined;
    /**
     * Which container instances the new revision must be able to run on: the cluster's (the default), the
     * ones given (setup reuses one), or none to check ("skip": setup launches a new one).
     */
    placement?: "skip" | { instances: readonly ContainerInstance[] } | undefined;
  } = {},
): Promise<RegistrationPlan> {
  const found = options.known ? { known: options.known } : await findRevisions(aws.ecs, sources);
  const { known, adoption } = found;
  const given = adoption?.settings ?? sources.settings;
  const family = resolveTaskSettings(given, sources.env, sources.familyFlag).family;
  const baseline = baselineOf(known);
  const store = resolveSecretStore(given, family, aws.target, sources.kmsKey);
  const stored = options.stored ?? (await readStoredSecrets(aws.ssm, store));
  const inputs = await gatherTaskInputs(
    {
      ...sources,
      settings: given,
      knownSecrets: knownSecrets(stored, baseline?.taskDefinition),
      adoptedFrom: adoption ? revisionName(adoption.revision) : undefined,
    },
    ask,
  );
  const secrets = await planSecretStore(aws, {
    store,
    stored,
    environment: inputs.environment,
    kept: inputs.keptSecrets,
    plainFrom: baseline ? revisionName(baseline.taskDefinition) : undefined,
    family,
    cluster: sources.cluster,
    executionRole: sources.settings.secrets?.executionRole,
  });
  const input = buildCheckedTaskDefinition(inputs.task, inputs.environment, secrets.wiring);
  const logGroup = await planLogGroup(aws.logs, inputs.task.logging);
  const changes = baseline ? diffTaskDefinitions(baseline.taskDefinition, input) : [];
  const retired = baseline ? undefined : await aws.ecs.newestRetiredRevision(family);
  const register = !baseline || changes.length > 0 || Boolean(options.force);
  const placement = options.placement;
  const placementNotes =
    register && placement !== "skip"
      ? await checkRevisionPlacement(aws.ecs, input, {
          cluster: sources.cluster,
          what: `the new revision of ${family}`,
          instances: placement?.instances,
        })
      : [];
  const running = known.running;
  const drift =
    running && baseline && running.taskDefinitionArn !== baseline.taskDefinition.taskDefinitionArn
      ? { revision: revisionName(running), changes: diffTaskDefinitions(running, input) }
      : undefined;
  const { taskDefinition: _recorded, ...file } = sources.settings;
  return {
    family,
    inputs,
    input,
    secrets,
    logGroup,
    baseline,
    changes,
    register,
    retired,
    numberUncertain: !baseline && !retired && sources.settings.taskFamily !== undefined,
    drift,
    placementNotes,
    adoption: adoption
      ? summarizeAdoption(adoption, { file: sources.settings, env: sources.env }, inputs, secrets)
      : undefined,
    settingsAfter: withInputs(
      baseline && !(changes.length > 0 || options.force)
        ? { ...file, taskDefinition: revisionName(baseline.taskDefinition) }
        : file,
      inputs.settings,
    ),
  };
}

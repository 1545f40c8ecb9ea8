import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Ec2Api } from "../aws/ec2.js";
import type { EcsApi } from "../aws/ecs.js";
import type { IamApi } from "../aws/iam.js";
import type { LogsApi } from "../aws/logs.js";
import type { SsmApi } from "../aws/ssm.js";
import { adoptRevision } from "../config/deployment.js";
import type { Asker } from "../config/questions.js";
import type { Settings } from "../config/settings.js";
import { resolveTaskSettings } from "../config/task-settings.js";
import { parseImage, withTag } from "../domain/images.js";
import { type Logging, logConfigurationFor } from "../domain/logs.js";
import { buildPullCommands, type PullCommand } from "../domain/pull-commands.js";
import { restartSteps } from "../domain/restart-sequence.js";
import { plainSecretValues, withSecretReferences } from "../domain/secrets.js";
import { ES_CONTAINER, MC_CONTAINER } from "../domain/task-definition.js";
import { diffTaskDefinitions, type TaskDefinitionChange } from "../domain/task-definition-diff.js";
import {
  containerImage,
  type ImageChange,
  reviseTaskDefinition,
  shortRevision,
} from "../domain/task-revision.js";
import { McctlError, UsageError } from "../errors.js";
import type { SecretStorePlan } from "../plan/secrets.js";
import { findServiceHosts } from "../queries/service-hosts.js";
import type { Target } from "./account.js";
import type { LogGroupPlan } from "./logs.js";
import { planLogGroup } from "./logs.js";
import { checkRevisionPlacement } from "./placement.js";
import { type PrepullPlan, planPrepull } from "./prepull.js";
import { planSecretStore, readStoredSecrets, resolveSecretStore } from "./secrets.js";
import { findServiceRevision, resolveHealthUrl } from "./service.js";
import { sshWarningsFor } from "./ssh-reach.js";

export interface UpgradeRequest {
  cluster: string;
  service: string;
  /** The revision mcctl.json describes ("family:revision"): the base of the new one when it differs. */
  recorded?: string | undefined;
  tag?: string | undefined;
  image?: string | undefined;
  esTag?: string | undefined;
  healthUrl?: string | undefined;
  checkHealth: boolean;
  skipPull: boolean;
  /** Pull the new images through ECS before anything stops (--no-prepull: false). */
  prepull: boolean;
  sshKey?: string | undefined;
  sshUser: string;
  sshPrivateIp: boolean;
}

interface UpgradeBase {
  current: TaskDefinition;
  from: string;
  /** What the upgrade goes to, for the snapshot's name and tag: the new tag, else the floating one. */
  label: string;
  /** The database the current revision uses (METADATA_JDBC_URL): the one snapshotted first. */
  jdbcUrl?: string | undefined;
  healthUrl?: string | undefined;
  /** The restart sequence's phases, as the plan prints them. */
  restart: string[];
  /** The one-off tasks that pull the new images while the old task still runs; none with --no-prepull. */
  prepull?: PrepullPlan | undefined;
}

/** A new revision with other images, switched to while the service is at 0. */
export interface RevisionUpgradePlan extends UpgradeBase {
  kind: "revision";
  next: RegisterTaskDefinitionCommandInput;
  /** The plan's line about registering `next`. */
  registration: string;
  changes: TaskDefinitionChange[];
  images: ImageChange[];
  /** Plain-text secrets of the base revision, moved to SSM before the new revision is registered. */
  secrets?: SecretStorePlan | undefined;
  /** The log group a revision that logged on the instance moves to, prepared before it is registered. */
  logGroup?: LogGroupPlan | undefined;
  /** Container instances that could never run the new revision while another can: what each lacks. */
  placementNotes: string[];
}

/** What moving plain-text secrets to SSM needs; without it an upgrade copies the revision as it is. */
export interface UpgradeSecretSources {
  aws: { ssm: SsmApi; iam: IamApi; logs: LogsApi };
  target: Target;
  settings: Settings;
  kmsKey?: string | undefined;
}

/**
 * Floating tags: the pre-pull fetches the tags' new digests through ECS (an agent with the default pull
 * behaviour pulls a tag it has again), then restart. With --ssh-key, `docker pull` over ssh on each host
 * instead: for an agent set to ECS_IMAGE_PULL_BEHAVIOR=once or prefer-cached, which never fetches a new
 * digest of a tag it has, so no task ECS starts can.
 */
export interface PullUpgradePlan extends UpgradeBase {
  kind: "pull";
  pulls: PullCommand[];
  /** Hosts ssh cannot reach (no key pair, port 22 closed): why, and what to do instead. */
  sshWarnings: string[];
}

export type UpgradePlan = RevisionUpgradePlan | PullUpgradePlan;

/**
 * An upgrade, decided: the service and its revision exist, the new images differ from the running
 * ones, the hosts to pull on are found, the health URL is known. Read-only.
 */
export async function planUpgrade(
  ecs: EcsApi,
  ec2: () => Promise<Ec2Api>,
  request: UpgradeRequest,
  secretSources?: UpgradeSecretSources,
): Promise<UpgradePlan> {
  const {
    service,
    current,
    tags: currentTags,
  } = await findServiceRevision(ecs, request.cluster, request.service);
  const from = shortRevision(current.taskDefinitionArn);
  // The new revision is the one mcctl.json describes with other images: a change registered but not yet
  // in service goes along, and the plan shows it, rather than being lost from mcctl.json.
  const base = await baseRevision(ecs, current, request.recorded);
  const tags =
    base === current
      ? currentTags
      : (await ecs.describeTaskDefinitionWithTags(base.taskDefinitionArn as string)).tags;
  const images: ImageChange[] = [];
  const mcImage =
    request.image ?? (request.tag ? withTag(imageOf(base, MC_CONTAINER), request.tag) : undefined);
  if (mcImage) images.push({ container: MC_CONTAINER, image: mcImage });
  if (request.esTag) {
    images.push({ container: ES_CONTAINER, image: withTag(imageOf(base, ES_CONTAINER), request.esTag) });
  }
  const count = countsOf(service.desiredCount);
  if (images.length === 0) return planPull(ecs, ec2, request, current, from, count);

  if (images.every((change) => containerImage(current, change.container) === change.image)) {
    throw new UsageError(`${from} already uses ${images.map((change) => change.image).join(", ")}`, {
      suggestion: "To pull a newer build of the same tag and restart, run `mcctl upgrade` without --tag.",
    });
  }
  const revised = reviseTaskDefinition(base, tags, images);
  const secrets = secretSources ? await planMigration(ecs, base, request.cluster, secretSources) : undefined;
  const referenced = secrets
    ? withSecretReferences(
        revised,
        MC_CONTAINER,
        secrets.secrets.map((secret) => secret.variable),
        secrets.wiring,
      )
    : revised;
  // A revision still logging on the instance moves to the deployment's log group, as a registration would.
  const logging = secretSources ? loggingWanted(base, secretSources) : undefined;
  const next = logging ? withLogging(referenced, logging) : referenced;
  const logGroup = logging && secretSources ? await planLogGroup(secretSources.aws.logs, logging) : undefined;
  // Judged on what each instance registered: the restart stops the running task before placing the new one.
  const placementNotes = await checkRevisionPlacement(ecs, next, {
    cluster: request.cluster,
    what: `the new revision of ${current.family}`,
  });
  // The execution role the service runs with now: one the upgrade creates for its secrets exists only later.
  const prepull = request.prepull
    ? await planPrepull(ecs, {
        cluster: request.cluster,
        revision: { ...next, executionRoleArn: current.executionRoleArn },
      })
    : undefined;
  // The new revision carries the same environment, so the health URL is the current one's.
  const healthUrl = resolveHealthUrl(request, current);
  return {
    kind: "revision",
    current,
    from,
    ...described(request, current),
    next,
    registration: `register a new revision of ${current.family} (a copy of ${shortRevision(base.taskDefinitionArn)} with the new images${secrets ? ", secrets from SSM" : ""})`,
    images,
    secrets,
    logGroup,
    placementNotes,
    prepull,
    changes: diffTaskDefinitions(current, next),
    healthUrl,
    restart: restartSteps({
      service: request.service,
      from: count.from,
      to: count.to,
      healthUrl,
      revision: "it",
    }),
  };
}

/**
 * The base revision's plain-text secrets, planned into SSM: the value the service runs now is the one
 * stored (compared with what SSM may already hold, which the plan then shows as a change).
 */
async function planMigration(
  ecs: EcsApi,
  base: TaskDefinition,
  cluster: string,
  sources: UpgradeSecretSources,
): Promise<SecretStorePlan | undefined> {
  const plain = plainSecretValues(base, MC_CONTAINER);
  const names = Object.keys(plain);
  if (names.length === 0) return undefined;
  const family = base.family ?? "";
  const store = resolveSecretStore(sources.settings, family, sources.target, sources.kmsKey);
  return planSecretStore(
    { ...sources.aws, ecs },
    {
      store,
      stored: await readStoredSecrets(sources.aws.ssm, store),
      environment: plain,
      kept: names,
      plainFrom: shortRevision(base.taskDefinitionArn),
      family,
      cluster,
      executionRole: sources.settings.secrets?.executionRole,
    },
  );
}

/**
 * The awslogs logging a copy of `base` gets: when mcctl.json does not ask for syslog and `base` does not
 * log to CloudWatch Logs yet. Undefined: the copy keeps `base`'s logging.
 */
function loggingWanted(base: TaskDefinition, sources: UpgradeSecretSources): Logging | undefined {
  const logging = resolveTaskSettings(sources.settings, {}, base.family, sources.target.region).logging;
  if (logging.driver !== "awslogs") return undefined;
  const mc = base.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
  return mc?.logConfiguration?.logDriver === "awslogs" ? undefined : logging;
}

function withLogging<T extends RegisterTaskDefinitionCommandInput>(input: T, logging: Logging): T {
  return {
    ...input,
    containerDefinitions: (input.containerDefinitions ?? []).map((container) =>
      container.name === MC_CONTAINER || container.name === ES_CONTAINER
        ? { ...container, logConfiguration: logConfigurationFor(logging, "json-file") }
        : container,
    ),
  };
}

async function planPull(
  ecs: EcsApi,
  ec2: () => Promise<Ec2Api>,
  request: UpgradeRequest,
  current: TaskDefinition,
  from: string,
  count: { from: number; to: number },
): Promise<PullUpgradePlan> {
  const images = (current.containerDefinitions ?? []).flatMap((container) =>
    container.image ? [container.image] : [],
  );
  let pulls: PullCommand[] = [];
  let sshWarnings: string[] = [];
  // --ssh-key chooses docker pull over ssh instead of the pre-pull; --skip-pull, neither.
  const overSsh = !request.skipPull && request.sshKey !== undefined;
  const prepull =
    !request.skipPull && !overSsh && request.prepull
      ? await planPrepull(ecs, { cluster: request.cluster, revision: current })
      : undefined;
  if (overSsh) {
    const ec2Api = await ec2();
    const hosts = await findServiceHosts(ecs, ec2Api, request.cluster, request.service, {
      usePrivateIp: request.sshPrivateIp,
    });
    if (hosts.length === 0) {
      throw new McctlError(
        `no running task of ${request.service} was found, so there is no host to pull images on`,
        {
          suggestion:
            "Use `mcctl upgrade --skip-pull` to restart only; the ECS agent pulls the image when the task starts.",
        },
      );
    }
    pulls = buildPullCommands(hosts, images, { key: request.sshKey, user: request.sshUser });
    sshWarnings = await sshWarningsFor(ec2Api, hosts);
  }
  const healthUrl = resolveHealthUrl(request, current);
  return {
    kind: "pull",
    current,
    from,
    ...described(request, current),
    pulls,
    sshWarnings,
    prepull,
    healthUrl,
    restart: restartSteps({ service: request.service, from: count.from, to: count.to, healthUrl }),
  };
}

/** The upgrade's label (worked out once) and the database it may migrate. */
function described(request: UpgradeRequest, current: TaskDefinition): Pick<UpgradeBase, "label" | "jdbcUrl"> {
  const tag =
    request.tag ??
    (request.image ? parseImage(request.image).tag : undefined) ??
    request.esTag ??
    parseImage(containerImage(current, MC_CONTAINER) ?? "").tag;
  const jdbcUrl = current.containerDefinitions
    ?.find((container) => container.name === MC_CONTAINER)
    ?.environment?.find((entry) => entry.name === "METADATA_JDBC_URL")?.value;
  return { label: tag || "upgrade", jdbcUrl };
}

/**
 * mcctl.json after the upgrade: only the images change, so a later registration keeps them. When it
 * describes no revision (a deployment made by hand), it describes the new one whole, as a rollback does,
 * so that a later registration finds every value there.
 */
export function withImages(file: Settings, plan: RevisionUpgradePlan): Settings {
  if (file.taskDefinition === undefined) {
    // The revision number is known once registered; the save step sets it.
    const { taskDefinition: _notYetKnown, ...adopted } = adoptRevision(
      file,
      plan.next as TaskDefinition,
    ).settings;
    return adopted;
  }
  const image = (container: string) => plan.images.find((change) => change.container === container)?.image;
  const mc = image(MC_CONTAINER);
  const es = image(ES_CONTAINER);
  return {
    ...file,
    ...(mc ? { mc: { ...file.mc, image: mc } } : {}),
    ...(es ? { es: { ...file.es, image: es } } : {}),
  };
}

/**
 * Whether a failed upgrade goes back at once: the flag, else the operator's answer (asked in the plan,
 * so that nothing is asked once the upgrade runs); without a terminal, no.
 */
export async function decideRollback(
  plan: UpgradePlan,
  flag: boolean | undefined,
  ask: Pick<Asker, "askConfirm"> | undefined,
): Promise<boolean> {
  if (plan.kind === "pull") return false;
  if (flag !== undefined) return flag;
  if (!ask) return false;
  return ask.askConfirm(`If the new revision fails to start, roll back to ${plan.from} at once?`, true);
}

/** The revision mcctl.json describes, when it is another ACTIVE revision of the service's family. */
async function baseRevision(
  ecs: EcsApi,
  current: TaskDefinition,
  recorded: string | undefined,
): Promise<TaskDefinition> {
  if (!recorded?.startsWith(`${current.family}:`) || recorded === `${current.family}:${current.revision}`) {
    return current;
  }
  const described = await ecs.findTaskDefinition(recorded);
  return described?.status === "ACTIVE" ? described : current;
}

function imageOf(taskDefinition: TaskDefinition, container: string): string {
  const image = containerImage(taskDefinition, container);
  if (!image) {
    throw new McctlError(
      `task definition ${shortRevision(taskDefinition.taskDefinitionArn)} has no container named ${container}`,
      { suggestion: "Is the service running a Model Catalogue task definition? Check with `mcctl status`." },
    );
  }
  return image;
}

/** A service at 0 comes back with one task, as the restart does. */
function countsOf(desired: number | undefined): { from: number; to: number } {
  const from = desired ?? 0;
  return { from, to: from > 0 ? from : 1 };
}

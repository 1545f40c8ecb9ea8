import type { Service, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import type { DBInstance, DBSnapshot } from "@aws-sdk/client-rds";
import type { Ec2Api } from "../aws/ec2.js";
import type { EcsApi } from "../aws/ecs.js";
import type { RdsApi } from "../aws/rds.js";
import type { SsmApi } from "../aws/ssm.js";
import { deploymentJdbcUrl } from "../config/deployment.js";
import type { Asker } from "../config/questions.js";
import type { Settings } from "../config/settings.js";
import {
  describeSnapshot,
  predictedEndpoint,
  RESTORED_FROM_TAG,
  restorable,
  restoredIdentifier,
  tagValue,
  withJdbcHost,
} from "../domain/restore.js";
import { DATABASE_SECURITY_GROUP } from "../domain/setup-resources.js";
import { madeByMcctl } from "../domain/snapshot-list.js";
import { jdbcHost } from "../domain/snapshots.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { McctlError, UsageError } from "../errors.js";
import { planPassword, type RestorePassword } from "./restore-password.js";

const JDBC = "METADATA_JDBC_URL";

/** The new instance, as RestoreDBInstanceFromDBSnapshot is asked for it. */
export interface RestoredInstance {
  identifier: string;
  /** It exists already: a restore of this snapshot was interrupted, and this run goes on with it. */
  existing?: DBInstance | undefined;
  instanceClass?: string | undefined;
  subnetGroup?: string | undefined;
  securityGroupIds: string[];
  publiclyAccessible?: boolean | undefined;
  multiAz?: boolean | undefined;
  port?: number | undefined;
  deletionProtection?: boolean | undefined;
  tags: Record<string, string>;
  /** How RDS encrypts it: a restored instance keeps the snapshot's encryption and key. */
  encryption: string;
}

export interface RestoreService {
  service: Service;
  /** The revision in service now (the one a failure goes back to, on the old database). */
  current: TaskDefinition;
  /** The revision the new one is made from: the one in service, or rollback's target. */
  base: TaskDefinition;
  tags: Tag[];
  desiredCount: number;
  /** How long the running task took from its creation to RUNNING, when ECS says. */
  lastStartMs?: number | undefined;
}

export interface RestorePlan {
  snapshot: DBSnapshot;
  snapshotId: string;
  target: RestoredInstance;
  /** The deployment's database now, when it still exists. */
  old?: DBInstance | undefined;
  /** Other instances of the deployment that exist (mcctl.json's, when METADATA_JDBC_URL names another): kept listed. */
  others: string[];
  oldIdentifier?: string | undefined;
  password: RestorePassword;
  /** METADATA_JDBC_URL pointed at the new instance, with its endpoint as RDS will (probably) name it. */
  jdbcUrl: string;
  /** The URL as mcctl.json or the revision has it now, with the host to replace. */
  jdbcUrlBefore: string;
  /** The service to move to the restored database; undefined when there is none (after destroy). */
  service?: RestoreService | undefined;
  /** The lines that say what is chosen and why, for the plan. */
  facts: string[];
}

export interface RestoreRequest {
  snapshot?: string | undefined;
  cluster: string;
  service: string;
  family: string;
  /** rollback --with-database: the revision to run on the restored database. */
  base?: TaskDefinition | undefined;
  /** rollback --with-database: the snapshot it found. */
  chosen?: DBSnapshot | undefined;
  now: Date;
}

export interface RestoreAws {
  rds: RdsApi;
  ecs: EcsApi;
  ssm: SsmApi;
  ec2: Ec2Api;
}

/**
 * A restore, decided: the snapshot (named, chosen on a terminal, else the newest mcctl made for this
 * deployment), the new instance shaped like the deployment's database, the password it will have, the
 * JDBC URL, and the service to move onto it. Read-only; asks only which snapshot.
 */
export async function planRestore(
  aws: RestoreAws,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  asker: Asker | undefined,
  request: RestoreRequest,
): Promise<RestorePlan> {
  if (env[JDBC]) {
    throw new UsageError(`${JDBC} is set in the environment, and it names the database being replaced`, {
      suggestion: `Unset ${JDBC}: restore points mcctl.json's ${JDBC} at the restored instance. Nothing was changed.`,
    });
  }
  const service = await findService(aws.ecs, request);
  const mc = (service?.base ?? service?.current)?.containerDefinitions?.find((c) => c.name === MC_CONTAINER);
  const fromRevision = (name: string) => mc?.environment?.find((entry) => entry.name === name)?.value;
  const jdbcUrlBefore = deploymentJdbcUrl(settings, env) ?? fromRevision(JDBC);
  const host = jdbcHost(jdbcUrlBefore);
  if (!jdbcUrlBefore || !host) {
    throw new McctlError(`mcctl does not know the deployment's ${JDBC}`, {
      suggestion: `Set environment.${JDBC} in mcctl.json (or run \`mcctl register-task\`), then run restore again.`,
    });
  }
  const instances = await aws.rds.listInstances();
  const old = instances.find((instance) => instance.Endpoint?.Address?.toLowerCase() === host);
  const oldIdentifier = old?.DBInstanceIdentifier ?? settings.setup?.database?.identifier;
  const known = new Set(
    [
      oldIdentifier,
      settings.setup?.database?.identifier,
      ...(settings.setup?.database?.replaced ?? []),
    ].filter((id): id is string => id !== undefined),
  );
  const snapshot = request.chosen ?? (await chooseSnapshot(aws.rds, known, asker, request));
  const snapshotId = snapshot.DBSnapshotIdentifier as string;
  if (snapshot.Status !== "available") {
    throw new McctlError(
      `snapshot ${snapshotId} is ${snapshot.Status ?? "in an unknown state"}; RDS restores only an available one`,
      {
        suggestion:
          "Wait until `mcctl backup list` shows it available, then run restore again. Nothing was changed.",
      },
    );
  }
  const identifier = restoredIdentifier(
    snapshot.DBInstanceIdentifier ?? oldIdentifier ?? "model-catalogue",
    snapshot.SnapshotCreateTime ?? request.now,
  );
  if (old?.DBInstanceIdentifier === identifier) {
    throw new NothingToRestore(
      `${identifier} is the deployment's database already: it was restored from ${snapshotId}`,
    );
  }
  const existing = instances.find((instance) => instance.DBInstanceIdentifier === identifier);
  if (existing && tagValue({ TagList: existing.TagList }, RESTORED_FROM_TAG) !== snapshotId) {
    throw new McctlError(
      `an RDS instance named ${identifier} exists, and mcctl did not restore it from ${snapshotId}`,
      {
        suggestion: `Delete or rename ${identifier} (or restore another snapshot). Nothing was changed.`,
      },
    );
  }
  const target = await shapeInstance(aws.ec2, identifier, snapshot, old, settings, existing);
  const password = await planPassword(aws.ssm, settings, env, request.family, snapshot, mc, fromRevision);
  const endpoint =
    existing?.Endpoint?.Address ?? predictedEndpoint(identifier, old?.Endpoint?.Address ?? host);
  const jdbcUrl = withJdbcHost(jdbcUrlBefore, endpoint ?? `${identifier}.<endpoint>`, target.port);
  const taken = snapshot.SnapshotCreateTime;
  const facts = [
    `Snapshot: ${describeSnapshot(snapshot, request.now)}`,
    `Data written since ${taken ? taken.toISOString().replace(/\.\d+Z$/, "Z") : "the snapshot was taken"} is not in the restored database${old ? `: it stays only in ${old.DBInstanceIdentifier}` : " (the instance that held it no longer exists)"}`,
    old
      ? `Database now: ${old.DBInstanceIdentifier} (${old.DBInstanceStatus}); it is kept, and listed in mcctl.json's setup.database.replaced until \`mcctl destroy\` or \`mcctl restore --delete-old\` deletes it`
      : `Database now: ${oldIdentifier ?? host} no longer exists`,
  ];
  const others = [...known].filter(
    (id) =>
      id !== oldIdentifier &&
      id !== identifier &&
      instances.some((instance) => instance.DBInstanceIdentifier === id),
  );
  return {
    snapshot,
    snapshotId,
    target,
    old,
    others,
    oldIdentifier,
    password,
    jdbcUrl,
    jdbcUrlBefore,
    service,
    facts,
  };
}

/** The run found the deployment on the snapshot's instance already: the driver says "Nothing to do". */
export class NothingToRestore extends Error {}

async function findService(ecs: EcsApi, request: RestoreRequest): Promise<RestoreService | undefined> {
  const cluster = await ecs.describeCluster(request.cluster);
  if (cluster?.status !== "ACTIVE") return undefined;
  const service = await ecs.describeService(request.cluster, request.service);
  if (service?.status !== "ACTIVE" || !service.taskDefinition) return undefined;
  const { taskDefinition: current, tags } = await ecs.describeTaskDefinitionWithTags(service.taskDefinition);
  const running = await ecs.listServiceTasks(request.cluster, request.service, "RUNNING");
  const tasks = running.length > 0 ? await ecs.describeTasks(request.cluster, running.slice(0, 100)) : [];
  const starts = tasks.flatMap((task) =>
    task.startedAt && task.createdAt ? [task.startedAt.getTime() - task.createdAt.getTime()] : [],
  );
  return {
    service,
    current,
    base: request.base ?? current,
    tags,
    desiredCount: service.desiredCount ?? 0,
    lastStartMs: starts.length > 0 ? Math.max(...starts) : undefined,
  };
}

async function chooseSnapshot(
  rds: RdsApi,
  known: ReadonlySet<string>,
  asker: Asker | undefined,
  request: RestoreRequest,
): Promise<DBSnapshot> {
  if (request.snapshot) {
    const named = await rds.findSnapshot(request.snapshot);
    if (!named) {
      throw new UsageError(`RDS has no snapshot ${request.snapshot} in this account and region`, {
        suggestion: "`mcctl backup list` lists the deployment's snapshots. Nothing was changed.",
      });
    }
    return named;
  }
  const ours = (await rds.listRegionSnapshots()).filter(
    (snapshot) =>
      madeByMcctl(snapshot) && (known.size === 0 || known.has(snapshot.DBInstanceIdentifier ?? "")),
  );
  const candidates = restorable(ours);
  const newest = candidates[0];
  if (!newest) {
    throw new McctlError("there is no available snapshot mcctl made for this deployment's database", {
      suggestion:
        "Name one: `mcctl restore SNAPSHOT` (`aws rds describe-db-snapshots` lists them). Nothing was changed.",
    });
  }
  if (!asker || candidates.length === 1) return newest;
  return asker.askChoice({
    message: "Which snapshot should be restored?",
    choices: candidates.map((snapshot) => ({
      name: describeSnapshot(snapshot, request.now),
      value: snapshot,
    })),
    defaultValue: newest,
  });
}

/** Like the deployment's database (class, network, protection, tags), else like setup makes one. */
async function shapeInstance(
  ec2: Ec2Api,
  identifier: string,
  snapshot: DBSnapshot,
  old: DBInstance | undefined,
  settings: Settings,
  existing: DBInstance | undefined,
): Promise<RestoredInstance> {
  const ownTags = Object.fromEntries(
    (old?.TagList ?? [])
      .filter((tag) => tag.Key && !tag.Key.startsWith("aws:") && tag.Key !== RESTORED_FROM_TAG)
      .map((tag) => [tag.Key as string, tag.Value ?? ""]),
  );
  const tags = { ...ownTags, ...MCCTL_TAGS, [RESTORED_FROM_TAG]: snapshot.DBSnapshotIdentifier as string };
  const encryption = snapshot.Encrypted
    ? `encrypted with the snapshot's key ${snapshot.KmsKeyId ?? ""}`.trim()
    : "not encrypted (as the snapshot)";
  if (old) {
    return {
      identifier,
      existing,
      instanceClass: old.DBInstanceClass,
      subnetGroup: old.DBSubnetGroup?.DBSubnetGroupName,
      securityGroupIds: (old.VpcSecurityGroups ?? []).flatMap((group) =>
        group.VpcSecurityGroupId ? [group.VpcSecurityGroupId] : [],
      ),
      publiclyAccessible: old.PubliclyAccessible,
      multiAz: old.MultiAZ,
      port: old.Endpoint?.Port,
      deletionProtection: old.DeletionProtection,
      tags,
      encryption,
    };
  }
  // After destroy: the database's security group may have survived (it is kept while anything uses it).
  const groups = await ec2.securityGroups([{ Name: "group-name", Values: [DATABASE_SECURITY_GROUP] }]);
  return {
    identifier,
    existing,
    instanceClass: settings.setup?.database?.instanceClass,
    securityGroupIds: groups.flatMap((group) => (group.GroupId ? [group.GroupId] : [])).slice(0, 1),
    publiclyAccessible: false,
    tags,
    encryption,
  };
}

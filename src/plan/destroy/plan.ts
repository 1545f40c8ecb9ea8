import type { Cluster } from "@aws-sdk/client-ecs";
import { formatBytes } from "../../domain/formats.js";
import { defaultLogGroup } from "../../domain/logs.js";
import { prepullFamily } from "../../domain/prepull.js";
import { defaultExecutionRoleName, defaultSecretPath } from "../../domain/secrets.js";
import { taggedByMcctl } from "../../domain/tags.js";
import { planCompute } from "./compute.js";
import { planBucket, planDatabase } from "./data.js";
import { planNetwork } from "./network.js";
import {
  type DestroyAws,
  type DestroyLine,
  type DestroyPlan,
  type DestroyRequest,
  type DestroySteps,
  lineWriter,
  NOT_OURS,
} from "./types.js";

/**
 * Everything `mcctl destroy` would delete, and what it keeps and why: the service, the task definition
 * family and the log group of this deployment, and what mcctl created for it (tagged managed-by=mcctl).
 * Read-only: nothing is changed, and an untagged resource is only ever listed as kept.
 */
export async function planDestroy(aws: DestroyAws, request: DestroyRequest): Promise<DestroyPlan> {
  const lines: DestroyLine[] = [];
  const cluster = await aws.ecs.describeCluster(request.cluster);
  const service = await planService(aws, request, cluster, lines);
  const compute = await planCompute(aws, request, cluster, lines);
  const databases = await aws.rds.listInstances();
  const database = await planDatabase(aws, request, databases, lines);
  const remembered = request.settings.setup?.instance?.securityGroupId;
  const network = await planNetwork(
    aws,
    {
      instanceGroups: [...compute.groups, ...(remembered ? [remembered] : [])],
      databaseGroups: database.groups,
      ownInstances: compute.instances.map((instance) => instance.instanceId),
      ownDatabases: [database.database, ...database.replaced].flatMap((step) =>
        step ? [step.identifier] : [],
      ),
    },
    databases,
    lines,
  );
  const bucket = await planBucket(aws, request, lines);
  const revisions = await planRevisions(aws, request, lines);
  const parameters = await planParameters(aws, request, lines);
  const role = await planRole(aws, request, lines);
  const logGroup = await planLogGroup(aws, request, lines);
  const steps: DestroySteps = {
    cluster: request.cluster,
    service,
    instances: compute.instances,
    deleteCluster: compute.deleteCluster,
    ...network,
    database: database.database,
    replacedDatabases: database.replaced,
    bucket,
    revisions,
    parameters,
    role,
    logGroup,
  };
  return { steps, lines, nothingToDo: !lines.some((line) => line.action !== "keep") };
}

async function planService(
  aws: DestroyAws,
  request: DestroyRequest,
  cluster: Cluster | undefined,
  lines: DestroyLine[],
) {
  // ECS answers for the services of an INACTIVE (deleted) cluster with an error: there are none.
  if (cluster?.status !== "ACTIVE") return undefined;
  const found = await aws.ecs.describeService(request.cluster, request.service);
  if (found?.status !== "ACTIVE") return undefined;
  const desiredCount = found.desiredCount ?? 0;
  const scale =
    desiredCount > 0
      ? `scale ${request.service} to 0 (desired ${desiredCount}, running ${found.runningCount ?? 0}), then `
      : "";
  lineWriter(lines, "Service")(
    "delete",
    `${scale}delete ECS service ${request.service} in ${request.cluster}: Model Catalogue stops`,
  );
  return { name: request.service, desiredCount };
}

async function planRevisions(aws: DestroyAws, request: DestroyRequest, lines: DestroyLine[]) {
  const line = lineWriter(lines, "Task definitions");
  const revisions: string[] = [];
  // The upgrade's one-off pre-pull revisions live in a family of their own (src/domain/prepull.ts).
  for (const family of [request.family, prepullFamily(request.family)]) {
    const found = await aws.ecs.listActiveRevisions(family);
    if (found.length === 0) continue;
    const numbers = found.map((arn) => arn.split(":").pop()).reverse();
    line("delete", `deregister ${family} revision(s) ${numbers.join(", ")} (ECS keeps them as INACTIVE)`);
    revisions.push(...found);
  }
  return revisions;
}

async function planParameters(aws: DestroyAws, request: DestroyRequest, lines: DestroyLine[]) {
  const line = lineWriter(lines, "Secrets");
  const path = request.settings.secrets?.path ?? defaultSecretPath(request.family);
  const names: string[] = [];
  for (const parameter of await aws.ssm.describePath(path)) {
    if (taggedByMcctl(await aws.ssm.parameterTags(parameter.name))) names.push(parameter.name);
    else line("keep", `SSM parameter ${parameter.name}: ${NOT_OURS}`);
  }
  if (names.length > 0) {
    const short = names.map((name) => name.slice(path.length + 1));
    line("delete", `delete SSM parameters ${short.join(", ")} under ${path}`);
  }
  return names;
}

async function planRole(aws: DestroyAws, request: DestroyRequest, lines: DestroyLine[]) {
  const line = lineWriter(lines, "Secrets");
  const named = request.settings.secrets?.executionRole;
  if (named) {
    line("keep", `IAM role ${named}: named in mcctl.json (secrets.executionRole), made by an administrator`);
    return undefined;
  }
  const name = defaultExecutionRoleName(request.family);
  const role = await aws.iam.findRole(name);
  if (!role) return undefined;
  if (!taggedByMcctl(role.tags)) {
    line("keep", `IAM role ${name}: ${NOT_OURS}`);
    return undefined;
  }
  line("delete", `delete IAM role ${name} (the tasks' execution role)`);
  return name;
}

async function planLogGroup(aws: DestroyAws, request: DestroyRequest, lines: DestroyLine[]) {
  const name = request.settings.logs?.group ?? defaultLogGroup(request.family);
  const group = await aws.logs.findLogGroup(name);
  if (!group) return undefined;
  const size = group.storedBytes ? `, ${formatBytes(group.storedBytes)}` : "";
  lineWriter(lines, "Logs")("delete", `delete log group ${name} (the containers' output${size} is lost)`);
  return name;
}

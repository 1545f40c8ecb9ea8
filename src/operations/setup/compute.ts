import { randomUUID } from "node:crypto";
import type {
  Image,
  Instance,
  IpPermission,
  RunInstancesCommandInput,
  SecurityGroup,
  Subnet,
} from "@aws-sdk/client-ec2";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { awsErrorName } from "../../aws/errors.js";
import { DEFAULT_TASK_SETTINGS } from "../../domain/task-definition.js";
import { McctlError, UsageError } from "../../errors.js";
import { formatDuration } from "../../ui/output.js";
import { withProgress } from "../../ui/progress.js";
import { isTransientError, sleep } from "../poll.js";
import { checkInstanceFit, type TaskRequirement } from "../service-state.js";
import { answerChoice, answerText } from "./answers.js";
import type { SetupAws, SetupIo } from "./types.js";
import { ecsUserData, encodeUserData, validateClusterName, validateDataPath } from "./user-data.js";

/** Name tag of the instances mcctl launches; a re-run finds earlier launches by it. */
export const INSTANCE_NAME = "model-catalogue-ecs";
/** Tag naming the cluster an instance was launched for (its user data says the same). */
export const CLUSTER_TAG = "mcctl:cluster";
export const INSTANCE_SECURITY_GROUP = "model-catalogue-ecs-instances";
/** The old guide's type. A previous generation: many regions no longer offer it. */
export const DEFAULT_INSTANCE_TYPE = "m3.xlarge";
/** 4 vCPUs and 16 GiB, what the guide's m3.xlarge offered, in the current generation. */
export const SUGGESTED_INSTANCE_TYPE = "m5.xlarge";
/** The role name the ECS console and the AWS documentation use. */
export const DEFAULT_INSTANCE_PROFILE = "ecsInstanceRole";
export const ECS_AMI_NAME_PATTERN = "amzn2-ami-ecs-hvm-*-x86_64-ebs";

const ANYWHERE = "0.0.0.0/0";
const HTTP_PORT = 80;
const SSH_PORT = 22;
/** How often EC2 may reject an instance type before mcctl stops offering another one. */
const MAX_TYPE_ATTEMPTS = 3;
/** Instance type families of the previous generations, which many regions no longer offer. */
const PREVIOUS_GENERATION = /^(m1|m2|m3|c1|c3|r3|t1|i2|cr1|hs1|cc2|g2)\./;
/** Errors that mean the caller may not make a call (EC2 and IAM/STS wording). */
const ACCESS_DENIED = new Set(["UnauthorizedOperation", "AccessDenied", "AccessDeniedException"]);

const STEP = {
  cluster: "ECS cluster",
  instance: "container instance",
  group: "instance security group",
  ingress: "instance ingress",
} as const;

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;

export interface ComputeOptions {
  cluster: string;
  requirement: TaskRequirement;
  /**
   * The Model Catalogue service, when it may exist already: the instances running its tasks count as
   * having room for it (on a finished set-up they are busy with exactly this task).
   */
  service?: string;
}

/** A registered container instance the task can run on. */
export interface UsableInstance {
  ec2InstanceId: string;
  containerInstanceArn: string;
  publicDnsName?: string;
}

/** What to launch, all answers known and the prerequisites checked. */
export interface LaunchAnswers {
  instanceType: string;
  /**
   * Dry run only: why the type would not launch and what a real run does about it ("m3.xlarge is not
   * offered in eu-west-1 (a previous generation): mcctl setup will ask for another type (default m5.xlarge)").
   */
  instanceTypeProblem?: string;
  image: { id: string; name: string };
  /** undefined: no key pair, no SSH. */
  keyPair: string | undefined;
  vpcId: string;
  subnetId: string;
  /** `id` is undefined only in a dry run, when the group would be created. */
  securityGroup: { id: string | undefined; name: string };
  instanceProfile: string;
  /** Host directory of the Elasticsearch data volume, created by the user data. */
  dataPath: string;
}

export interface ComputePlan {
  cluster: string;
  /**
   * ready: a registered container instance has room for the task; pending: an instance mcctl launched
   * earlier is still starting (wait for it, never launch a second); launch: one must be launched.
   */
  status: "ready" | "pending" | "launch";
  launchNeeded: boolean;
  /** status ready: the registered instances the task fits on (ECS places it on one of them). */
  fittingInstances: UsableInstance[];
  /** status ready: the first of fittingInstances. */
  fittingInstance?: UsableInstance;
  /** status pending: the EC2 instance launched earlier. */
  pendingInstanceId?: string;
  /**
   * The container instances' security groups: what the database must accept connections from.
   * Empty in a dry run when the instances' group would be created.
   */
  securityGroupIds: string[];
  /** status launch: what launchInstance will launch. */
  launch?: LaunchAnswers;
}

export interface LaunchResult {
  /** false in a dry run: nothing was launched and instanceId is undefined. */
  launched: boolean;
  instanceId?: string;
  /** The type finally launched (another one when EC2 rejected the first and the operator chose again). */
  instanceType: string;
}

export interface RegisteredInstance {
  ec2InstanceId: string;
  publicDnsName?: string;
  containerInstanceArn: string;
  containerInstance: ContainerInstance;
}

// =================================================================================================
// Step 1: look, and gather what a launch needs

/**
 * Uses or creates the cluster, then looks for a container instance with room for the task. If there
 * is none (and no earlier launch is still starting), gathers the launch answers and prepares what the
 * instance needs: the newest ECS-optimized AMI, a subnet of the default VPC, the instances' security
 * group (created if missing) and an existing instance profile.
 */
export async function prepareCompute(
  io: SetupIo,
  aws: SetupAws,
  options: ComputeOptions,
): Promise<ComputePlan> {
  const { cluster, requirement } = options;
  const badName = validateClusterName(cluster);
  if (badName) throw new UsageError(badName, { suggestion: "Choose another cluster name (--cluster)." });

  const active = await lookAtCluster(io, aws, cluster);
  const registered = active ? await aws.ecs.listContainerInstances(cluster) : [];
  const fits = (instance: ContainerInstance) => checkInstanceFit(instance, requirement).fits;
  const roomy = registered.filter(fits);
  const busy = registered.filter((instance) => !fits(instance));

  // Instances mcctl launched for this cluster, and those running the service already, may be busy with
  // Model Catalogue itself: they count when they would fit empty.
  const own = busy.length > 0 || roomy.length === 0 ? await findOwnInstances(io, aws, cluster) : [];
  const ownIds = new Set(own.map((instance) => instance.InstanceId));
  const hosts =
    busy.length > 0 && options.service && active
      ? await serviceHosts(aws, cluster, options.service)
      : new Set<string>();
  const usable = [...roomy];
  const tooSmall: { id: string; problems: string[] }[] = [];
  for (const instance of busy) {
    const ours = ownIds.has(instance.ec2InstanceId) || hosts.has(instance.containerInstanceArn ?? "(none)");
    if (!ours) continue;
    const empty = checkInstanceFit(
      { ...instance, remainingResources: instance.registeredResources },
      requirement,
    );
    if (empty.fits) usable.push(instance);
    else tooSmall.push({ id: instance.ec2InstanceId ?? "(unknown)", problems: empty.problems });
  }

  if (usable.length > 0) return readyPlan(io, aws, cluster, usable);

  if (tooSmall.length > 0) {
    throw new McctlError(
      `the container instance mcctl launched in cluster ${cluster} cannot run the task even when idle (${tooSmall.map((small) => `${small.id}: ${small.problems.join(", ")}`).join("; ")})`,
      {
        suggestion: `Terminate it (aws ec2 terminate-instances --instance-ids ${tooSmall.map((small) => small.id).join(" ")}), set setup.instance.type in mcctl.json to a larger type such as ${SUGGESTED_INSTANCE_TYPE} and run mcctl setup again.`,
      },
    );
  }
  for (const instance of busy) {
    const problems = checkInstanceFit(instance, requirement).problems.join(", ");
    io.output.info(`Container instance ${instance.ec2InstanceId} has no room for the task: ${problems}`);
  }

  const registeredIds = new Set(registered.map((instance) => instance.ec2InstanceId));
  const starting = own
    .filter((instance) => !registeredIds.has(instance.InstanceId))
    .sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0))[0];
  if (starting?.InstanceId) {
    // It registers only in an ACTIVE cluster (the agent keeps retrying until there is one).
    if (!active) await createCluster(io, aws, cluster);
    io.plan({
      step: STEP.instance,
      state: "pending",
      detail: `${starting.InstanceId} (${starting.InstanceType}, ${starting.State?.Name}) launched earlier, not yet registered in ${cluster}: waiting for it`,
    });
    return {
      cluster,
      status: "pending",
      launchNeeded: false,
      fittingInstances: [],
      pendingInstanceId: starting.InstanceId,
      securityGroupIds: groupIdsOf([starting]),
    };
  }

  // Every answer and prerequisite is checked before the first thing is created.
  const answers = await gatherLaunchAnswers(io, aws);
  if (!active) await createCluster(io, aws, cluster);
  const securityGroup = await ensureSecurityGroup(io, aws, answers.vpcId, answers.keyPair !== undefined);
  const launch: LaunchAnswers = { ...answers, securityGroup };
  return {
    cluster,
    status: "launch",
    launchNeeded: true,
    fittingInstances: [],
    securityGroupIds: launch.securityGroup.id ? [launch.securityGroup.id] : [],
    launch,
  };
}

/**
 * ACTIVE → use it (true); missing or INACTIVE (deleted) → false: `createCluster` makes a new ACTIVE one of
 * that name once it is needed, after the launch answers are checked.
 */
async function lookAtCluster(io: SetupIo, aws: SetupAws, cluster: string): Promise<boolean> {
  const found = await aws.ecs.describeCluster(cluster);
  if (found?.status === "ACTIVE") {
    io.plan({ step: STEP.cluster, state: "exists", detail: `${cluster} (ACTIVE)` });
    return true;
  }
  const detail = found ? `${cluster} (was ${found.status}: created again)` : cluster;
  if (found && found.status !== "INACTIVE") {
    // PROVISIONING / DEPROVISIONING / FAILED: capacity-provider clusters; CreateCluster cannot fix those.
    throw new McctlError(`ECS cluster ${cluster} is ${found.status}`, {
      suggestion:
        "Wait until it is ACTIVE (or delete it) and run mcctl setup again, or use another --cluster.",
    });
  }
  io.plan({ step: STEP.cluster, state: "create", detail });
  return false;
}

async function createCluster(io: SetupIo, aws: SetupAws, cluster: string): Promise<void> {
  if (!io.dryRun) await aws.ecs.createCluster(cluster, io.tags);
}

/** Pending or running instances mcctl launched for this cluster: tagged, or remembered in mcctl.json. */
async function findOwnInstances(io: SetupIo, aws: SetupAws, cluster: string): Promise<Instance[]> {
  const alive = ["pending", "running"];
  const tagged = await aws.ec2.findInstances([
    { Name: "tag:Name", Values: [INSTANCE_NAME] },
    { Name: `tag:${CLUSTER_TAG}`, Values: [cluster] },
    { Name: "instance-state-name", Values: alive },
  ]);
  const rememberedId = io.settings().setup?.instance?.instanceId;
  if (rememberedId && !tagged.some((instance) => instance.InstanceId === rememberedId)) {
    const [remembered] = await aws.ec2.describeInstances([rememberedId]);
    const clusterTag = remembered?.Tags?.find((tag) => tag.Key === CLUSTER_TAG)?.Value;
    if (
      remembered &&
      alive.includes(remembered.State?.Name ?? "") &&
      (clusterTag === undefined || clusterTag === cluster)
    ) {
      tagged.push(remembered);
    }
  }
  return tagged;
}

/** Container instance ARNs the service's running tasks are placed on; none when there is no such service. */
async function serviceHosts(aws: SetupAws, cluster: string, service: string): Promise<Set<string>> {
  const found = await aws.ecs.describeService(cluster, service);
  if (found?.status !== "ACTIVE") return new Set();
  const arns = await aws.ecs.listServiceTasks(cluster, service, "RUNNING");
  if (arns.length === 0) return new Set();
  const tasks = await aws.ecs.describeTasks(cluster, arns);
  return new Set(tasks.flatMap((task) => (task.containerInstanceArn ? [task.containerInstanceArn] : [])));
}

async function readyPlan(
  io: SetupIo,
  aws: SetupAws,
  cluster: string,
  instances: ContainerInstance[],
): Promise<ComputePlan> {
  const ids = instances.flatMap((instance) => (instance.ec2InstanceId ? [instance.ec2InstanceId] : []));
  const described = await aws.ec2.describeInstances(ids);
  const usable = instances.map((instance): UsableInstance => {
    const ec2 = described.find((candidate) => candidate.InstanceId === instance.ec2InstanceId);
    return {
      ec2InstanceId: instance.ec2InstanceId ?? "(unknown)",
      containerInstanceArn: instance.containerInstanceArn ?? "(unknown)",
      ...(ec2?.PublicDnsName ? { publicDnsName: ec2.PublicDnsName } : {}),
    };
  });
  for (const instance of usable) {
    io.plan({
      step: STEP.instance,
      state: "exists",
      detail: `${instance.ec2InstanceId} in ${cluster} has room for the task`,
    });
  }
  return {
    cluster,
    status: "ready",
    launchNeeded: false,
    fittingInstances: usable,
    ...(usable[0] ? { fittingInstance: usable[0] } : {}),
    securityGroupIds: groupIdsOf(described),
  };
}

function groupIdsOf(instances: readonly Instance[]): string[] {
  const ids = instances.flatMap((instance) =>
    (instance.SecurityGroups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
  );
  return [...new Set(ids)];
}

/** The answers and checked prerequisites of a launch; creates nothing (the security group comes after). */
async function gatherLaunchAnswers(
  io: SetupIo,
  aws: SetupAws,
): Promise<Omit<LaunchAnswers, "securityGroup">> {
  const { instanceType, problem } = await chooseInstanceType(io, aws);
  const image = await newestEcsImage(io, aws);
  const keyPair = await chooseKeyPair(io, aws);
  const { vpcId, subnetId } = await chooseSubnet(io, aws);
  const instanceProfile = await checkInstanceProfile(io, aws);

  const dataPath = io.settings().es?.dataPath ?? DEFAULT_TASK_SETTINGS.es.dataPath;
  const badPath = validateDataPath(dataPath);
  if (badPath) throw new UsageError(`es.dataPath: ${badPath}`);

  return {
    instanceType,
    ...(problem ? { instanceTypeProblem: problem } : {}),
    image,
    keyPair,
    vpcId,
    subnetId,
    instanceProfile,
    dataPath,
  };
}

function validateInstanceType(value: string): string | undefined {
  return INSTANCE_TYPE.test(value) ? undefined : "an instance type looks like m5.xlarge";
}

/**
 * The instance type, checked against what the region offers (DescribeInstanceTypeOfferings) before
 * anything is created. Not offered: on a terminal the operator chooses another one (default m5.xlarge when
 * the region offers it); without a terminal it is an error naming the setting; a dry run notes it.
 */
async function chooseInstanceType(
  io: SetupIo,
  aws: SetupAws,
): Promise<{ instanceType: string; problem?: string }> {
  const known = io.settings().setup?.instance?.type;
  let instanceType = await answerText(io, {
    name: "setup.instance.type",
    message: "EC2 instance type of the container instance (4 vCPUs and 15 GiB or more)",
    known,
    defaultValue: DEFAULT_INSTANCE_TYPE,
    validate: validateInstanceType,
  });
  const badType = validateInstanceType(instanceType);
  if (badType) throw new UsageError(`setup.instance.type: ${badType}`);

  // Each type is looked up once, also the suggestion the operator may then choose.
  const answers = new Map<string, Promise<boolean | undefined>>();
  const offered = (type: string) => {
    const answer = answers.get(type) ?? typeOffered(io, aws, type);
    answers.set(type, answer);
    return answer;
  };
  for (let attempt = 1; ; attempt++) {
    if ((await offered(instanceType)) !== false) break;
    const problem = notOffered(instanceType, io.region);
    const alternative =
      instanceType !== SUGGESTED_INSTANCE_TYPE && (await offered(SUGGESTED_INSTANCE_TYPE)) !== false
        ? SUGGESTED_INSTANCE_TYPE
        : undefined;
    if (io.dryRun) {
      const advice = `${problem}: ${instanceTypeAdvice(io, alternative)}`;
      io.output.warn(advice);
      return { instanceType, problem: advice };
    }
    if (!io.interactive || attempt >= MAX_TYPE_ATTEMPTS) {
      throw notOfferedError(io, instanceType, known === instanceType, alternative);
    }
    io.output.warn(problem);
    instanceType = await answerText(io, {
      name: "setup.instance.type",
      message: `Instance type to launch instead of ${instanceType}`,
      defaultValue: alternative,
      validate: validateInstanceType,
    });
  }
  await io.remember({ setup: { instance: { type: instanceType } } });
  return { instanceType };
}

function notOfferedError(
  io: SetupIo,
  instanceType: string,
  fromSettings: boolean,
  alternative: string | undefined,
): McctlError {
  const source = fromSettings
    ? " (setup.instance.type in mcctl.json)"
    : instanceType === DEFAULT_INSTANCE_TYPE
      ? " (the default, as in the old guide)"
      : "";
  const choose = alternative
    ? `Use ${alternative} (4 vCPUs, 16 GiB): set "setup": { "instance": { "type": "${alternative}" } } in mcctl.json`
    : `Choose a type with 4 vCPUs and 16 GiB or more that ${io.region} offers (${offeringsCommand(io.region)}) and set it as setup.instance.type in mcctl.json`;
  const terminal = io.interactive ? "" : ", or run mcctl setup on a terminal to choose";
  const previous = PREVIOUS_GENERATION.test(instanceType)
    ? ` ${instanceType} is a previous generation that many regions no longer offer.`
    : "";
  return new McctlError(`EC2 instance type ${instanceType}${source} is not offered in ${io.region}`, {
    suggestion: `${choose}${terminal}.${previous}`,
  });
}

/** "m3.xlarge is not offered in eu-west-1 (a previous generation)" */
function notOffered(instanceType: string, region: string): string {
  const previous = PREVIOUS_GENERATION.test(instanceType) ? " (a previous generation)" : "";
  return `${instanceType} is not offered in ${region}${previous}`;
}

/** What a real run will do about a type the region does not offer (for the dry run). */
function instanceTypeAdvice(io: SetupIo, alternative: string | undefined): string {
  if (io.interactive) {
    return alternative
      ? `mcctl setup will ask for another type (default ${alternative})`
      : `mcctl setup will ask for another type (${offeringsCommand(io.region)} lists them)`;
  }
  return alternative
    ? `mcctl setup will stop before launching; set setup.instance.type in mcctl.json to ${alternative}`
    : `mcctl setup will stop before launching; set setup.instance.type in mcctl.json to a type it offers (${offeringsCommand(io.region)})`;
}

function offeringsCommand(region: string): string {
  return `aws ec2 describe-instance-type-offerings --region ${region} --query "InstanceTypeOfferings[].InstanceType"`;
}

/**
 * Whether the region offers the type; undefined when mcctl may not ask (no ec2:DescribeInstanceTypeOfferings
 * permission): then RunInstances is the check, as before.
 */
async function typeOffered(io: SetupIo, aws: SetupAws, instanceType: string): Promise<boolean | undefined> {
  try {
    return await aws.ec2.isInstanceTypeOffered(instanceType);
  } catch (error) {
    if (!ACCESS_DENIED.has(awsMessage(error).name ?? "")) throw error;
    io.output.warn(
      `Cannot check whether ${io.region} offers ${instanceType} (AWS denied ec2:DescribeInstanceTypeOfferings): EC2 tells when the instance is launched.`,
    );
    return undefined;
  }
}

/** The newest ECS-optimized Amazon Linux 2 x86_64 image Amazon publishes in this region. */
async function newestEcsImage(io: SetupIo, aws: SetupAws): Promise<{ id: string; name: string }> {
  const images = await aws.ec2.images(
    ["amazon"],
    [
      { Name: "name", Values: [ECS_AMI_NAME_PATTERN] },
      { Name: "state", Values: ["available"] },
    ],
  );
  const newest = images
    .filter((image): image is Image & { ImageId: string } => Boolean(image.ImageId))
    .sort((a, b) => Date.parse(b.CreationDate ?? "") - Date.parse(a.CreationDate ?? ""))[0];
  if (!newest) {
    throw new McctlError(
      `no ECS-optimized Amazon Linux 2 image (${ECS_AMI_NAME_PATTERN}) found in ${io.region}`,
      {
        suggestion:
          "Check the region; `aws ssm get-parameter --name /aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id` names the current one.",
      },
    );
  }
  return { id: newest.ImageId, name: newest.Name ?? newest.ImageId };
}

async function chooseKeyPair(io: SetupIo, aws: SetupAws): Promise<string | undefined> {
  const known = io.settings().setup?.instance?.keyPair;
  const names = (await aws.ec2.keyPairs()).flatMap((pair) => (pair.KeyName ? [pair.KeyName] : [])).sort();
  if (typeof known === "string" && !names.includes(known)) {
    throw new McctlError(
      `key pair ${known} (setup.instance.keyPair in mcctl.json) does not exist in ${io.region}`,
      {
        suggestion: `Import or create it in ${io.region}, or change setup.instance.keyPair to another key pair or to false (no SSH).`,
      },
    );
  }
  let answer: string | false;
  if (known === undefined && names.length === 0) {
    io.output.info(`No EC2 key pairs in ${io.region}: the instance is launched without SSH access.`);
    answer = false;
  } else {
    answer = await answerChoice<string | false>(io, {
      name: "setup.instance.keyPair",
      message:
        "Key pair for SSH to the container instance (lets `mcctl upgrade` pull floating tags; opens port 22 to the internet)",
      choices: [
        ...names.map((name) => ({ name, value: name as string | false })),
        { name: "none (no SSH)", value: false as string | false },
      ],
      defaultValue: false,
      known,
    });
  }
  await io.remember({ setup: { instance: { keyPair: answer } } });
  return answer === false ? undefined : answer;
}

async function chooseSubnet(io: SetupIo, aws: SetupAws): Promise<{ vpcId: string; subnetId: string }> {
  const vpc = await aws.ec2.defaultVpc();
  if (!vpc?.VpcId) {
    throw new McctlError(`this account has no default VPC in ${io.region}`, {
      suggestion: `Create one with \`aws ec2 create-default-vpc --region ${io.region}\` and run mcctl setup again.`,
    });
  }
  const vpcId = vpc.VpcId;
  const subnets = (await aws.ec2.subnets(vpcId))
    .filter((subnet): subnet is Subnet & { SubnetId: string } => Boolean(subnet.SubnetId))
    .sort((a, b) => (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""));
  const known = io.settings().setup?.instance?.subnetId;
  if (known !== undefined && !subnets.some((subnet) => subnet.SubnetId === known)) {
    throw new McctlError(
      `subnet ${known} (setup.instance.subnetId in mcctl.json) is not in the default VPC ${vpcId}`,
      {
        suggestion: "Remove setup.instance.subnetId from mcctl.json to choose a subnet of the default VPC.",
      },
    );
  }
  const [first] = subnets;
  if (!first) {
    throw new McctlError(`the default VPC ${vpcId} has no subnets in ${io.region}`, {
      suggestion: `Create default subnets with \`aws ec2 create-default-subnet --availability-zone ${io.region}a\`.`,
    });
  }
  const preferred = subnets.find((subnet) => subnet.MapPublicIpOnLaunch) ?? first;
  const subnetId =
    known ??
    (subnets.length === 1
      ? first.SubnetId
      : await answerChoice(io, {
          name: "setup.instance.subnetId",
          message: "Subnet of the default VPC for the container instance",
          choices: subnets.map((subnet) => ({
            name: `${subnet.SubnetId} (${subnet.AvailabilityZone ?? "?"}${subnet.MapPublicIpOnLaunch ? ", public" : ""})`,
            value: subnet.SubnetId,
          })),
          defaultValue: preferred.SubnetId,
        }));
  await io.remember({ setup: { instance: { subnetId } } });
  return { vpcId, subnetId };
}

async function checkInstanceProfile(io: SetupIo, aws: SetupAws): Promise<string> {
  const name = await answerText(io, {
    name: "setup.instance.instanceProfile",
    message: "IAM instance profile of the container instance",
    known: io.settings().setup?.instance?.instanceProfile,
    defaultValue: DEFAULT_INSTANCE_PROFILE,
    validate: (value) => (PROFILE_NAME.test(value) ? undefined : "letters, digits and +=,.@_- only"),
  });
  const roles = await aws.iam.instanceProfileRoles(name);
  if (roles === undefined) {
    throw new McctlError(`IAM instance profile ${name} does not exist`, {
      suggestion: instanceProfileHowTo(name),
    });
  }
  if (roles.length === 0) {
    throw new McctlError(
      `IAM instance profile ${name} has no role: an instance launched with it gets no credentials and never registers in ECS`,
      { suggestion: instanceProfileHowTo(name, { withoutRole: true }) },
    );
  }
  await io.remember({ setup: { instance: { instanceProfile: name } } });
  return name;
}

/**
 * The AWS documentation's "Amazon ECS container instance IAM role", as commands. `withoutRole`: the profile
 * exists but holds no role, so it is given one instead of being created.
 */
export function instanceProfileHowTo(name: string, options: { withoutRole?: boolean } = {}): string {
  const trust = `'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'`;
  const role =
    `aws iam create-role --role-name ${name} --assume-role-policy-document ${trust} && ` +
    `aws iam attach-role-policy --role-name ${name} --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role && `;
  const add = `aws iam add-role-to-instance-profile --instance-profile-name ${name} --role-name ${name}`;
  if (options.withoutRole) {
    return [
      `Give it a role as in the AWS documentation ("Amazon ECS container instance IAM role"), then run mcctl setup again:`,
      `${role}${add}`,
      `(leave out create-role and attach-role-policy when role ${name} exists with that policy;`,
      "or set setup.instance.instanceProfile in mcctl.json to a profile that has a role).",
    ].join(" ");
  }
  return [
    `Create it as in the AWS documentation ("Amazon ECS container instance IAM role"), then run mcctl setup again:`,
    `${role}aws iam create-instance-profile --instance-profile-name ${name} && ${add}`,
    "(or set setup.instance.instanceProfile in mcctl.json to an existing profile).",
  ].join(" ");
}

/** The instances' group in the default VPC, created when missing; HTTP from anywhere, SSH only with a key pair. */
async function ensureSecurityGroup(
  io: SetupIo,
  aws: SetupAws,
  vpcId: string,
  ssh: boolean,
): Promise<{ id: string | undefined; name: string }> {
  const knownId = io.settings().setup?.instance?.securityGroupId;
  let group: SecurityGroup | undefined;
  if (knownId) {
    [group] = await aws.ec2.securityGroups([{ Name: "group-id", Values: [knownId] }]);
    if (group && group.VpcId !== vpcId) {
      throw new McctlError(
        `security group ${knownId} (setup.instance.securityGroupId in mcctl.json) is in VPC ${group.VpcId}, not in the default VPC ${vpcId}`,
        {
          suggestion: "Remove setup.instance.securityGroupId from mcctl.json: mcctl then uses its own group.",
        },
      );
    }
  }
  group ??= (
    await aws.ec2.securityGroups([
      { Name: "group-name", Values: [INSTANCE_SECURITY_GROUP] },
      { Name: "vpc-id", Values: [vpcId] },
    ])
  )[0];

  const ports = ssh ? [HTTP_PORT, SSH_PORT] : [HTTP_PORT];
  const name = group?.GroupName ?? INSTANCE_SECURITY_GROUP;
  let id = group?.GroupId;
  if (id) {
    io.plan({ step: STEP.group, state: "exists", detail: `${name} (${id})` });
  } else {
    io.plan({
      step: STEP.group,
      state: "create",
      detail: `${name} in ${vpcId}: TCP ${ports.join(", ")} from ${ANYWHERE}`,
    });
    if (!io.dryRun) {
      id = await aws.ec2.createSecurityGroup({
        name,
        description: "Model Catalogue ECS container instances (created by mcctl)",
        vpcId,
        tags: { ...io.tags, Name: INSTANCE_SECURITY_GROUP },
      });
    }
  }

  const existing = group?.IpPermissions ?? [];
  for (const port of ports) {
    if (existing.some((permission) => allowsFromAnywhere(permission, port))) continue;
    if (group) {
      io.plan({ step: STEP.ingress, state: "create", detail: `${name}: TCP ${port} from ${ANYWHERE}` });
    }
    if (io.dryRun || !id) continue;
    await aws.ec2.authorizeIngress(id, {
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: port,
      IpRanges: [{ CidrIp: ANYWHERE, Description: port === HTTP_PORT ? "Model Catalogue (HTTP)" : "SSH" }],
    });
  }
  if (id) await io.remember({ setup: { instance: { securityGroupId: id } } });
  return { id, name };
}

function allowsFromAnywhere(permission: IpPermission, port: number): boolean {
  const anywhere = (permission.IpRanges ?? []).some((range) => range.CidrIp === ANYWHERE);
  if (!anywhere) return false;
  if (permission.IpProtocol === "-1") return true;
  return (
    permission.IpProtocol === "tcp" &&
    (permission.FromPort ?? Number.POSITIVE_INFINITY) <= port &&
    port <= (permission.ToPort ?? Number.NEGATIVE_INFINITY)
  );
}

// =================================================================================================
// Step 2: launch

/**
 * Launches the one container instance of the plan and remembers its id at once, so a re-run finds it
 * even before it registers. When EC2 rejects the instance type, an operator at a terminal may choose
 * another one (default m5.xlarge); otherwise the error says what to set.
 */
export async function launchInstance(io: SetupIo, aws: SetupAws, plan: ComputePlan): Promise<LaunchResult> {
  const answers = plan.launch;
  if (!plan.launchNeeded || !answers) throw new Error("launchInstance: the plan launches nothing");
  let instanceType = answers.instanceType;
  const describe = (type: string) =>
    `${type} from ${answers.image.id} (${answers.image.name}) in ${answers.subnetId}, ` +
    `profile ${answers.instanceProfile}, ${answers.keyPair ? `key pair ${answers.keyPair}` : "no key pair"}, ` +
    `ECS_CLUSTER=${plan.cluster}`;
  if (io.dryRun) {
    const problem = answers.instanceTypeProblem;
    const detail = problem ? `${describe(instanceType)}; but ${problem}` : describe(instanceType);
    io.plan({ step: STEP.instance, state: "create", detail });
    return { launched: false, instanceType };
  }
  const groupId = answers.securityGroup.id;
  if (!groupId) throw new Error("launchInstance: the instances' security group was not created");

  for (let attempt = 1; ; attempt++) {
    let instance: Instance;
    try {
      instance = await runInstance(io, aws, plan.cluster, { ...answers, instanceType }, groupId);
    } catch (error) {
      const rejected = instanceTypeRejection(error, instanceType);
      if (!rejected) throw launchError(error, answers.instanceProfile);
      if (!io.interactive || attempt >= MAX_TYPE_ATTEMPTS) throw rejected;
      io.output.warn(rejected.message);
      instanceType = await answerText(io, {
        name: "setup.instance.type",
        message: `Instance type to launch instead of ${instanceType}`,
        defaultValue: instanceType === SUGGESTED_INSTANCE_TYPE ? undefined : SUGGESTED_INSTANCE_TYPE,
        validate: (value) => validateInstanceType(value),
      });
      await io.remember({ setup: { instance: { type: instanceType } } });
      continue;
    }
    const instanceId = instance.InstanceId;
    if (!instanceId) throw new McctlError("EC2 launched an instance but returned no instance id");
    await io.remember({ setup: { instance: { instanceId } } });
    io.plan({ step: STEP.instance, state: "create", detail: `${instanceId}: ${describe(instanceType)}` });
    io.output.success(`Launched ${instanceId} (${instanceType}) for ECS cluster ${plan.cluster}`);
    return { launched: true, instanceId, instanceType };
  }
}

async function runInstance(
  io: SetupIo,
  aws: SetupAws,
  cluster: string,
  answers: LaunchAnswers,
  groupId: string,
): Promise<Instance> {
  const tags = (extra: Record<string, string>) =>
    Object.entries({ ...io.tags, Name: INSTANCE_NAME, ...extra }).map(([Key, Value]) => ({ Key, Value }));
  // The same token on a retried request cannot launch a second instance; a lost answer is found by it.
  const clientToken = randomUUID();
  try {
    return await aws.ec2.runInstance({
      ImageId: answers.image.id,
      InstanceType: answers.instanceType as RunInstancesCommandInput["InstanceType"],
      MinCount: 1,
      MaxCount: 1,
      ClientToken: clientToken,
      IamInstanceProfile: { Name: answers.instanceProfile },
      ...(answers.keyPair ? { KeyName: answers.keyPair } : {}),
      // A public address, so the ECS agent reaches ECS and Docker Hub through the default VPC's gateway.
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: answers.subnetId,
          Groups: [groupId],
          AssociatePublicIpAddress: true,
          DeleteOnTermination: true,
        },
      ],
      MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
      UserData: encodeUserData(ecsUserData(cluster, answers.dataPath)),
      TagSpecifications: [
        { ResourceType: "instance", Tags: tags({ [CLUSTER_TAG]: cluster }) },
        { ResourceType: "volume", Tags: tags({}) },
      ],
    });
  } catch (error) {
    if (!isTransientError(error)) throw error;
    // The request may have been carried out although its answer was lost.
    const found = await aws.ec2
      .findInstances([{ Name: "client-token", Values: [clientToken] }])
      .catch(() => [] as Instance[]);
    if (found[0]) return found[0];
    throw error;
  }
}

/** EC2's own words, without mcctl's "ec2:RunInstances failed in …" prefix. */
function awsMessage(error: unknown): { name: string | undefined; message: string } {
  const cause = error instanceof McctlError && error.cause instanceof Error ? error.cause : error;
  return {
    name: awsErrorName(cause),
    message: cause instanceof Error ? cause.message : String(cause),
  };
}

function instanceTypeRejection(error: unknown, instanceType: string): McctlError | undefined {
  const { name, message } = awsMessage(error);
  const aboutType =
    name === "Unsupported" ||
    name === "InsufficientInstanceCapacity" ||
    (name === "InvalidParameterValue" && /instance ?type/i.test(message));
  if (!aboutType) return undefined;
  const other = instanceType === SUGGESTED_INSTANCE_TYPE ? "another current type" : SUGGESTED_INSTANCE_TYPE;
  const previous = PREVIOUS_GENERATION.test(instanceType)
    ? ` ${instanceType} is a previous generation that many regions no longer offer.`
    : "";
  return new McctlError(`EC2 rejected instance type ${instanceType}: ${name}: ${message}`, {
    suggestion: `Use ${other} (4 vCPUs, 16 GiB): set "setup": { "instance": { "type": "${SUGGESTED_INSTANCE_TYPE}" } } in mcctl.json, or run mcctl setup on a terminal to choose.${previous}`,
    cause: error,
  });
}

function launchError(error: unknown, instanceProfile: string): unknown {
  const { name, message } = awsMessage(error);
  if (name === "InvalidParameterValue" && /iamInstanceProfile/i.test(message)) {
    return new McctlError(`EC2 rejected instance profile ${instanceProfile}: ${message}`, {
      suggestion: `A profile created a moment ago takes a minute to be usable: run mcctl setup again. Otherwise: ${instanceProfileHowTo(instanceProfile)}`,
      cause: error,
    });
  }
  return error;
}

// =================================================================================================
// Step 3: wait until it registers

const GONE_STATES = new Set(["shutting-down", "terminated", "stopping", "stopped"]);

/**
 * Polls until the EC2 instance shows up among the cluster's container instances. Transient AWS errors
 * are retried until the deadline (io.waitTimeoutMs); a stopped or terminated instance ends the wait.
 */
export async function waitForContainerInstance(
  io: SetupIo,
  aws: SetupAws,
  cluster: string,
  instanceId: string,
): Promise<RegisteredInstance> {
  const started = Date.now();
  const deadline = started + io.waitTimeoutMs;
  const label = `Waiting for ${instanceId} to register in ECS cluster ${cluster}`;
  let last: Instance | undefined;
  let result: RegisteredInstance | undefined;
  await withProgress(io.output, label, async (reporter) => {
    for (;;) {
      try {
        const registered = (await aws.ecs.listContainerInstances(cluster)).find(
          (instance) => instance.ec2InstanceId === instanceId,
        );
        [last] = await aws.ec2.describeInstances([instanceId]);
        if (registered) {
          result = {
            ec2InstanceId: instanceId,
            containerInstanceArn: registered.containerInstanceArn ?? "(unknown)",
            containerInstance: registered,
            ...(last?.PublicDnsName ? { publicDnsName: last.PublicDnsName } : {}),
          };
          return `${instanceId} registered in ECS cluster ${cluster} (${formatDuration(Date.now() - started)})`;
        }
        if (!last) {
          throw new McctlError(`EC2 instance ${instanceId} no longer exists`, {
            suggestion: "Run mcctl setup again to launch a new container instance.",
          });
        }
        const state = last.State?.Name ?? "unknown";
        if (GONE_STATES.has(state)) throw stoppedError(instanceId, last);
        reporter.progress(`${label}: EC2 ${state} (${formatDuration(Date.now() - started)})`);
      } catch (error) {
        if (!isTransientError(error)) throw error;
        reporter.retrying?.(error);
      }
      if (Date.now() + io.pollIntervalMs > deadline) throw registrationTimeout(io, cluster, instanceId, last);
      await sleep(io.pollIntervalMs, io.signal);
    }
  });
  if (!result) throw new Error("waitForContainerInstance ended without a result");
  return result;
}

function stoppedError(instanceId: string, instance: Instance): McctlError {
  const state = instance.State?.Name ?? "unknown";
  const reason = instance.StateReason?.Message ?? instance.StateTransitionReason;
  const terminated = state === "terminated" || state === "shutting-down";
  return new McctlError(
    `EC2 instance ${instanceId} is ${state}${reason ? ` (${reason})` : ""} and will not register`,
    {
      suggestion: terminated
        ? "Run mcctl setup again to launch a new container instance."
        : `Start it (aws ec2 start-instances --instance-ids ${instanceId}) and run mcctl setup again, or terminate it and run mcctl setup again to launch a new one.`,
    },
  );
}

function registrationTimeout(
  io: SetupIo,
  cluster: string,
  instanceId: string,
  instance: Instance | undefined,
): McctlError {
  const state = instance?.State?.Name ?? "unknown";
  const profile =
    instance?.IamInstanceProfile?.Arn?.split("/").pop() ??
    io.settings().setup?.instance?.instanceProfile ??
    DEFAULT_INSTANCE_PROFILE;
  const subnet = instance?.SubnetId ?? io.settings().setup?.instance?.subnetId ?? "of the instance";
  const publicIp = instance?.PublicIpAddress ? "" : " (the instance has no public IP address)";
  return new McctlError(
    `EC2 instance ${instanceId} did not register in ECS cluster ${cluster} within ${formatDuration(io.waitTimeoutMs)} (EC2 state: ${state})`,
    {
      suggestion:
        `Likely causes: (1) instance profile ${profile}: its role needs the AmazonEC2ContainerServiceforEC2Role policy; ` +
        `(2) the cluster name: /etc/ecs/ecs.config on the instance must say ECS_CLUSTER=${cluster}; ` +
        `(3) no outbound internet: subnet ${subnet} needs a route to an internet gateway or a NAT gateway${publicIp}. ` +
        `The ECS agent logs to /var/log/ecs/ecs-agent.log on the instance. After fixing, run mcctl setup again: it waits for ${instanceId} ` +
        `(if the instance itself is wrong, terminate it first and setup launches a new one).`,
    },
  );
}

// =================================================================================================
// All three

export interface ComputeResult {
  plan: ComputePlan;
  /** The instance launched in this run, if any. */
  launched?: LaunchResult;
  /** Where the task can run; undefined in a dry run, with io.noWait, or while an instance is starting. */
  instance?: UsableInstance;
}

/**
 * Step 4 of `mcctl setup` in one call: prepare, launch when needed, wait until registered (unless
 * dry run or io.noWait). Callers that must act between the steps (the database access rule needs
 * `plan.securityGroupIds` before the instance starts) call the three functions themselves.
 */
export async function ensureCompute(
  io: SetupIo,
  aws: SetupAws,
  options: ComputeOptions,
): Promise<ComputeResult> {
  const plan = await prepareCompute(io, aws, options);
  if (plan.status === "ready")
    return { plan, ...(plan.fittingInstance ? { instance: plan.fittingInstance } : {}) };
  let instanceId = plan.pendingInstanceId;
  let launched: LaunchResult | undefined;
  if (plan.status === "launch") {
    launched = await launchInstance(io, aws, plan);
    instanceId = launched.instanceId;
  }
  if (io.dryRun || !instanceId) return { plan, ...(launched ? { launched } : {}) };
  if (io.noWait) {
    io.output.info(`Not waiting for ${instanceId} to register: a later mcctl setup picks it up.`);
    return { plan, ...(launched ? { launched } : {}) };
  }
  const registered = await waitForContainerInstance(io, aws, plan.cluster, instanceId);
  const fit = checkInstanceFit(registered.containerInstance, options.requirement);
  if (!fit.fits) {
    io.output.warn(
      `${instanceId} registered, but the task does not fit on it (${fit.problems.join(", ")}): choose a larger type such as ${SUGGESTED_INSTANCE_TYPE}.`,
    );
  }
  const { containerInstance: _ignored, ...instance } = registered;
  return { plan, ...(launched ? { launched } : {}), instance };
}

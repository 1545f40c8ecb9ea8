import type { IpPermission, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import { awsErrorName } from "../../aws/errors.js";
import { DEFAULT_TASK_SETTINGS } from "../../domain/task-definition.js";
import { McctlError, UsageError } from "../../errors.js";
import {
  ANYWHERE,
  DEFAULT_INSTANCE_PROFILE,
  DEFAULT_INSTANCE_TYPE,
  HTTP_PORT,
  INSTANCE_SECURITY_GROUP,
  instanceProfileHowTo,
  type LaunchAnswers,
  PREVIOUS_GENERATION,
  SSH_PORT,
  SUGGESTED_INSTANCE_TYPE,
} from "../../operations/setup/launch.js";
import { validateDataPath } from "../../operations/setup/user-data.js";
import { recommendedEcsImage } from "./ami.js";
import { answerChoice, answerText } from "./answers.js";
import type { PlanIo, PlanLine, SetupAws } from "./types.js";

/** Everything a launch needs, every answer known and every prerequisite checked, with its plan lines. */
export interface LaunchPlan extends LaunchAnswers {
  lines: PlanLine[];
}

const STEP = { instance: "container instance", group: "instance security group" } as const;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;
/** How often the operator may choose a type the region does not offer before mcctl gives up. */
const MAX_TYPE_ATTEMPTS = 3;
/** Errors that mean the caller may not make a call (EC2 and IAM/STS wording). */
const ACCESS_DENIED = new Set(["UnauthorizedOperation", "AccessDenied", "AccessDeniedException"]);

/**
 * The launch of the one container instance, decided: type (offered in the region), the ECS-optimized
 * Amazon Linux 2023 AMI AWS recommends for its architecture, key pair, subnet of the default VPC, instance profile (which must hold a role),
 * the data path, and the instances' security group. Looks and asks; creates nothing.
 */
export async function planLaunch(io: PlanIo, aws: SetupAws, cluster: string): Promise<LaunchPlan> {
  const instanceType = await chooseInstanceType(io, aws);
  const image = await recommendedEcsImage(io, aws, instanceType);
  const keyPair = await chooseKeyPair(io, aws);
  const { vpcId, subnetId } = await chooseSubnet(io, aws);
  const instanceProfile = await checkInstanceProfile(io, aws);
  const dataPath = io.settings.es?.dataPath ?? DEFAULT_TASK_SETTINGS.es.dataPath;
  const badPath = validateDataPath(dataPath);
  if (badPath) throw new UsageError(`es.dataPath: ${badPath}`);
  const securityGroup = await planSecurityGroup(io, aws, vpcId, keyPair !== undefined);

  const lines: PlanLine[] = [];
  const ports = securityGroup.openPorts.map((port) => `TCP ${port}`).join(", ");
  if (securityGroup.id) {
    lines.push({ step: STEP.group, state: "exists", detail: `${securityGroup.name} (${securityGroup.id})` });
    if (ports)
      lines.push({
        step: STEP.group,
        state: "create",
        detail: `${securityGroup.name}: open ${ports} from ${ANYWHERE}`,
      });
  } else {
    lines.push({
      step: STEP.group,
      state: "create",
      detail: `${securityGroup.name} in ${vpcId}: ${ports} from ${ANYWHERE}`,
    });
  }
  lines.push({
    step: STEP.instance,
    state: "create",
    detail:
      `${instanceType} from ${image.id} (${image.name}, ${image.os}) in ${subnetId}, profile ${instanceProfile}, ` +
      `${keyPair ? `key pair ${keyPair}` : "no key pair"}, ECS_CLUSTER=${cluster}`,
  });
  return { instanceType, image, keyPair, vpcId, subnetId, instanceProfile, dataPath, securityGroup, lines };
}

function validateInstanceType(value: string): string | undefined {
  return INSTANCE_TYPE.test(value) ? undefined : "an instance type looks like m5.xlarge";
}

/**
 * The instance type, checked against what the region offers (DescribeInstanceTypeOfferings). Not
 * offered: on a terminal the operator chooses another (default m5.xlarge when offered); without one it
 * is an error naming the setting.
 */
async function chooseInstanceType(io: PlanIo, aws: SetupAws): Promise<string> {
  const known = io.settings.setup?.instance?.type;
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
    if ((await offered(instanceType)) !== false) return instanceType;
    const alternative =
      instanceType !== SUGGESTED_INSTANCE_TYPE && (await offered(SUGGESTED_INSTANCE_TYPE)) !== false
        ? SUGGESTED_INSTANCE_TYPE
        : undefined;
    if (!io.interactive || attempt >= MAX_TYPE_ATTEMPTS) {
      throw notOfferedError(io, instanceType, known === instanceType, alternative);
    }
    const previous = PREVIOUS_GENERATION.test(instanceType) ? " (a previous generation)" : "";
    io.warn(`${instanceType} is not offered in ${io.region}${previous}`);
    instanceType = await answerText(io, {
      name: "setup.instance.type",
      message: `Instance type to launch instead of ${instanceType}`,
      defaultValue: alternative,
      validate: validateInstanceType,
    });
  }
}

function notOfferedError(
  io: PlanIo,
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
    suggestion: `${choose}${terminal}; nothing was created.${previous}`,
  });
}

function offeringsCommand(region: string): string {
  return `aws ec2 describe-instance-type-offerings --region ${region} --query "InstanceTypeOfferings[].InstanceType"`;
}

/**
 * Whether the region offers the type; undefined when mcctl may not ask (no
 * ec2:DescribeInstanceTypeOfferings permission): then RunInstances is the check.
 */
async function typeOffered(io: PlanIo, aws: SetupAws, instanceType: string): Promise<boolean | undefined> {
  try {
    return await aws.ec2.isInstanceTypeOffered(instanceType);
  } catch (error) {
    const name = awsErrorName(
      error instanceof McctlError && error.cause instanceof Error ? error.cause : error,
    );
    if (!ACCESS_DENIED.has(name ?? "")) throw error;
    io.warn(
      `Cannot check whether ${io.region} offers ${instanceType} (AWS denied ec2:DescribeInstanceTypeOfferings): EC2 tells when the instance is launched.`,
    );
    return undefined;
  }
}

async function chooseKeyPair(io: PlanIo, aws: SetupAws): Promise<string | undefined> {
  const known = io.settings.setup?.instance?.keyPair;
  const names = (await aws.ec2.keyPairs()).flatMap((pair) => (pair.KeyName ? [pair.KeyName] : [])).sort();
  if (typeof known === "string" && !names.includes(known)) {
    throw new McctlError(
      `key pair ${known} (setup.instance.keyPair in mcctl.json) does not exist in ${io.region}`,
      {
        suggestion: `Import or create it in ${io.region}, or change setup.instance.keyPair to another key pair or to false (no SSH).`,
      },
    );
  }
  if (known === undefined && names.length === 0) {
    io.info(`No EC2 key pairs in ${io.region}: the instance is launched without SSH access.`);
    return undefined;
  }
  const answer = await answerChoice<string | false>(io, {
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
  return answer === false ? undefined : answer;
}

async function chooseSubnet(io: PlanIo, aws: SetupAws): Promise<{ vpcId: string; subnetId: string }> {
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
  const known = io.settings.setup?.instance?.subnetId;
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
  return { vpcId, subnetId };
}

/** The instance profile must exist and hold a role: without one the instance never registers in ECS. */
async function checkInstanceProfile(io: PlanIo, aws: SetupAws): Promise<string> {
  const name = await answerText(io, {
    name: "setup.instance.instanceProfile",
    message: "IAM instance profile of the container instance",
    known: io.settings.setup?.instance?.instanceProfile,
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
  return name;
}

/** The instances' group in the default VPC (found by mcctl.json's id or its name) and the ports it lacks. */
async function planSecurityGroup(
  io: PlanIo,
  aws: SetupAws,
  vpcId: string,
  ssh: boolean,
): Promise<LaunchPlan["securityGroup"]> {
  const knownId = io.settings.setup?.instance?.securityGroupId;
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
  const existing = group?.IpPermissions ?? [];
  return {
    id: group?.GroupId,
    name: group?.GroupName ?? INSTANCE_SECURITY_GROUP,
    openPorts: ports.filter((port) => !existing.some((permission) => allowsFromAnywhere(permission, port))),
  };
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

import type { IpPermission, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import { DEFAULT_INSTANCE_PROFILE } from "../../config/defaults.js";
import type { TaskRequirement } from "../../domain/capacity.js";
import {
  ANYWHERE,
  HTTP_PORT,
  INSTANCE_SECURITY_GROUP,
  instanceProfileHowTo,
  SSH_PORT,
} from "../../domain/setup-resources.js";
import { DEFAULT_TASK_SETTINGS } from "../../domain/task-definition.js";
import { validateDataPath } from "../../domain/user-data.js";
import { McctlError, UsageError } from "../../errors.js";
import { type LaunchImage, recommendedEcsImage } from "./ami.js";
import { answerChoice, answerText } from "./answers.js";
import { chooseInstanceType } from "./instance-type.js";
import type { PlanIo, PlanLine, SetupAws } from "./types.js";

/** What the launch plan decided, every prerequisite checked. */
export interface LaunchAnswers {
  instanceType: string;
  image: LaunchImage;
  /** undefined: no key pair, no SSH. */
  keyPair: string | undefined;
  vpcId: string;
  subnetId: string;
  instanceProfile: string;
  /** Host directory of the Elasticsearch data volume, created by the user data. */
  dataPath: string;
  /** The instances' group: `id` when it exists; the ports apply must still open to the internet. */
  securityGroup: { id?: string | undefined; name: string; openPorts: number[] };
}

/** Everything a launch needs, every answer known and every prerequisite checked, with its plan lines. */
export interface LaunchPlan extends LaunchAnswers {
  lines: PlanLine[];
}

const STEP = { instance: "container instance", group: "instance security group" } as const;
const PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;

/**
 * The launch of the one container instance, decided: type (offered in the region and able to hold the
 * task), the ECS-optimized Amazon Linux 2023 AMI AWS recommends for its architecture, key pair, subnet of the default VPC, instance profile (which must
 * hold a role), the data path, and the instances' security group. Looks and asks; creates nothing.
 */
export async function planLaunch(
  io: PlanIo,
  aws: SetupAws,
  cluster: string,
  requirement: TaskRequirement,
): Promise<LaunchPlan> {
  const instanceType = await chooseInstanceType(io, aws, requirement);
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

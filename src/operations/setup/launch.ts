import { randomUUID } from "node:crypto";
import type { Instance, RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import { awsErrorName } from "../../aws/errors.js";
import { ecsUserData, encodeUserData } from "../../domain/user-data.js";
import { McctlError } from "../../errors.js";
import { isTransientError } from "../../queries/poll.js";
import type { ApplyIo, SetupAws } from "./types.js";

/** Name tag of the instances mcctl launches; a re-run finds earlier launches by it. */
export const INSTANCE_NAME = "model-catalogue-ecs";
/** Tag naming the cluster an instance was launched for (its user data says the same). */
export const CLUSTER_TAG = "mcctl:cluster";
export const INSTANCE_SECURITY_GROUP = "model-catalogue-ecs-instances";
/** The old guide's type. A previous generation: many regions no longer offer it. */
export const DEFAULT_INSTANCE_TYPE = "m3.xlarge";
/** 4 vCPUs and 16 GiB, what the guide's m3.xlarge offered, in the current generation. */
export const SUGGESTED_INSTANCE_TYPE = "m5.xlarge";
/** Instance type families of the previous generations, which many regions no longer offer. */
export const PREVIOUS_GENERATION = /^(m1|m2|m3|c1|c3|r3|t1|i2|cr1|hs1|cc2|g2)\./;
export const ANYWHERE = "0.0.0.0/0";
export const HTTP_PORT = 80;
export const SSH_PORT = 22;

/** The AMI a container instance is launched from, as the plan names it. */
export interface LaunchImage {
  id: string;
  /** e.g. "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64". */
  name: string;
  /** e.g. "Amazon Linux 2023". */
  os: string;
}

/** What the launch plan decided (src/plan/setup/launch.ts), every prerequisite checked. */
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

/** The instances' security group: created when the plan found none, then the ports it lacks opened. */
export async function ensureInstanceSecurityGroup(
  io: ApplyIo,
  aws: SetupAws,
  answers: LaunchAnswers,
): Promise<string> {
  const group = answers.securityGroup;
  let id = group.id;
  if (!id) {
    id = await aws.ec2.createSecurityGroup({
      name: group.name,
      description: "Model Catalogue ECS container instances (created by mcctl)",
      vpcId: answers.vpcId,
      tags: { ...io.tags, Name: INSTANCE_SECURITY_GROUP },
    });
    io.reporter.success(`Created security group ${group.name} (${id}) in ${answers.vpcId}`);
  }
  for (const port of group.openPorts) {
    await aws.ec2.authorizeIngress(id, {
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: port,
      IpRanges: [{ CidrIp: ANYWHERE, Description: port === HTTP_PORT ? "Model Catalogue (HTTP)" : "SSH" }],
    });
    io.reporter.success(`Opened TCP ${port} from ${ANYWHERE} in ${group.name}`);
  }
  return id;
}

/**
 * Launches the one container instance of the plan. The same client token on a retried request cannot
 * launch a second instance, and a lost answer is found by it. A type EC2 rejects after all (the plan
 * checked the offerings) ends setup with what to set; nothing is asked any more.
 */
export async function launchInstance(
  io: ApplyIo,
  aws: SetupAws,
  cluster: string,
  answers: LaunchAnswers,
  groupId: string,
): Promise<string> {
  let instance: Instance;
  try {
    instance = await runInstance(io, aws, cluster, answers, groupId);
  } catch (error) {
    throw instanceTypeRejection(error, answers.instanceType) ?? launchError(error, answers.instanceProfile);
  }
  const instanceId = instance.InstanceId;
  if (!instanceId) throw new McctlError("EC2 launched an instance but returned no instance id");
  io.reporter.success(`Launched ${instanceId} (${answers.instanceType}) for ECS cluster ${cluster}`);
  return instanceId;
}

async function runInstance(
  io: ApplyIo,
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
  // The suggested type itself refused: never send the operator back to it.
  const use =
    instanceType === SUGGESTED_INSTANCE_TYPE
      ? "Use another current type with 4 vCPUs and 16 GiB or more: set it as setup.instance.type in mcctl.json"
      : `Use ${SUGGESTED_INSTANCE_TYPE} (4 vCPUs, 16 GiB): set "setup": { "instance": { "type": "${SUGGESTED_INSTANCE_TYPE}" } } in mcctl.json`;
  const previous = PREVIOUS_GENERATION.test(instanceType)
    ? ` ${instanceType} is a previous generation that many regions no longer offer.`
    : "";
  return new McctlError(`EC2 rejected instance type ${instanceType}: ${name}: ${message}`, {
    suggestion: `${use} and run mcctl setup again.${previous}`,
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

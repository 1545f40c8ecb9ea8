import { randomUUID } from "node:crypto";
import type { Instance, RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import { awsErrorName } from "../../aws/errors.js";
import { SUGGESTED_INSTANCE_TYPE } from "../../config/defaults.js";
import { PREVIOUS_GENERATION } from "../../domain/capacity.js";
import {
  ANYWHERE,
  CLUSTER_TAG,
  HTTP_PORT,
  INSTANCE_NAME,
  INSTANCE_SECURITY_GROUP,
  instanceProfileHowTo,
} from "../../domain/setup-resources.js";
import { ecsUserData, encodeUserData } from "../../domain/user-data.js";
import { McctlError } from "../../errors.js";
import type { LaunchAnswers } from "../../plan/setup/launch.js";
import type { SetupAws } from "../../plan/setup/types.js";
import { isTransientError } from "../../queries/poll.js";
import type { ApplyIo } from "./types.js";

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

/**
 * RunInstances' checks on what to launch: the image, the network (subnet, security groups, public address),
 * the instance profile and the user data. Each fails the whole request with EC2's error, as EC2 does.
 */
import type { RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import type { Ec2State, ImageRecord, SecurityGroupRecord, SubnetRecord } from "./ec2-state.js";

const USER_DATA_LIMIT = 16_384;

/** The image to launch: it must exist and be available. */
export function launchImage(state: Ec2State, imageId: string | undefined): ImageRecord {
  if (imageId === undefined)
    throw state.error("MissingParameter", "The request must contain the parameter ImageId");
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) {
    throw state.error("InvalidAMIID.Malformed", `Invalid id: "${imageId}" (expecting "ami-...")`);
  }
  const image = state.images.find((candidate) => candidate.imageId === imageId);
  if (!image || image.state === "deregistered") {
    throw state.error("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
  }
  if (image.state !== "available") {
    throw state.error("InvalidAMIID.Unavailable", `The image id '[${imageId}]' is not available`);
  }
  return image;
}

/** The subnet and security groups an instance is launched into, and whether it gets a public IP. */
export function launchNetwork(
  state: Ec2State,
  input: RunInstancesCommandInput,
): {
  subnet: SubnetRecord;
  groups: SecurityGroupRecord[];
  associatePublicIp: boolean;
} {
  const nic = input.NetworkInterfaces?.find((candidate) => (candidate.DeviceIndex ?? 0) === 0);
  if (nic && input.SubnetId !== undefined) {
    throw state.error(
      "InvalidParameterCombination",
      "Network interfaces and an instance-level subnet ID may not be specified on the same request",
    );
  }
  if (nic && (input.SecurityGroupIds?.length || input.SecurityGroups?.length)) {
    throw state.error(
      "InvalidParameterCombination",
      "Network interfaces and an instance-level security groups may not be specified on the same request",
    );
  }
  const subnetId = nic?.SubnetId ?? input.SubnetId;
  let subnet: SubnetRecord | undefined;
  if (subnetId !== undefined) {
    subnet = state.subnets.find((candidate) => candidate.subnetId === subnetId);
    if (!subnet) throw state.error("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
  } else {
    const vpc = state.defaultVpc();
    const zone = input.Placement?.AvailabilityZone;
    subnet = state.subnets.find(
      (candidate) =>
        candidate.vpcId === vpc?.vpcId &&
        candidate.defaultForAz &&
        (zone === undefined || candidate.availabilityZone === zone),
    );
    if (!subnet) throw state.error("VPCIdNotSpecified", "No default VPC for this user");
  }
  const chosen = subnet;
  const groupIds = nic?.Groups ?? input.SecurityGroupIds ?? [];
  const groups: SecurityGroupRecord[] = [];
  for (const id of groupIds) {
    const group = state.groups.find((candidate) => candidate.groupId === id);
    if (!group) throw state.error("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    groups.push(group);
  }
  for (const name of input.SecurityGroups ?? []) {
    const group = state.groups.find(
      (candidate) => candidate.vpcId === chosen.vpcId && candidate.name === name,
    );
    if (!group) {
      throw state.error(
        "InvalidGroup.NotFound",
        `The security group '${name}' does not exist in VPC '${chosen.vpcId}'`,
      );
    }
    groups.push(group);
  }
  for (const group of groups) {
    if (group.vpcId !== chosen.vpcId) {
      throw state.error(
        "InvalidParameter",
        `Security group ${group.groupId} and subnet ${chosen.subnetId} belong to different networks.`,
      );
    }
  }
  if (groups.length === 0) {
    const fallback = state.groups.find((group) => group.vpcId === chosen.vpcId && group.name === "default");
    if (fallback) groups.push(fallback);
  }
  return {
    subnet: chosen,
    groups,
    associatePublicIp: nic?.AssociatePublicIpAddress ?? chosen.mapPublicIpOnLaunch,
  };
}

/** The instance profile as RunInstances records it: it must exist in IAM (when the simulated AWS has one). */
export function launchProfile(
  state: Ec2State,
  profile: RunInstancesCommandInput["IamInstanceProfile"],
): { Arn: string; Id: string } | undefined {
  if (!profile || (profile.Name === undefined && profile.Arn === undefined)) return undefined;
  const key = profile.Arn ?? profile.Name ?? "";
  if (!state.iam) {
    const name = profile.Name ?? key.split("/").pop() ?? key;
    return {
      Arn: profile.Arn ?? `arn:aws:iam::${state.ctx.accountId}:instance-profile/${name}`,
      Id: "AIPASIMULATED",
    };
  }
  const found = state.iam.instanceProfile(key);
  if (!found?.Arn || !found.InstanceProfileId) {
    throw profile.Arn !== undefined
      ? state.error(
          "InvalidParameterValue",
          `Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
        )
      : state.error(
          "InvalidParameterValue",
          `Value (${profile.Name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
        );
  }
  return { Arn: found.Arn, Id: found.InstanceProfileId };
}

/** The user data, as base64 without whitespace: it must decode and stay within EC2's limit. */
export function launchUserData(state: Ec2State, userData: string | undefined): string | undefined {
  if (userData === undefined) return undefined;
  const compacted = userData.replace(/\s/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compacted) || compacted.length % 4 !== 0) {
    throw state.error("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.");
  }
  if (Buffer.from(compacted, "base64").length > USER_DATA_LIMIT) {
    throw state.error("InvalidParameterValue", `User data is limited to ${USER_DATA_LIMIT} bytes`);
  }
  return compacted;
}

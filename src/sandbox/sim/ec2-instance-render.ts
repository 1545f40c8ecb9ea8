/** EC2 instances as DescribeInstances renders them and filters them, with their addresses and DNS names. */
import type { Instance } from "@aws-sdk/client-ec2";
import { clone, compact } from "./core.js";
import { ec2InstanceTypes, instanceStateCodes, tagFilterValues } from "./ec2-model.js";
import type { Ec2InstanceRecord, Ec2InstanceState, Ec2State } from "./ec2-state.js";

const stateCodes: Record<Ec2InstanceState, number> = instanceStateCodes;

/** States in which an instance has its public address. */
const addressedStates: readonly Ec2InstanceState[] = ["pending", "running", "stopping", "shutting-down"];

/** The values of a DescribeInstances filter for an instance; undefined for a filter the simulator does not know. */
export function instanceFilterValues(
  state: Ec2State,
  record: Ec2InstanceRecord,
  name: string,
): readonly (string | undefined)[] | undefined {
  const launch = record.launch;
  const addressed = addressedStates.includes(record.state);
  switch (name) {
    case "instance-id":
      return [record.instanceId];
    case "instance-state-name":
      return [record.state];
    case "instance-state-code":
      return [String(stateCodes[record.state])];
    case "instance-type":
      return [record.instanceType];
    case "private-ip-address":
      return [record.privateIpAddress];
    case "ip-address":
      return [addressed ? record.publicIpAddress : undefined];
    case "dns-name":
      return [addressed ? record.publicDnsName : undefined];
    case "image-id":
      return [record.imageId];
    case "key-name":
      return [record.keyName];
    case "reservation-id":
      return [record.reservationId];
    case "availability-zone":
      return [record.availabilityZone];
    case "vpc-id":
      return [launch?.vpcId];
    case "subnet-id":
      return [launch?.subnetId];
    case "instance.group-id":
      return launch?.securityGroupIds ?? [];
    case "instance.group-name":
      return (launch?.securityGroupIds ?? []).map(
        (id) => state.groups.find((group) => group.groupId === id)?.name,
      );
    case "iam-instance-profile.arn":
      return [launch?.instanceProfile?.Arn];
    case "client-token":
      return [launch?.clientToken];
    case "architecture":
      return [ec2InstanceTypes[record.instanceType]?.architecture ?? "x86_64"];
    default:
      return tagFilterValues(record.tags, name);
  }
}

/** The public IP of the instance added or launched `seq`-th: a distinct 54.170.x.y. */
export function publicIpFor(seq: number): string {
  const host = 10 + seq;
  return `54.170.${Math.floor(host / 250) + 1}.${host % 250}`;
}

export function publicDnsNameFor(region: string, ip: string): string {
  const domain = region === "us-east-1" ? "compute-1.amazonaws.com" : `${region}.compute.amazonaws.com`;
  return `ec2-${ip.replaceAll(".", "-")}.${domain}`;
}

export function privateDnsNameFor(region: string, ip: string): string {
  const domain = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  return `ip-${ip.replaceAll(".", "-")}.${domain}`;
}

/** An instance as DescribeInstances renders it. */
export function renderInstance(state: Ec2State, record: Ec2InstanceRecord): Instance {
  const addressed = addressedStates.includes(record.state);
  const privateIp = record.state === "terminated" ? undefined : record.privateIpAddress;
  const launch = record.launch;
  const typeInfo = ec2InstanceTypes[record.instanceType];
  return compact({
    InstanceId: record.instanceId,
    ImageId: record.imageId,
    InstanceType: record.instanceType as Instance["InstanceType"],
    State: { Code: stateCodes[record.state], Name: record.state },
    StateReason: record.state === "pending" ? { Code: "pending", Message: "pending" } : undefined,
    StateTransitionReason: launch ? "" : undefined,
    // EC2 answers "" (not nothing) for an instance without a public DNS name.
    PublicDnsName: addressed ? (record.publicDnsName ?? "") : "",
    PublicIpAddress: addressed ? record.publicIpAddress : undefined,
    PrivateDnsName: privateIp ? privateDnsNameFor(state.ctx.region, privateIp) : "",
    PrivateIpAddress: privateIp,
    KeyName: record.keyName,
    LaunchTime: record.launchTime,
    AmiLaunchIndex: launch?.amiLaunchIndex ?? 0,
    Placement: {
      AvailabilityZone: record.availabilityZone,
      GroupName: launch ? "" : undefined,
      Tenancy: "default",
    },
    SubnetId: record.state === "terminated" ? undefined : launch?.subnetId,
    VpcId: record.state === "terminated" ? undefined : launch?.vpcId,
    SecurityGroups: (launch?.securityGroupIds ?? record.securityGroupIds)?.map((id) => ({
      GroupId: id,
      GroupName: state.groups.find((group) => group.groupId === id)?.name,
    })),
    IamInstanceProfile: launch?.instanceProfile && { ...launch.instanceProfile },
    ClientToken: launch ? (launch.clientToken ?? "") : undefined,
    Monitoring: launch ? { State: "disabled" } : undefined,
    EbsOptimized: launch ? false : undefined,
    EnaSupport: launch ? true : undefined,
    Architecture: typeInfo?.architecture ?? "x86_64",
    RootDeviceType: "ebs",
    RootDeviceName: "/dev/xvda",
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    Tags: clone(record.tags),
  } satisfies Instance);
}

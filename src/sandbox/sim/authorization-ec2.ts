/**
 * What IAM requires for each simulated EC2 command. Sources: Service Authorization Reference, "Actions, resources,
 * and condition keys for Amazon EC2" (resource types, the RunInstances scenario "EC2-VPC-EBS-Subnet": image,
 * instance, network-interface, security-group, subnet, volume, and key-pair when named; ARN formats, the image's
 * without an account; Describe* support no resource-level permissions; ec2:CreateAction); EC2 User Guide, "Grant
 * permission to tag resources during creation" (ec2:CreateTags for TagSpecifications) and "permission to pass an
 * IAM role to an instance" (iam:PassRole on the instance profile's role).
 */
import type { RunInstancesCommandInput, Subnet, TagSpecification } from "@aws-sdk/client-ec2";
import {
  type AuthorizationEnv,
  type AuthorizationTable,
  anyResource,
  type ConditionContext,
  passRole,
  type Requirement,
  requestTagKeys,
} from "./authorization.js";
import type { Ec2Inputs } from "./ec2.js";

export const ec2Authorization: AuthorizationTable<Ec2Inputs> = {
  DescribeInstances: (_input, env) => [describe("ec2:DescribeInstances", env)],
  DescribeVpcs: (_input, env) => [describe("ec2:DescribeVpcs", env)],
  DescribeSubnets: (_input, env) => [describe("ec2:DescribeSubnets", env)],
  DescribeSecurityGroups: (_input, env) => [describe("ec2:DescribeSecurityGroups", env)],
  DescribeKeyPairs: (_input, env) => [describe("ec2:DescribeKeyPairs", env)],
  DescribeImages: (_input, env) => [describe("ec2:DescribeImages", env)],
  DescribeInstanceTypeOfferings: (_input, env) => [describe("ec2:DescribeInstanceTypeOfferings", env)],
  DescribeInstanceTypes: (_input, env) => [describe("ec2:DescribeInstanceTypes", env)],
  RunInstances: (input, env) => runInstances(input, env),
  TerminateInstances: (input, env) =>
    (input.InstanceIds ?? []).map((id) => ({
      action: "ec2:TerminateInstances",
      resource: ec2Arn(env, "instance", id),
      context: region(env),
    })),
  CreateSecurityGroup: (input, env) => {
    const vpcId = input.VpcId ?? defaultVpcId(env) ?? "";
    return [
      {
        action: "ec2:CreateSecurityGroup",
        resource: ec2Arn(env, "security-group", "*"),
        context: { ...region(env), ...tagKeys(input.TagSpecifications, "security-group") },
      },
      { action: "ec2:CreateSecurityGroup", resource: ec2Arn(env, "vpc", vpcId), context: region(env) },
      ...createTags(env, "CreateSecurityGroup", input.TagSpecifications),
    ];
  },
  AuthorizeSecurityGroupIngress: (input, env) => [
    groupRequirement(env, "ec2:AuthorizeSecurityGroupIngress", input.GroupId ?? input.GroupName),
    // "Policies using the security-group-rule resource-level permission are only enforced when the API request
    // includes TagSpecifications."
    ...createTags(env, "AuthorizeSecurityGroupIngress", input.TagSpecifications),
  ],
  RevokeSecurityGroupIngress: (input, env) => [
    groupRequirement(env, "ec2:RevokeSecurityGroupIngress", input.GroupId ?? input.GroupName),
  ],
  DeleteSecurityGroup: (input, env) => [
    groupRequirement(env, "ec2:DeleteSecurityGroup", input.GroupId ?? input.GroupName),
  ],
};

/**
 * RunInstances is authorized on every resource the launch uses or creates, then the tags on creation, then the
 * role passed through the instance profile.
 */
function runInstances(input: RunInstancesCommandInput, env: AuthorizationEnv): Requirement[] {
  const subnet = launchSubnet(input, env);
  const groups = launchGroups(input, env, subnet?.VpcId);
  const profile = input.IamInstanceProfile;
  const profileRef = profile?.Arn ?? profile?.Name;
  const instanceProfile = profileRef ? env.iam.instanceProfile(profileRef) : undefined;
  const role = instanceProfile?.Roles?.[0]?.Arn;
  const launch = (resource: string, context: ConditionContext = {}): Requirement => ({
    action: "ec2:RunInstances",
    resource,
    context: { ...region(env), ...context },
  });
  return [
    launch(ec2Arn(env, "instance", "*"), {
      ...(input.InstanceType ? { "ec2:InstanceType": input.InstanceType } : {}),
      ...(instanceProfile?.Arn ? { "ec2:InstanceProfile": instanceProfile.Arn } : {}),
      ...tagKeys(input.TagSpecifications, "instance"),
    }),
    launch(`arn:aws:ec2:${env.region}::image/${input.ImageId ?? ""}`, { "ec2:ImageID": input.ImageId ?? "" }),
    launch(
      ec2Arn(env, "network-interface", "*"),
      subnet?.SubnetId ? { "ec2:Subnet": ec2Arn(env, "subnet", subnet.SubnetId) } : {},
    ),
    ...groups.map((groupId) => launch(ec2Arn(env, "security-group", groupId))),
    ...(subnet?.SubnetId ? [launch(ec2Arn(env, "subnet", subnet.SubnetId))] : []),
    // The ECS-optimized AMIs the simulator offers are EBS-backed: the root volume is created too.
    launch(ec2Arn(env, "volume", "*"), tagKeys(input.TagSpecifications, "volume")),
    ...(input.KeyName ? [launch(ec2Arn(env, "key-pair", input.KeyName))] : []),
    ...createTags(env, "RunInstances", input.TagSpecifications),
    ...(role ? [passRole(env, role, "ec2.amazonaws.com")] : []),
  ];
}

/** The subnet EC2 launches into: the one named, else the default VPC's default subnet (in the zone asked for). */
function launchSubnet(input: RunInstancesCommandInput, env: AuthorizationEnv): Subnet | undefined {
  const subnets = env.ec2.subnets();
  const named =
    input.NetworkInterfaces?.find((nic) => (nic.DeviceIndex ?? 0) === 0)?.SubnetId ?? input.SubnetId;
  if (named !== undefined) return subnets.find((subnet) => subnet.SubnetId === named) ?? { SubnetId: named };
  const vpcId = defaultVpcId(env);
  const zone = input.Placement?.AvailabilityZone;
  return subnets.find(
    (subnet) =>
      subnet.VpcId === vpcId &&
      subnet.DefaultForAz &&
      (zone === undefined || subnet.AvailabilityZone === zone),
  );
}

/** The groups the instance gets: those named (ids, or names in the subnet's VPC), else the VPC's "default". */
function launchGroups(
  input: RunInstancesCommandInput,
  env: AuthorizationEnv,
  vpcId: string | undefined,
): string[] {
  const nic = input.NetworkInterfaces?.find((candidate) => (candidate.DeviceIndex ?? 0) === 0);
  const all = env.ec2.securityGroups();
  const byName = (name: string) =>
    all.find((group) => group.VpcId === vpcId && group.GroupName === name)?.GroupId;
  const ids = [
    ...(nic?.Groups ?? input.SecurityGroupIds ?? []),
    ...(input.SecurityGroups ?? []).map((name) => byName(name) ?? name),
  ];
  if (ids.length > 0) return ids;
  const fallback = byName("default");
  return fallback ? [fallback] : [];
}

function groupRequirement(
  env: AuthorizationEnv,
  action: string,
  groupIdOrName: string | undefined,
): Requirement {
  const ref = groupIdOrName ?? "";
  const groupId = ref.startsWith("sg-") ? ref : (env.ec2.securityGroup(ref)?.GroupId ?? ref);
  return { action, resource: ec2Arn(env, "security-group", groupId), context: region(env) };
}

/** ec2:CreateTags for each resource type a request tags on creation, with ec2:CreateAction. */
function createTags(
  env: AuthorizationEnv,
  createAction: string,
  specifications: TagSpecification[] | undefined,
): Requirement[] {
  return (specifications ?? [])
    .filter((specification) => (specification.Tags ?? []).length > 0)
    .map((specification) => ({
      action: "ec2:CreateTags",
      resource: ec2Arn(env, specification.ResourceType ?? "", "*"),
      context: {
        ...region(env),
        "ec2:CreateAction": createAction,
        ...tagKeys([specification], specification.ResourceType ?? ""),
      },
    }));
}

function tagKeys(specifications: TagSpecification[] | undefined, resourceType: string): ConditionContext {
  const tags = (specifications ?? [])
    .filter((specification) => specification.ResourceType === resourceType)
    .flatMap((specification) => specification.Tags ?? []);
  return requestTagKeys(tags.map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })));
}

function describe(action: string, env: AuthorizationEnv): Requirement {
  return anyResource(action, region(env));
}

function region(env: AuthorizationEnv): ConditionContext {
  return { "ec2:Region": env.region };
}

function defaultVpcId(env: AuthorizationEnv): string | undefined {
  return env.ec2.vpcs().find((vpc) => vpc.IsDefault)?.VpcId;
}

/** `arn:aws:ec2:<region>:<account>:<type>/<id>` (ids may be "*" for resources the call creates). */
function ec2Arn(env: AuthorizationEnv, type: string, id: string): string {
  return `arn:aws:ec2:${env.region}:${env.accountId}:${type}/${id}`;
}

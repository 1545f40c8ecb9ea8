import { allow, allowAnyResource, arns, type DeploymentScope } from "./permissions.js";

/** Tags given with a create call are authorized as ec2:CreateTags for that create action. */
const tagOnCreate = (createAction: string, resources: (scope: DeploymentScope) => readonly string[]) =>
  allow("ec2:CreateTags", resources, {
    condition: () => ({ StringEquals: { "ec2:CreateAction": createAction } }),
    why: "tags on creation",
  });

const securityGroups = (scope: DeploymentScope) => [arns.ec2(scope, "security-group")];

/** What IAM must allow for each EC2 call (Service Authorization Reference, Amazon EC2). */
export const EC2_PERMISSIONS = {
  describeInstances: [allowAnyResource("ec2:DescribeInstances")],
  findInstances: [allowAnyResource("ec2:DescribeInstances")],
  defaultVpc: [allowAnyResource("ec2:DescribeVpcs")],
  subnets: [allowAnyResource("ec2:DescribeSubnets")],
  securityGroups: [allowAnyResource("ec2:DescribeSecurityGroups")],
  createSecurityGroup: [
    allow("ec2:CreateSecurityGroup", (s) => [arns.ec2(s, "security-group"), arns.ec2(s, "vpc")]),
    tagOnCreate("CreateSecurityGroup", securityGroups),
  ],
  authorizeIngress: [allow("ec2:AuthorizeSecurityGroupIngress", securityGroups)],
  keyPairs: [allowAnyResource("ec2:DescribeKeyPairs")],
  describeImages: [allowAnyResource("ec2:DescribeImages")],
  runInstance: [
    allow("ec2:RunInstances", (s) => [
      arns.ec2(s, "instance"),
      arns.ec2(s, "volume"),
      arns.ec2(s, "network-interface"),
      arns.ec2(s, "subnet"),
      arns.ec2(s, "security-group"),
      arns.ec2(s, "key-pair"),
      arns.ec2Image(s),
    ]),
    tagOnCreate("RunInstances", (s) => [arns.ec2(s, "instance"), arns.ec2(s, "volume")]),
    allow("iam:PassRole", (s) => arns.iamRole(s, s.instanceRole), {
      condition: () => ({ StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } }),
      why: "the instance profile's role is passed to EC2",
    }),
  ],
  isInstanceTypeOffered: [allowAnyResource("ec2:DescribeInstanceTypeOfferings")],
  describeInstanceType: [allowAnyResource("ec2:DescribeInstanceTypes")],
  currentInstanceTypes: [allowAnyResource("ec2:DescribeInstanceTypes")],
  terminateInstances: [allow("ec2:TerminateInstances", (s) => arns.ec2(s, "instance"))],
  revokeIngress: [allow("ec2:RevokeSecurityGroupIngress", securityGroups)],
  deleteSecurityGroup: [allow("ec2:DeleteSecurityGroup", securityGroups)],
} as const;

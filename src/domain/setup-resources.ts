/**
 * What setup names, tags and opens on the resources it creates, so that a re-run, the plans and destroy
 * find them again, and the rules about them. Pure.
 */
import type { SecurityGroup } from "@aws-sdk/client-ec2";

/** Name tag of the instances mcctl launches; a re-run finds earlier launches by it. */
export const INSTANCE_NAME = "model-catalogue-ecs";
/** Tag naming the cluster an instance was launched for (its user data says the same). */
export const CLUSTER_TAG = "mcctl:cluster";
export const INSTANCE_SECURITY_GROUP = "model-catalogue-ecs-instances";
/**
 * The security group of a database instance setup creates, in the default VPC. A re-run finds it by this name
 * and the VPC, so no run ever makes a second one.
 */
export const DATABASE_SECURITY_GROUP = "model-catalogue-db";
export const ANYWHERE = "0.0.0.0/0";
export const HTTP_PORT = 80;
export const SSH_PORT = 22;
export const MYSQL_PORT = 3306;
export const RULE_DESCRIPTION = "Model Catalogue container instances (mcctl)";

/** A security group that exists (its id), or one the same setup run creates first. */
export type GroupRef = { id: string } | { planned: "database" | "instances" };

export function describeGroup(group: GroupRef): string {
  if ("id" in group) return group.id;
  return group.planned === "database" ? "the new database group" : "the new instances' group";
}

/** Whether an ingress rule of the group lets `source`'s members reach TCP `port`. */
export function allowsFrom(group: SecurityGroup, source: string, port: number): boolean {
  return (group.IpPermissions ?? []).some((permission) => {
    const protocol = permission.IpProtocol;
    const coversPort =
      protocol === "-1" ||
      ((protocol === "tcp" || protocol === "6") &&
        (permission.FromPort ?? 0) <= port &&
        (permission.ToPort ?? 65535) >= port);
    return coversPort && (permission.UserIdGroupPairs ?? []).some((pair) => pair.GroupId === source);
  });
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

import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { DBInstance } from "@aws-sdk/client-rds";
import {
  DATABASE_SECURITY_GROUP,
  INSTANCE_SECURITY_GROUP,
  RULE_DESCRIPTION,
} from "../../domain/setup-resources.js";
import { MANAGED_BY, taggedByMcctl } from "../../domain/tags.js";
import {
  type DestroyAws,
  type DestroyLine,
  LIVE_INSTANCE_STATES,
  lineWriter,
  NOT_OURS,
  type RuleToRevoke,
} from "./types.js";

export interface NetworkPlan {
  rules: RuleToRevoke[];
  instanceGroups: string[];
  databaseGroups: string[];
}

export interface NetworkCandidates {
  /** Groups of the instances destroy terminates, and the one mcctl.json remembers. */
  instanceGroups: readonly string[];
  /** Groups of the database destroy deletes. */
  databaseGroups: readonly string[];
  /** What destroy deletes anyway: their use of a group does not keep it. */
  ownInstances: readonly string[];
  ownDatabases: readonly string[];
}

/**
 * The security groups that go: those mcctl created (tagged managed-by=mcctl) that nothing but what
 * destroy deletes uses, and the rules mcctl added that let them into other groups (revoked first, or EC2
 * refuses to delete a group another group's rule names). Groups are found from the instances and the
 * database, mcctl.json, and by mcctl's group names in the default VPC (a run that stopped after the
 * database was gone). Read-only.
 */
export async function planNetwork(
  aws: DestroyAws,
  candidates: NetworkCandidates,
  /** Every DB instance of the region, as the database's plan read them. */
  databases: readonly DBInstance[],
  lines: DestroyLine[],
): Promise<NetworkPlan> {
  const line = lineWriter(lines, "Network");
  const byName = await leftoverGroups(aws);
  const ids = [...new Set([...candidates.instanceGroups, ...candidates.databaseGroups, ...byName])];
  const plan: NetworkPlan = { rules: [], instanceGroups: [], databaseGroups: [] };
  if (ids.length === 0) return plan;
  const groups = await aws.ec2.securityGroups([{ Name: "group-id", Values: ids }]);
  for (const group of groups) {
    const id = group.GroupId ?? "";
    const name = `security group ${group.GroupName ?? id} (${id})`;
    if (!taggedByMcctl(group.Tags)) {
      line("keep", `${name}: ${NOT_OURS}`);
      continue;
    }
    const users = await usersOf(aws, id, candidates, databases);
    if (users.length > 0) {
      line("keep", `${name}: used by ${users.join(", ")}`);
      continue;
    }
    const { rules, foreign } = await rulesNaming(aws, id);
    if (foreign.length > 0) {
      line("keep", `${name}: ${foreign.join(", ")} let it in by a rule mcctl did not make`);
      continue;
    }
    for (const rule of rules) {
      plan.rules.push(rule);
      line(
        "delete",
        `revoke the rule of ${rule.groupId} that lets ${id} in (TCP ${rule.permission.FromPort})`,
      );
    }
    const forDatabase = candidates.databaseGroups.includes(id) || group.GroupName === DATABASE_SECURITY_GROUP;
    (forDatabase ? plan.databaseGroups : plan.instanceGroups).push(id);
    line("delete", `delete ${name}${forDatabase ? ", once the database is gone" : ""}`);
  }
  return plan;
}

/** mcctl's own groups in the default VPC, found by name and tag. */
async function leftoverGroups(aws: DestroyAws): Promise<string[]> {
  const vpc = await aws.ec2.defaultVpc();
  if (!vpc?.VpcId) return [];
  const groups = await aws.ec2.securityGroups([
    { Name: "vpc-id", Values: [vpc.VpcId] },
    { Name: "group-name", Values: [INSTANCE_SECURITY_GROUP, DATABASE_SECURITY_GROUP] },
    { Name: `tag:${MANAGED_BY.key}`, Values: [MANAGED_BY.value] },
  ]);
  return groups.flatMap((group) => (group.GroupId ? [group.GroupId] : []));
}

/** Instances and databases that destroy keeps and that use the group. */
async function usersOf(
  aws: DestroyAws,
  groupId: string,
  candidates: NetworkCandidates,
  databases: readonly DBInstance[],
): Promise<string[]> {
  const instances = await aws.ec2.findInstances([
    { Name: "instance.group-id", Values: [groupId] },
    { Name: "instance-state-name", Values: LIVE_INSTANCE_STATES },
  ]);
  const users = instances
    .flatMap((instance) => (instance.InstanceId ? [instance.InstanceId] : []))
    .filter((id) => !candidates.ownInstances.includes(id))
    .map((id) => `EC2 instance ${id}`);
  for (const database of databases) {
    const identifier = database.DBInstanceIdentifier ?? "";
    const uses = (database.VpcSecurityGroups ?? []).some((group) => group.VpcSecurityGroupId === groupId);
    if (uses && !candidates.ownDatabases.includes(identifier)) users.push(`database ${identifier}`);
  }
  return users;
}

/** Rules of other groups that name this one: mcctl's own (revoked), and the others (which keep it). */
async function rulesNaming(
  aws: DestroyAws,
  groupId: string,
): Promise<{ rules: RuleToRevoke[]; foreign: string[] }> {
  const referencing: SecurityGroup[] = await aws.ec2.securityGroups([
    { Name: "ip-permission.group-id", Values: [groupId] },
  ]);
  const rules: RuleToRevoke[] = [];
  const foreign: string[] = [];
  for (const group of referencing) {
    if (!group.GroupId || group.GroupId === groupId) continue;
    for (const permission of group.IpPermissions ?? []) {
      for (const pair of permission.UserIdGroupPairs ?? []) {
        if (pair.GroupId !== groupId) continue;
        if (pair.Description === RULE_DESCRIPTION) {
          rules.push({
            groupId: group.GroupId,
            permission: {
              IpProtocol: permission.IpProtocol,
              FromPort: permission.FromPort,
              ToPort: permission.ToPort,
              UserIdGroupPairs: [{ GroupId: groupId }],
            },
          });
        } else if (!foreign.includes(group.GroupId)) {
          foreign.push(group.GroupId);
        }
      }
    }
  }
  return { rules, foreign };
}

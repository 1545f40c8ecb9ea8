import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { ApplyIo, SetupAws } from "./types.js";

export const MYSQL_PORT = 3306;
export const RULE_DESCRIPTION = "Model Catalogue container instances (mcctl)";

/** A security group that exists (its id), or one the same setup run creates first. */
export type GroupRef = { id: string } | { planned: "database" | "instances" };

export interface AccessRule {
  into: GroupRef;
  from: GroupRef;
  port: number;
}

export function describeGroup(group: GroupRef): string {
  if ("id" in group) return group.id;
  return group.planned === "database" ? "the new database group" : "the new instances' group";
}

/** Adds the planned rules, once the groups they name exist; a rule that appeared meanwhile is fine. */
export async function addDatabaseAccess(
  io: ApplyIo,
  aws: SetupAws,
  rules: readonly AccessRule[],
  created: { database?: string | undefined; instances?: string | undefined },
): Promise<void> {
  const resolve = (group: GroupRef) => {
    const id = "id" in group ? group.id : created[group.planned];
    if (!id) throw new Error(`setup plan names ${describeGroup(group)}, which was not created`);
    return id;
  };
  for (const rule of rules) {
    const into = resolve(rule.into);
    const from = resolve(rule.from);
    const permission: IpPermission = {
      IpProtocol: "tcp",
      FromPort: rule.port,
      ToPort: rule.port,
      UserIdGroupPairs: [{ GroupId: from, Description: RULE_DESCRIPTION }],
    };
    // false: the same rule appeared since the plan looked (InvalidPermission.Duplicate).
    const added = await aws.ec2.authorizeIngress(into, permission);
    io.reporter.success(
      `MySQL (TCP ${rule.port}) into ${into} from ${from}: ${added ? "allowed" : "allowed already"}`,
    );
  }
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

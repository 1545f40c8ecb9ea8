import type { SecurityGroup } from "@aws-sdk/client-ec2";
import { allowsFrom, describeGroup, type GroupRef, MYSQL_PORT } from "../../domain/setup-resources.js";
import { McctlError } from "../../errors.js";
import type { ComputePlan } from "./compute.js";
import type { DatabaseChoice } from "./database.js";
import type { PlanLine, SetupAws } from "./types.js";

export interface AccessRule {
  into: GroupRef;
  from: GroupRef;
  port: number;
}

export interface AccessPlan {
  /** The rules apply adds; rules that exist already are only reported. */
  rules: AccessRule[];
  lines: PlanLine[];
}

const STEP = "Database access";

/**
 * Step 4: the database's security group must accept MySQL connections from each container-instance
 * security group — a group reference, never an address range. A rule that already allows it (in any
 * of the database's groups, e.g. "all traffic" from that group) is enough; otherwise one rule goes into
 * the database's first group. Groups apply creates are named by the plan, and get their rule then.
 */
export async function planDatabaseAccess(
  aws: SetupAws,
  database: DatabaseChoice,
  compute: ComputePlan,
): Promise<AccessPlan> {
  if (database.action === "external") return { rules: [], lines: [] };
  const port = (database.action === "use" ? database.endpoint?.port : undefined) ?? MYSQL_PORT;
  const sources: GroupRef[] =
    compute.securityGroupIds.length > 0
      ? compute.securityGroupIds.map((id) => ({ id }))
      : [{ planned: "instances" }];
  const targets: string[] =
    database.action === "use"
      ? database.securityGroupIds
      : database.securityGroupId
        ? [database.securityGroupId]
        : [];
  if (database.action === "use" && targets.length === 0) {
    throw new McctlError(`MySQL instance ${database.identifier} has no VPC security group`, {
      suggestion:
        "Give the instance a VPC security group (RDS console → Modify → Connectivity), then run `mcctl setup` again.",
    });
  }
  const into: GroupRef = targets[0] ? { id: targets[0] } : { planned: "database" };
  const groups: SecurityGroup[] =
    targets.length > 0 ? await aws.ec2.securityGroups([{ Name: "group-id", Values: targets }]) : [];
  for (const id of targets) {
    if (!groups.some((group) => group.GroupId === id)) {
      throw new McctlError(`security group ${id} of the MySQL instance was not found`, {
        suggestion: "Check --region, or give the instance an existing security group in the RDS console.",
      });
    }
  }

  const rules: AccessRule[] = [];
  const lines: PlanLine[] = [];
  for (const from of sources) {
    const existing = "id" in from ? groups.find((group) => allowsFrom(group, from.id, port)) : undefined;
    const rule = `MySQL (TCP ${port}) into ${existing?.GroupId ?? describeGroup(into)} from ${describeGroup(from)}`;
    if (existing) {
      lines.push({ step: STEP, state: "exists", detail: `${rule}: allowed already` });
      continue;
    }
    rules.push({ into, from, port });
    lines.push({ step: STEP, state: "create", detail: rule });
  }
  return { rules, lines };
}

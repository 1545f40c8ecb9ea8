import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import { McctlError } from "../../errors.js";
import type { DatabaseResult } from "./database.js";
import type { SetupAws, SetupIo } from "./types.js";

const STEP = "Database access";
const MYSQL_PORT = 3306;
const RULE_DESCRIPTION = "Model Catalogue container instances (mcctl)";

/**
 * Step 3: the database's security group accepts MySQL connections from each container-instance
 * security group — a group reference, never an address range. A rule that already allows it (in any
 * of the database's groups, e.g. "all traffic" from that group) is enough; otherwise one rule is
 * added to the database's first group (model-catalogue-db for an instance setup created). One plan
 * line per rule: what would be added (dry run), or what was added or found.
 */
export async function ensureDatabaseAccess(
  io: SetupIo,
  aws: SetupAws,
  database: DatabaseResult,
  instanceGroupIds: readonly string[],
): Promise<void> {
  const port = database.endpoint?.port ?? MYSQL_PORT;
  const sources = [...new Set(instanceGroupIds)];
  const target = database.securityGroupIds[0];
  if (target === undefined || sources.length === 0) {
    if (io.dryRun) {
      io.plan({
        step: STEP,
        state: "create",
        detail: `MySQL (TCP ${port}) into ${target ?? database.plannedSecurityGroup ?? `the security group of ${database.identifier}`} from ${sources.join(", ") || "the container instances' security group"}: would be added`,
      });
      return;
    }
    throw new McctlError(
      target === undefined
        ? `MySQL instance ${database.identifier} has no VPC security group`
        : "no container-instance security group to allow into the database",
      {
        suggestion:
          target === undefined
            ? "Give the instance a VPC security group (RDS console → Modify → Connectivity), then run `mcctl setup` again."
            : "Run `mcctl setup` again once the container instance exists.",
      },
    );
  }

  const groups = await aws.ec2.securityGroups([{ Name: "group-id", Values: database.securityGroupIds }]);
  for (const id of database.securityGroupIds) {
    if (!groups.some((group) => group.GroupId === id)) {
      throw new McctlError(`security group ${id} of MySQL instance ${database.identifier} was not found`, {
        suggestion: "Check --region, or give the instance an existing security group in the RDS console.",
      });
    }
  }

  for (const source of sources) {
    const existing = groups.find((group) => allowsFrom(group, source, port));
    const rule = `MySQL (TCP ${port}) into ${existing?.GroupId ?? target} from ${source}`;
    if (existing) {
      io.plan({ step: STEP, state: "exists", detail: `${rule}: allowed already` });
      continue;
    }
    if (io.dryRun) {
      io.plan({ step: STEP, state: "create", detail: `${rule}: would be added` });
      continue;
    }
    const permission: IpPermission = {
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: port,
      UserIdGroupPairs: [{ GroupId: source, Description: RULE_DESCRIPTION }],
    };
    // false: the same rule appeared since DescribeSecurityGroups (InvalidPermission.Duplicate).
    const added = await aws.ec2.authorizeIngress(target, permission);
    io.plan({
      step: STEP,
      state: added ? "create" : "exists",
      detail: `${rule}: ${added ? "added" : "allowed already"}`,
    });
  }
}

/** Whether an ingress rule of the group lets `source`'s members reach TCP `port`. */
function allowsFrom(group: SecurityGroup, source: string, port: number): boolean {
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

import type { IpPermission } from "@aws-sdk/client-ec2";
import { describeGroup, type GroupRef, RULE_DESCRIPTION } from "../../domain/setup-resources.js";
import type { AccessRule } from "../../plan/setup/database-access.js";
import type { SetupAws } from "../../plan/setup/types.js";
import type { ApplyIo } from "./types.js";

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

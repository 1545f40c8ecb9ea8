import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../aws/ec2.js";
import type { ServiceHost } from "../queries/service-hosts.js";

/**
 * Why ssh would not reach each host that cannot be reached: setup launches an instance without a key pair
 * unless asked for one, and then leaves port 22 closed. Port 22 counts as open when any rule of the
 * instance's security groups allows it inbound, from anywhere: whether your address is among the sources
 * is for ssh to find out.
 */
export async function sshWarningsFor(ec2: Ec2Api, hosts: readonly ServiceHost[]): Promise<string[]> {
  const groupIds = [...new Set(hosts.flatMap((host) => host.securityGroupIds))];
  const groups =
    groupIds.length > 0 ? await ec2.securityGroups([{ Name: "group-id", Values: groupIds }]) : [];
  const open = new Set(
    groups.filter(allowsSshInbound).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
  );
  return hosts.flatMap((host) => {
    const reasons = [
      ...(host.keyName ? [] : ["it was launched without a key pair"]),
      ...(host.securityGroupIds.some((id) => open.has(id))
        ? []
        : [`its security groups (${host.securityGroupIds.join(", ") || "none"}) allow no inbound port 22`]),
    ];
    if (reasons.length === 0) return [];
    return [
      `EC2 instance ${host.ec2InstanceId} cannot be reached over ssh: ${reasons.join(" and ")}, so its pull would fail. ` +
        "Run `mcctl upgrade --skip-pull` to restart only (the ECS agent pulls the images as the task starts).",
    ];
  });
}

/** Whether a security group lets TCP port 22 in from some source. */
export function allowsSshInbound(group: SecurityGroup): boolean {
  return (group.IpPermissions ?? []).some((permission) => {
    const hasSource =
      (permission.IpRanges?.length ?? 0) > 0 ||
      (permission.Ipv6Ranges?.length ?? 0) > 0 ||
      (permission.UserIdGroupPairs?.length ?? 0) > 0 ||
      (permission.PrefixListIds?.length ?? 0) > 0;
    if (!hasSource) return false;
    if (permission.IpProtocol === "-1") return true;
    if (permission.IpProtocol !== "tcp" && permission.IpProtocol !== "6") return false;
    return (permission.FromPort ?? 0) <= 22 && 22 <= (permission.ToPort ?? 65535);
  });
}

/** Where a DB instance of the simulated RDS sits in EC2's network (`network`: the EC2 simulator). */
import type { Subnet } from "@aws-sdk/client-ec2";
import { type DBSubnetGroup, DBSubnetGroupNotFoundFault } from "@aws-sdk/client-rds";
import type { RdsState } from "./rds-state.js";

/**
 * The DB subnet group a new instance goes in: "default" (the default) is the default VPC's subnets, others must
 * have been added (`RdsSimulator.addDBSubnetGroup`). Without EC2 networking, none.
 */
export function subnetGroupFor(state: RdsState, name: string | undefined): DBSubnetGroup | undefined {
  if (!state.network) return undefined;
  const key = (name ?? "default").toLowerCase();
  const subnets = state.network.subnets();
  let vpcId: string | undefined;
  let members: Subnet[];
  let description: string;
  const custom = state.subnetGroups.get(key);
  if (custom) {
    members = subnets.filter((subnet) => custom.subnetIds.includes(subnet.SubnetId ?? ""));
    vpcId = members[0]?.VpcId;
    description = custom.description;
  } else if (key === "default") {
    vpcId = state.network.vpcs().find((vpc) => vpc.IsDefault)?.VpcId;
    if (!vpcId) return undefined;
    members = subnets.filter((subnet) => subnet.VpcId === vpcId);
    description = "default";
  } else {
    throw state.modeled(
      DBSubnetGroupNotFoundFault,
      "DBSubnetGroupNotFoundFault",
      `DBSubnetGroup '${name}' not found.`,
      404,
    );
  }
  return {
    DBSubnetGroupName: key,
    DBSubnetGroupDescription: description,
    VpcId: vpcId,
    SubnetGroupStatus: "Complete",
    Subnets: members.map((subnet) => ({
      SubnetIdentifier: subnet.SubnetId,
      SubnetAvailabilityZone: { Name: subnet.AvailabilityZone },
      SubnetOutpost: {},
      SubnetStatus: "Active",
    })),
    SupportedNetworkTypes: ["IPV4"],
  };
}

/** The VPC security groups of a new instance: the given ones (which must exist in its VPC), else the VPC's default. */
export function securityGroupIdsFor(
  state: RdsState,
  requested: string[] | undefined,
  vpcId: string | undefined,
): string[] {
  if (!state.network) return [...(requested ?? [])];
  const groups = state.network.securityGroups();
  if (requested === undefined || requested.length === 0) {
    const fallback = groups.find((group) => group.VpcId === vpcId && group.GroupName === "default")?.GroupId;
    return fallback ? [fallback] : [];
  }
  for (const id of requested) {
    const group = groups.find((candidate) => candidate.GroupId === id);
    if (!group) throw state.invalidValue(`Invalid security group , groupId= ${id}, groupName=.`);
    if (vpcId !== undefined && group.VpcId !== vpcId) {
      throw state.combination(
        `The DB instance and EC2 security group are in different VPCs. The DB instance is in ${vpcId} and the EC2 security group is in ${group.VpcId}`,
      );
    }
  }
  return [...requested];
}

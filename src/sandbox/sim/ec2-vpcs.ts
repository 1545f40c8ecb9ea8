/** The VPCs and subnets of the simulated EC2: the default VPC a test adds, DescribeVpcs and DescribeSubnets. */
import type {
  DescribeSubnetsCommandInput,
  DescribeSubnetsResult,
  DescribeVpcsCommandInput,
  DescribeVpcsResult,
  Subnet,
  Vpc,
} from "@aws-sdk/client-ec2";
import { clone, compact } from "./core.js";
import { parseCidr, tagFilterValues, zoneIdFor } from "./ec2-model.js";
import { newRule, newSecurityGroup } from "./ec2-security-groups.js";
import type { Ec2State, SubnetRecord, VpcRecord } from "./ec2-state.js";

/** What `addDefaultVpc` created. */
export interface DefaultVpc {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

export class Ec2Vpcs {
  readonly #state: Ec2State;

  constructor(state: Ec2State) {
    this.#state = state;
  }

  /** The default VPC, a default subnet in each of `zones` Availability Zones and its "default" security group. */
  addDefaultVpc(options: { zones?: number } = {}): DefaultVpc {
    this.#state.sync();
    if (this.#state.vpcs.some((vpc) => vpc.isDefault))
      throw new Error("simulated EC2: there is a default VPC already");
    const vpc: VpcRecord = {
      vpcId: `vpc-${this.#state.ctx.ids.hex(17)}`,
      cidr: "172.31.0.0/16",
      isDefault: true,
      dhcpOptionsId: `dopt-${this.#state.ctx.ids.hex(17)}`,
      associationId: `vpc-cidr-assoc-${this.#state.ctx.ids.hex(17)}`,
      tags: [],
    };
    this.#state.vpcs.push(vpc);
    const zones = options.zones ?? 3;
    const subnetIds: string[] = [];
    for (let zoneIndex = 0; zoneIndex < zones; zoneIndex++) {
      const subnet: SubnetRecord = {
        subnetId: `subnet-${this.#state.ctx.ids.hex(17)}`,
        vpcId: vpc.vpcId,
        cidr: `172.31.${zoneIndex * 16}.0/20`,
        availabilityZone: `${this.#state.ctx.region}${String.fromCharCode(97 + zoneIndex)}`,
        zoneIndex,
        defaultForAz: true,
        mapPublicIpOnLaunch: true,
        nextHost: 10,
        tags: [],
      };
      this.#state.subnets.push(subnet);
      subnetIds.push(subnet.subnetId);
    }
    const group = newSecurityGroup(this.#state, "default", "default VPC security group", vpc.vpcId, []);
    group.ingress.push(
      newRule(this.#state, { protocol: "-1", groupId: group.groupId, userId: this.#state.ctx.accountId }),
    );
    return { vpcId: vpc.vpcId, subnetIds, securityGroupId: group.groupId };
  }

  /** Every VPC, as DescribeVpcs renders them. */
  vpcs(): Vpc[] {
    return this.#state.vpcs.map((vpc) => this.#renderVpc(vpc));
  }

  /** Every subnet, as DescribeSubnets renders them. */
  subnets(): Subnet[] {
    return this.#state.subnets.map((subnet) => this.#renderSubnet(subnet));
  }

  describeVpcs(input: DescribeVpcsCommandInput = {}): DescribeVpcsResult {
    this.#state.sync();
    this.#state.dryRun(input.DryRun);
    this.#state.checkMaxResults(input.MaxResults);
    let selected = this.#state.byIds(
      this.#state.vpcs,
      input.VpcIds,
      (vpc) => vpc.vpcId,
      "vpc",
      (id) => this.#state.error("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`),
    );
    selected = this.#state.filter(selected, input.Filters, "DescribeVpcs", (vpc, name) => {
      switch (name) {
        case "vpc-id":
          return [vpc.vpcId];
        case "isDefault":
        case "is-default":
          return [String(vpc.isDefault)];
        case "cidr":
        case "cidr-block-association.cidr-block":
          return [vpc.cidr];
        case "state":
          return ["available"];
        case "owner-id":
          return [this.#state.ctx.accountId];
        default:
          return tagFilterValues(vpc.tags, name);
      }
    });
    const { page, nextToken } = this.#state.page(selected, input);
    return compact({ Vpcs: page.map((vpc) => this.#renderVpc(vpc)), NextToken: nextToken });
  }

  describeSubnets(input: DescribeSubnetsCommandInput = {}): DescribeSubnetsResult {
    this.#state.sync();
    this.#state.dryRun(input.DryRun);
    this.#state.checkMaxResults(input.MaxResults);
    let selected = this.#state.byIds(
      this.#state.subnets,
      input.SubnetIds,
      (subnet) => subnet.subnetId,
      "subnet",
      (id) => this.#state.error("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`),
    );
    selected = this.#state.filter(selected, input.Filters, "DescribeSubnets", (subnet, name) => {
      switch (name) {
        case "subnet-id":
          return [subnet.subnetId];
        case "vpc-id":
          return [subnet.vpcId];
        case "default-for-az":
        case "defaultForAz":
          return [String(subnet.defaultForAz)];
        case "availability-zone":
        case "availabilityZone":
          return [subnet.availabilityZone];
        case "availability-zone-id":
          return [zoneIdFor(this.#state.ctx.region, subnet.zoneIndex)];
        case "cidr-block":
        case "cidr":
          return [subnet.cidr];
        case "map-public-ip-on-launch":
          return [String(subnet.mapPublicIpOnLaunch)];
        case "state":
          return ["available"];
        case "owner-id":
          return [this.#state.ctx.accountId];
        default:
          return tagFilterValues(subnet.tags, name);
      }
    });
    const { page, nextToken } = this.#state.page(selected, input);
    return compact({ Subnets: page.map((subnet) => this.#renderSubnet(subnet)), NextToken: nextToken });
  }

  #renderVpc(vpc: VpcRecord): Vpc {
    return {
      VpcId: vpc.vpcId,
      OwnerId: this.#state.ctx.accountId,
      InstanceTenancy: "default",
      CidrBlock: vpc.cidr,
      CidrBlockAssociationSet: [
        { AssociationId: vpc.associationId, CidrBlock: vpc.cidr, CidrBlockState: { State: "associated" } },
      ],
      IsDefault: vpc.isDefault,
      DhcpOptionsId: vpc.dhcpOptionsId,
      State: "available",
      Tags: vpc.tags.length > 0 ? clone(vpc.tags) : undefined,
    };
  }

  #renderSubnet(subnet: SubnetRecord): Subnet {
    const { prefix } = parseCidr(subnet.cidr);
    const used = this.#state.instances.filter(
      (record) => record.launch?.subnetId === subnet.subnetId && record.state !== "terminated",
    ).length;
    return compact({
      AvailabilityZoneId: zoneIdFor(this.#state.ctx.region, subnet.zoneIndex),
      MapCustomerOwnedIpOnLaunch: false,
      OwnerId: this.#state.ctx.accountId,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      SubnetArn: `arn:aws:ec2:${this.#state.ctx.region}:${this.#state.ctx.accountId}:subnet/${subnet.subnetId}`,
      EnableDns64: false,
      Ipv6Native: false,
      PrivateDnsNameOptionsOnLaunch: {
        HostnameType: "ip-name",
        EnableResourceNameDnsARecord: false,
        EnableResourceNameDnsAAAARecord: false,
      },
      SubnetId: subnet.subnetId,
      State: "available",
      VpcId: subnet.vpcId,
      CidrBlock: subnet.cidr,
      AvailableIpAddressCount: 2 ** (32 - prefix) - 5 - used,
      AvailabilityZone: subnet.availabilityZone,
      DefaultForAz: subnet.defaultForAz,
      MapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
      Tags: subnet.tags.length > 0 ? clone(subnet.tags) : undefined,
    } satisfies Subnet);
  }
}

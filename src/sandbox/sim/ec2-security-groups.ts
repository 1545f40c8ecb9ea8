/**
 * Security groups in the simulated EC2: DescribeSecurityGroups, CreateSecurityGroup and
 * AuthorizeSecurityGroupIngress (DeleteSecurityGroup and RevokeSecurityGroupIngress: ec2-teardown.ts), with
 * EC2's checks on names, VPCs, protocols, ports, peers and duplicate rules.
 */
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressResult,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupResult,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsResult,
  IpPermission,
  SecurityGroup,
  SecurityGroupRule,
  Tag,
} from "@aws-sdk/client-ec2";
import { clone, compact } from "./core.js";
import { normalizeProtocol, type RuleShape, sameRule, tagFilterValues, tagsFor } from "./ec2-model.js";
import type { Ec2State, RuleRecord, SecurityGroupRecord } from "./ec2-state.js";

export class Ec2SecurityGroups {
  readonly #state: Ec2State;

  constructor(state: Ec2State) {
    this.#state = state;
  }

  /** Every security group, as DescribeSecurityGroups renders them. */
  securityGroups(): SecurityGroup[] {
    return this.#state.groups.map((group) => this.#renderGroup(group));
  }

  /** One security group by id, or by name in the default VPC. */
  securityGroup(idOrName: string): SecurityGroup | undefined {
    const group =
      this.#state.groups.find((candidate) => candidate.groupId === idOrName) ??
      this.#state.defaultVpcGroup(idOrName);
    return group && this.#renderGroup(group);
  }

  describeSecurityGroups(input: DescribeSecurityGroupsCommandInput = {}): DescribeSecurityGroupsResult {
    this.#state.sync();
    this.#state.dryRun(input.DryRun);
    this.#state.checkMaxResults(input.MaxResults);
    let selected = this.#state.byIds(
      this.#state.groups,
      input.GroupIds,
      (group) => group.groupId,
      "sg",
      (id) => this.#state.error("InvalidGroup.NotFound", `The security group '${id}' does not exist`),
    );
    if (input.GroupNames && input.GroupNames.length > 0) {
      const defaultVpc = this.#state.defaultVpc();
      for (const name of input.GroupNames) {
        if (!this.#state.defaultVpcGroup(name)) {
          throw this.#state.error(
            "InvalidGroup.NotFound",
            defaultVpc
              ? `The security group '${name}' does not exist in default VPC '${defaultVpc.vpcId}'`
              : `The security group '${name}' does not exist`,
          );
        }
      }
      selected = selected.filter(
        (group) => group.vpcId === defaultVpc?.vpcId && input.GroupNames?.includes(group.name),
      );
    }
    selected = this.#state.filter(selected, input.Filters, "DescribeSecurityGroups", (group, name) => {
      switch (name) {
        case "group-id":
          return [group.groupId];
        case "group-name":
          return [group.name];
        case "vpc-id":
          return [group.vpcId];
        case "description":
          return [group.description];
        case "owner-id":
          return [this.#state.ctx.accountId];
        case "ip-permission.group-id":
          return group.ingress.map((rule) => rule.groupId);
        case "ip-permission.cidr":
          return group.ingress.map((rule) => rule.cidr);
        case "ip-permission.from-port":
          return group.ingress.map((rule) => rule.fromPort?.toString());
        case "ip-permission.to-port":
          return group.ingress.map((rule) => rule.toPort?.toString());
        case "ip-permission.protocol":
          return group.ingress.map((rule) => rule.protocol);
        default:
          return tagFilterValues(group.tags, name);
      }
    });
    const { page, nextToken } = this.#state.page(selected, input);
    return compact({ SecurityGroups: page.map((group) => this.#renderGroup(group)), NextToken: nextToken });
  }

  createSecurityGroup(input: CreateSecurityGroupCommandInput): CreateSecurityGroupResult {
    this.#state.sync();
    const name = input.GroupName ?? "";
    if (name === "default") {
      throw this.#state.error("InvalidParameterValue", "Cannot use reserved security group name: default");
    }
    if (name.startsWith("sg-")) {
      throw this.#state.error("InvalidParameterValue", "Group names may not be in the format sg-*.");
    }
    let vpcId = input.VpcId;
    if (vpcId === undefined) {
      vpcId = this.#state.defaultVpc()?.vpcId;
      if (vpcId === undefined) throw this.#state.error("VPCIdNotSpecified", "No default VPC for this user");
    } else if (!this.#state.vpcs.some((vpc) => vpc.vpcId === vpcId)) {
      throw this.#state.error("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
    }
    if (this.#state.groups.some((group) => group.vpcId === vpcId && group.name === name)) {
      throw this.#state.error(
        "InvalidGroup.Duplicate",
        `The security group '${name}' already exists for VPC '${vpcId}'`,
      );
    }
    this.#state.dryRun(input.DryRun);
    const group = newSecurityGroup(
      this.#state,
      name,
      input.Description ?? "",
      vpcId,
      tagsFor(input.TagSpecifications, "security-group"),
    );
    return compact({
      GroupId: group.groupId,
      Tags: group.tags.length > 0 ? clone(group.tags) : undefined,
      SecurityGroupArn: securityGroupArn(this.#state, group),
    });
  }

  authorizeSecurityGroupIngress(
    input: AuthorizeSecurityGroupIngressCommandInput,
  ): AuthorizeSecurityGroupIngressResult {
    this.#state.sync();
    const group =
      input.GroupId !== undefined
        ? this.#state.groups.find((candidate) => candidate.groupId === input.GroupId)
        : this.#state.defaultVpcGroup(input.GroupName ?? "");
    if (!group) {
      throw this.#state.error(
        "InvalidGroup.NotFound",
        `The security group '${input.GroupId ?? input.GroupName}' does not exist`,
      );
    }
    const permissions: IpPermission[] = [...(input.IpPermissions ?? [])];
    if (
      input.IpProtocol !== undefined ||
      input.CidrIp !== undefined ||
      input.SourceSecurityGroupName !== undefined
    ) {
      const source =
        input.SourceSecurityGroupName && this.#state.defaultVpcGroup(input.SourceSecurityGroupName);
      if (input.SourceSecurityGroupName && !source) {
        throw this.#state.error(
          "InvalidGroup.NotFound",
          `The security group '${input.SourceSecurityGroupName}' does not exist`,
        );
      }
      permissions.push({
        IpProtocol: input.IpProtocol ?? "-1",
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : undefined,
        UserIdGroupPairs: source ? [{ GroupId: source.groupId }] : undefined,
      });
    }
    const added: RuleRecord[] = [];
    for (const permission of permissions) {
      const protocol = normalizeProtocol(permission.IpProtocol);
      if (!protocol) {
        throw this.#state.error(
          "InvalidParameterValue",
          `Invalid value '${permission.IpProtocol}' for IP protocol. Unknown protocol.`,
        );
      }
      const ported = protocol === "tcp" || protocol === "udp";
      if (ported && (permission.FromPort === undefined || permission.ToPort === undefined)) {
        throw this.#state.error(
          "InvalidParameterValue",
          "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
        );
      }
      const ports = protocol === "-1" ? {} : { fromPort: permission.FromPort, toPort: permission.ToPort };
      const peers: Array<Omit<RuleRecord, "ruleId" | "protocol" | "fromPort" | "toPort">> = [];
      for (const range of permission.IpRanges ?? [])
        peers.push({ cidr: range.CidrIp, description: range.Description });
      for (const pair of permission.UserIdGroupPairs ?? []) {
        const peer =
          pair.GroupId !== undefined
            ? this.#state.groups.find((candidate) => candidate.groupId === pair.GroupId)
            : this.#state.defaultVpcGroup(pair.GroupName ?? "");
        if (!peer) {
          throw this.#state.error(
            "InvalidGroup.NotFound",
            `The security group '${pair.GroupId ?? pair.GroupName}' does not exist`,
          );
        }
        peers.push({
          groupId: peer.groupId,
          userId: pair.UserId ?? this.#state.ctx.accountId,
          description: pair.Description,
        });
      }
      if (peers.length === 0) {
        throw this.#state.error(
          "InvalidParameterValue",
          "The request must contain exactly one of: CIDR block, prefix list ID, or security group ID",
        );
      }
      for (const peer of peers) {
        const candidate = { protocol, fromPort: ports.fromPort, toPort: ports.toPort, ...peer };
        if ([...group.ingress, ...added].some((rule) => sameRule(rule, candidate))) {
          throw this.#state.error(
            "InvalidPermission.Duplicate",
            `the specified rule "${describeRule(candidate)}" already exists`,
          );
        }
        added.push(newRule(this.#state, candidate));
      }
    }
    this.#state.dryRun(input.DryRun);
    group.ingress.push(...added);
    return {
      Return: true,
      SecurityGroupRules: added.map((rule) => this.#renderRule(group, rule, false)),
    };
  }

  #renderGroup(group: SecurityGroupRecord): SecurityGroup {
    return compact({
      GroupId: group.groupId,
      GroupName: group.name,
      Description: group.description,
      VpcId: group.vpcId,
      OwnerId: this.#state.ctx.accountId,
      SecurityGroupArn: securityGroupArn(this.#state, group),
      IpPermissions: permissionsOf(group.ingress),
      IpPermissionsEgress: permissionsOf(group.egress),
      Tags: group.tags.length > 0 ? clone(group.tags) : undefined,
    } satisfies SecurityGroup);
  }

  #renderRule(group: SecurityGroupRecord, rule: RuleRecord, isEgress: boolean): SecurityGroupRule {
    return compact({
      SecurityGroupRuleId: rule.ruleId,
      GroupId: group.groupId,
      GroupOwnerId: this.#state.ctx.accountId,
      IsEgress: isEgress,
      IpProtocol: rule.protocol,
      FromPort: rule.protocol === "-1" ? -1 : rule.fromPort,
      ToPort: rule.protocol === "-1" ? -1 : rule.toPort,
      CidrIpv4: rule.cidr,
      ReferencedGroupInfo: rule.groupId ? { GroupId: rule.groupId, UserId: rule.userId } : undefined,
      Description: rule.description,
      SecurityGroupRuleArn: `arn:aws:ec2:${this.#state.ctx.region}:${this.#state.ctx.accountId}:security-group-rule/${rule.ruleId}`,
    } satisfies SecurityGroupRule);
  }
}

/** A new security group in the VPC, allowing all traffic out (as EC2 creates one). */
export function newSecurityGroup(
  state: Ec2State,
  name: string,
  description: string,
  vpcId: string,
  tags: Tag[],
): SecurityGroupRecord {
  const group: SecurityGroupRecord = {
    groupId: `sg-${state.ctx.ids.hex(17)}`,
    name,
    description,
    vpcId,
    ingress: [],
    egress: [],
    tags,
  };
  group.egress.push(newRule(state, { protocol: "-1", cidr: "0.0.0.0/0" }));
  state.groups.push(group);
  return group;
}

/** A rule with its new `sgr-` id. */
export function newRule(
  state: Ec2State,
  rule: Omit<RuleRecord, "ruleId" | "fromPort" | "toPort"> & Partial<RuleRecord>,
): RuleRecord {
  return { fromPort: undefined, toPort: undefined, ...rule, ruleId: `sgr-${state.ctx.ids.hex(17)}` };
}

function securityGroupArn(state: Ec2State, group: SecurityGroupRecord): string {
  return `arn:aws:ec2:${state.ctx.region}:${state.ctx.accountId}:security-group/${group.groupId}`;
}

/** EC2's wording of a rule in `InvalidPermission.Duplicate`: `peer: sg-…, TCP, from port: 3306, to port: 3306, ALLOW`. */
function describeRule(rule: RuleShape): string {
  const peer = rule.groupId ?? rule.cidr ?? "";
  if (rule.protocol === "-1") return `peer: ${peer}, ALL, ALLOW`;
  return `peer: ${peer}, ${rule.protocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW`;
}

/** Rules grouped into IpPermissions the way DescribeSecurityGroups answers them. */
function permissionsOf(rules: readonly RuleRecord[]): IpPermission[] {
  const permissions = new Map<string, IpPermission>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort}|${rule.toPort}`;
    const permission = permissions.get(key) ?? {
      IpProtocol: rule.protocol,
      FromPort: rule.protocol === "-1" ? undefined : rule.fromPort,
      ToPort: rule.protocol === "-1" ? undefined : rule.toPort,
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    };
    if (rule.cidr) permission.IpRanges?.push(compact({ CidrIp: rule.cidr, Description: rule.description }));
    if (rule.groupId) {
      permission.UserIdGroupPairs?.push(
        compact({ GroupId: rule.groupId, UserId: rule.userId, Description: rule.description }),
      );
    }
    permissions.set(key, permission);
  }
  return [...permissions.values()];
}

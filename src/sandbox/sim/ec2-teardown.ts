/**
 * What `mcctl destroy` asks of the simulated EC2: TerminateInstances, DeleteSecurityGroup and
 * RevokeSecurityGroupIngress. `Ec2Simulator` (ec2.ts) owns one `Ec2Teardown` and answers those operations
 * through it, handing it its records and helpers (`Ec2TeardownHost`).
 *
 * A terminated instance is `shutting-down` at once and `terminated` `timings.terminateMs` later; ECS learns
 * both (its agent disconnects, then ECS deregisters the container instance and its tasks stop). It stays visible
 * to DescribeInstances for an hour. A security group cannot be deleted while an instance that is not terminated,
 * a DB instance (or anything else registered with `addSecurityGroupUser`) or another group's rule uses it.
 */
import type {
  DeleteSecurityGroupCommandInput,
  DeleteSecurityGroupResult,
  InstanceStateChange,
  IpPermission,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupIngressCommandInput,
  RevokeSecurityGroupIngressResult,
  TerminateInstancesCommandInput,
  TerminateInstancesResult,
} from "@aws-sdk/client-ec2";
import { compact, type SimContext } from "./core.js";
import { instanceStateCodes, normalizeProtocol, type RuleShape, sameRule } from "./ec2-model.js";
import type { Ec2InstanceRecord, Ec2Timings, RuleRecord, SecurityGroupRecord } from "./ec2-state.js";

/** What `Ec2Teardown` needs of the simulator that owns it. */
export interface Ec2TeardownHost {
  readonly ctx: SimContext;
  /** The live records (terminated ones included until purged). */
  readonly instances: Ec2InstanceRecord[];
  readonly groups: SecurityGroupRecord[];
  timings(): Readonly<Ec2Timings>;
  /** Runs what is due. */
  sync(): void;
  error(code: string, message: string, httpStatusCode?: number): Error;
  dryRun(dryRun: boolean | undefined): void;
  defaultVpcId(): string | undefined;
  /** Forgets a terminated instance after an hour. */
  schedulePurge(record: Ec2InstanceRecord): void;
  /** Tells ECS about the instance's new state. */
  instanceChanged(record: Ec2InstanceRecord): void;
  /** Group ids in use outside EC2 (DB instances…). */
  groupUsers(): Iterable<string>;
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export class Ec2Teardown {
  readonly #host: Ec2TeardownHost;

  constructor(host: Ec2TeardownHost) {
    this.#host = host;
  }

  /**
   * Every listed instance (all must exist; ids are checked as DescribeInstances checks them) goes
   * `shutting-down` now and `terminated` `terminateMs` later. Terminating one that is shutting down or
   * terminated already changes nothing and succeeds.
   */
  terminateInstances(input: TerminateInstancesCommandInput): TerminateInstancesResult {
    const host = this.#host;
    host.sync();
    const ids = [...new Set(input.InstanceIds ?? [])];
    if (ids.length === 0) {
      throw host.error("MissingParameter", "The request must contain the parameter InstanceId");
    }
    const malformed = ids.find((id) => !INSTANCE_ID.test(id));
    if (malformed !== undefined)
      throw host.error("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`);
    const missing = ids.filter((id) => !this.#find(id));
    if (missing.length === 1) {
      throw host.error("InvalidInstanceID.NotFound", `The instance ID '${missing[0]}' does not exist`);
    }
    if (missing.length > 1) {
      throw host.error("InvalidInstanceID.NotFound", `The instance IDs '${missing.join(", ")}' do not exist`);
    }
    host.dryRun(input.DryRun);
    const changes: InstanceStateChange[] = [];
    for (const id of ids) {
      const record = this.#find(id) as Ec2InstanceRecord;
      const previous = record.state;
      if (previous !== "shutting-down" && previous !== "terminated") this.#shutDown(record);
      changes.push({
        InstanceId: id,
        CurrentState: { Code: instanceStateCodes[record.state], Name: record.state },
        PreviousState: { Code: instanceStateCodes[previous], Name: previous },
      });
    }
    return { TerminatingInstances: changes };
  }

  /**
   * Deletes a security group by id (or by name in the default VPC). EC2 refuses the default group
   * (`CannotDelete`) and a group something depends on (`DependencyViolation`): an instance that is not
   * terminated, a DB instance, or another group's rule naming it.
   */
  deleteSecurityGroup(input: DeleteSecurityGroupCommandInput): DeleteSecurityGroupResult {
    const host = this.#host;
    host.sync();
    const group = this.#group(input.GroupId, input.GroupName, true);
    if (group.name === "default") {
      throw host.error(
        "CannotDelete",
        `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
      );
    }
    if (this.#inUse(group)) {
      throw host.error("DependencyViolation", `resource ${group.groupId} has a dependent object`);
    }
    host.dryRun(input.DryRun);
    host.groups.splice(host.groups.indexOf(group), 1);
    return { Return: true, GroupId: group.groupId };
  }

  /**
   * Removes the ingress rules that match (protocol, ports, CIDR or source group; descriptions do not count)
   * or the rules named by `SecurityGroupRuleIds`. Rules that do not exist come back in `UnknownIpPermissions`
   * for a group of the default VPC; in another VPC the call fails with `InvalidPermission.NotFound` and revokes
   * nothing, as the API reference says.
   */
  revokeSecurityGroupIngress(
    input: RevokeSecurityGroupIngressCommandInput,
  ): RevokeSecurityGroupIngressResult {
    const host = this.#host;
    host.sync();
    const group = this.#group(input.GroupId, input.GroupName, false);
    const revoked = new Set<RuleRecord>();
    for (const ruleId of input.SecurityGroupRuleIds ?? []) {
      const rule = group.ingress.find((candidate) => candidate.ruleId === ruleId);
      if (!rule) {
        throw host.error(
          "InvalidSecurityGroupRuleId.NotFound",
          `The security group rule ID '${ruleId}' does not exist`,
        );
      }
      revoked.add(rule);
    }
    const unknown: IpPermission[] = [];
    for (const { shape, permission } of this.#requestedRules(input)) {
      const rule = group.ingress.find((candidate) => sameRule(candidate, shape));
      if (rule) revoked.add(rule);
      else unknown.push(permission);
    }
    if (unknown.length > 0 && group.vpcId !== host.defaultVpcId()) {
      throw host.error(
        "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.",
      );
    }
    host.dryRun(input.DryRun);
    group.ingress = group.ingress.filter((rule) => !revoked.has(rule));
    return compact({
      Return: true,
      UnknownIpPermissions: unknown.length > 0 ? unknown : undefined,
      RevokedSecurityGroupRules:
        revoked.size > 0 ? [...revoked].map((rule) => this.#renderRevoked(group, rule)) : undefined,
    });
  }

  // ===============================================================================================
  // Internals

  #find(instanceId: string): Ec2InstanceRecord | undefined {
    return this.#host.instances.find((record) => record.instanceId === instanceId);
  }

  #shutDown(record: Ec2InstanceRecord): void {
    const host = this.#host;
    record.generation += 1;
    const generation = record.generation;
    record.state = "shutting-down";
    host.instanceChanged(record);
    host.ctx.clock.after(host.timings().terminateMs, `EC2 ${record.instanceId} terminated`, () => {
      if (record.generation !== generation || record.state !== "shutting-down") return;
      record.state = "terminated";
      host.schedulePurge(record);
      host.instanceChanged(record);
    });
  }

  /** A group by id, or by name in the default VPC; EC2's errors for a bad id or one it does not know. */
  #group(groupId: string | undefined, groupName: string | undefined, checkId: boolean): SecurityGroupRecord {
    const host = this.#host;
    if (groupId !== undefined) {
      if (checkId && !GROUP_ID.test(groupId)) {
        throw host.error("InvalidGroupId.Malformed", `Invalid id: "${groupId}" (expecting "sg-...")`);
      }
      const group = host.groups.find((candidate) => candidate.groupId === groupId);
      if (!group) throw host.error("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
      return group;
    }
    if (groupName === undefined) {
      throw host.error("MissingParameter", "The request must contain the parameter groupName or groupId");
    }
    const vpcId = host.defaultVpcId();
    const group = host.groups.find((candidate) => candidate.vpcId === vpcId && candidate.name === groupName);
    if (!group) {
      throw host.error(
        "InvalidGroup.NotFound",
        vpcId
          ? `The security group '${groupName}' does not exist in default VPC '${vpcId}'`
          : `The security group '${groupName}' does not exist`,
      );
    }
    return group;
  }

  /** Whether anything but the group itself depends on it. */
  #inUse(group: SecurityGroupRecord): boolean {
    const id = group.groupId;
    const instance = this.#host.instances.some(
      (record) => record.state !== "terminated" && (record.launch?.securityGroupIds ?? []).includes(id),
    );
    if (instance) return true;
    if ([...this.#host.groupUsers()].includes(id)) return true;
    return this.#host.groups.some(
      (other) => other !== group && [...other.ingress, ...other.egress].some((rule) => rule.groupId === id),
    );
  }

  /** The rules a revoke request names, one per peer, each with the permission to report it by if unknown. */
  #requestedRules(
    input: RevokeSecurityGroupIngressCommandInput,
  ): Array<{ shape: RuleShape; permission: IpPermission }> {
    const host = this.#host;
    const permissions: IpPermission[] = [...(input.IpPermissions ?? [])];
    if (
      input.IpProtocol !== undefined ||
      input.CidrIp !== undefined ||
      input.SourceSecurityGroupName !== undefined
    ) {
      permissions.push({
        IpProtocol: input.IpProtocol ?? "-1",
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : undefined,
        UserIdGroupPairs: input.SourceSecurityGroupName
          ? [{ GroupName: input.SourceSecurityGroupName }]
          : undefined,
      });
    }
    const rules: Array<{ shape: RuleShape; permission: IpPermission }> = [];
    for (const permission of permissions) {
      const protocol = normalizeProtocol(permission.IpProtocol);
      if (!protocol) {
        throw host.error(
          "InvalidParameterValue",
          `Invalid value '${permission.IpProtocol}' for IP protocol. Unknown protocol.`,
        );
      }
      const ported = protocol === "tcp" || protocol === "udp";
      if (ported && (permission.FromPort === undefined || permission.ToPort === undefined)) {
        throw host.error(
          "InvalidParameterValue",
          "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
        );
      }
      const ports =
        protocol === "-1"
          ? { fromPort: undefined, toPort: undefined }
          : { fromPort: permission.FromPort, toPort: permission.ToPort };
      const base = {
        IpProtocol: protocol,
        FromPort: protocol === "-1" ? undefined : permission.FromPort,
        ToPort: protocol === "-1" ? undefined : permission.ToPort,
      };
      for (const range of permission.IpRanges ?? []) {
        rules.push({
          shape: { protocol, ...ports, cidr: range.CidrIp },
          permission: compact({ ...base, IpRanges: [{ CidrIp: range.CidrIp }] }),
        });
      }
      for (const pair of permission.UserIdGroupPairs ?? []) {
        const peer =
          pair.GroupId !== undefined
            ? host.groups.find((candidate) => candidate.groupId === pair.GroupId)
            : host.groups.find(
                (candidate) => candidate.vpcId === host.defaultVpcId() && candidate.name === pair.GroupName,
              );
        if (!peer) {
          throw host.error(
            "InvalidGroup.NotFound",
            `The security group '${pair.GroupId ?? pair.GroupName}' does not exist`,
          );
        }
        rules.push({
          shape: { protocol, ...ports, groupId: peer.groupId },
          permission: compact({
            ...base,
            UserIdGroupPairs: [{ GroupId: peer.groupId, UserId: pair.UserId ?? host.ctx.accountId }],
          }),
        });
      }
    }
    return rules;
  }

  #renderRevoked(group: SecurityGroupRecord, rule: RuleRecord): RevokedSecurityGroupRule {
    return compact({
      SecurityGroupRuleId: rule.ruleId,
      GroupId: group.groupId,
      IsEgress: false,
      IpProtocol: rule.protocol,
      FromPort: rule.protocol === "-1" ? -1 : rule.fromPort,
      ToPort: rule.protocol === "-1" ? -1 : rule.toPort,
      CidrIpv4: rule.cidr,
      ReferencedGroupId: rule.groupId,
      Description: rule.description,
    } satisfies RevokedSecurityGroupRule);
  }
}

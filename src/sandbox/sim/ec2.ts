/**
 * Simulated Amazon EC2: what mcctl needs to find where its tasks run (container instance → EC2 instance →
 * public DNS name or private IP) and what `mcctl setup` needs to build an account: the default VPC with its
 * subnets and default security group, security groups and their ingress rules, key pairs, the public
 * ECS-optimized images, and launching instances.
 *
 * Instances come about two ways: added by tests (`addInstance`, running at once, never registering anywhere)
 * or launched through `RunInstances` (pending → running after `timings.pendingMs`). A launched instance whose
 * instance profile (in the IAM simulator) carries a role and whose user data names an ACTIVE cluster with
 * `ECS_CLUSTER=<name>` (or, without it, a cluster "default") registers as an ECS container instance
 * `timings.ecsRegistrationMs` after it is running, with its instance type's resources. Until it can, the
 * agent retries every `timings.ecsRegistrationRetryMs`, as ecs-init restarts a failing agent.
 *
 * Each API method takes the SDK input type and returns the SDK response type (without `$metadata`).
 *
 * `Ec2Simulator` is what the rest of the simulated AWS and the tests see. Parts sharing one `Ec2State`
 * (ec2-state.ts) do the work: instances (ec2-instances.ts, launching: ec2-launch.ts, their ECS agent:
 * ec2-ecs-agent.ts), VPCs and subnets (ec2-vpcs.ts), security groups (ec2-security-groups.ts), key pairs
 * (ec2-key-pairs.ts), images (ec2-images.ts), instance types (ec2-instance-types.ts) and teardown
 * (ec2-teardown.ts).
 */
import type * as Ec2 from "@aws-sdk/client-ec2";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { createSimContext, type SimContext } from "./core.js";
import { syncContainerInstance } from "./ec2-ecs-agent.js";
import { Ec2Images } from "./ec2-images.js";
import { describeInstanceTypeOfferings, describeInstanceTypes } from "./ec2-instance-types.js";
import { type AddInstanceOptions, Ec2Instances } from "./ec2-instances.js";
import { Ec2KeyPairs } from "./ec2-key-pairs.js";
import type { Ec2ImageSpec } from "./ec2-model.js";
import { Ec2SecurityGroups } from "./ec2-security-groups.js";
import {
  type Ec2InstanceState,
  type Ec2SimulatorOptions,
  Ec2State,
  type Ec2Timings,
  type SecurityGroupUser,
} from "./ec2-state.js";
import { Ec2Teardown } from "./ec2-teardown.js";
import { type DefaultVpc, Ec2Vpcs } from "./ec2-vpcs.js";
import {
  accessDeniedMessage,
  denialOf,
  type FaultedCall,
  type FaultKind,
  type ServiceErrorProfile,
  throttlingError,
} from "./errors.js";

export type { AddInstanceOptions } from "./ec2-instances.js";
export { type Ec2ImageSpec, type Ec2InstanceTypeInfo, ec2InstanceTypes } from "./ec2-model.js";
export {
  defaultEc2Timings,
  type Ec2InstanceState,
  type Ec2SimulatorOptions,
  type Ec2Timings,
  type SecurityGroupUser,
  TERMINATED_RETENTION_MS,
} from "./ec2-state.js";
export type { DefaultVpc } from "./ec2-vpcs.js";

export class Ec2Simulator {
  /** How the fault injector builds EC2 errors (EC2 has its own codes for throttling and access denied). */
  readonly errorProfile: ServiceErrorProfile;

  readonly #state: Ec2State;
  readonly #instances: Ec2Instances;
  readonly #vpcs: Ec2Vpcs;
  readonly #securityGroups: Ec2SecurityGroups;
  readonly #keyPairs: Ec2KeyPairs;
  readonly #images: Ec2Images;
  /** TerminateInstances, DeleteSecurityGroup, RevokeSecurityGroupIngress (ec2-teardown.ts). */
  readonly #teardown: Ec2Teardown;

  constructor(context: SimContext = createSimContext(), options: Ec2SimulatorOptions = {}) {
    const state = new Ec2State(context, options);
    this.#state = state;
    if (options.offeredInstanceTypes) this.setOfferedInstanceTypes(options.offeredInstanceTypes);
    this.#instances = new Ec2Instances(state);
    this.#vpcs = new Ec2Vpcs(state);
    this.#securityGroups = new Ec2SecurityGroups(state);
    this.#keyPairs = new Ec2KeyPairs(state);
    this.#images = new Ec2Images(state);
    this.#teardown = new Ec2Teardown({
      ctx: context,
      instances: state.instances,
      groups: state.groups,
      timings: () => state.timings,
      sync: () => state.sync(),
      error: (code, message, httpStatusCode) => state.error(code, message, httpStatusCode),
      dryRun: (dryRun) => state.dryRun(dryRun),
      defaultVpcId: () => state.defaultVpc()?.vpcId,
      schedulePurge: (record) => this.#instances.schedulePurge(record),
      instanceChanged: (record) => syncContainerInstance(state, record),
      groupUsers: () => state.groupUsers.flatMap((user) => [...user()]),
    });
    this.errorProfile = {
      service: "EC2",
      iamPrefix: "ec2",
      BaseException: EC2ServiceException,
      resourceArn: () => "*",
      faultError: (kind, call, faultContext) => this.#faultError(kind, call, faultContext.principalArn),
    };
  }

  // ===============================================================================================
  // Test setup and inspection

  get timings(): Readonly<Ec2Timings> {
    return this.#state.timings;
  }

  /** Changes the timings for what is scheduled from now on. */
  setTimings(timings: Partial<Ec2Timings>): void {
    this.#state.timings = { ...this.#state.timings, ...timings };
  }

  /**
   * The instance types this region offers: `DescribeInstanceTypeOfferings` lists them (known types only) and
   * `RunInstances` fails the others with `Unsupported`.
   */
  setOfferedInstanceTypes(offered: readonly string[] | ((instanceType: string) => boolean)): void {
    this.#state.offered =
      typeof offered === "function" ? offered : (instanceType) => offered.includes(instanceType);
  }

  /**
   * Creates the default VPC (172.31.0.0/16) with a default subnet (public addresses on launch) in each of
   * `zones` Availability Zones and its "default" security group (all traffic from itself, all traffic out).
   */
  addDefaultVpc(options: { zones?: number } = {}): DefaultVpc {
    return this.#vpcs.addDefaultVpc(options);
  }

  /** Adds a key pair (as if imported); returns it as DescribeKeyPairs renders it. */
  addKeyPair(name: string, options: { keyType?: "rsa" | "ed25519"; tags?: Ec2.Tag[] } = {}): Ec2.KeyPairInfo {
    return this.#keyPairs.addKeyPair(name, options);
  }

  /** Adds an image to what DescribeImages lists (e.g. a newer release, or one still `pending`). */
  addImage(spec: Ec2ImageSpec): Ec2.Image {
    return this.#images.addImage(spec);
  }

  /** Adds an instance (in its own reservation) without going through the API; returns it as EC2 describes it. */
  addInstance(options: AddInstanceOptions = {}): Ec2.Instance {
    return this.#instances.addInstance(options);
  }

  /**
   * Moves an instance to another state at once (e.g. `stopped`: its public address disappears; `terminated`:
   * it stays visible for an hour, then DescribeInstances no longer knows it). Scheduled transitions of the
   * instance are dropped; a launched instance moved to `running` goes on to register in ECS. A registered
   * container instance follows: stopped → agent disconnected, running → connected, terminated → INACTIVE.
   */
  setInstanceState(instanceId: string, state: Ec2InstanceState): Ec2.Instance {
    return this.#instances.setInstanceState(instanceId, state);
  }

  /**
   * Registers something outside EC2 that uses security groups (the simulated AWS registers RDS's DB instances):
   * DeleteSecurityGroup fails with DependencyViolation for any group id it returns.
   */
  addSecurityGroupUser(user: SecurityGroupUser): void {
    this.#state.groupUsers.push(user);
  }

  /** Every instance still visible, as DescribeInstances renders it, in the order they were added. */
  instances(): Ec2.Instance[] {
    return this.#instances.instances();
  }

  /** One instance as DescribeInstances renders it, or undefined. */
  instance(instanceId: string): Ec2.Instance | undefined {
    return this.#instances.instance(instanceId);
  }

  /** The user data a launched instance was given, decoded; undefined when it has none. */
  userDataOf(instanceId: string): string | undefined {
    return this.#instances.userDataOf(instanceId);
  }

  /** Every VPC, as DescribeVpcs renders them. */
  vpcs(): Ec2.Vpc[] {
    return this.#vpcs.vpcs();
  }

  /** Every subnet, as DescribeSubnets renders them. */
  subnets(): Ec2.Subnet[] {
    return this.#vpcs.subnets();
  }

  /** Every security group, as DescribeSecurityGroups renders them. */
  securityGroups(): Ec2.SecurityGroup[] {
    return this.#securityGroups.securityGroups();
  }

  /** One security group by id, or by name in the default VPC. */
  securityGroup(idOrName: string): Ec2.SecurityGroup | undefined {
    return this.#securityGroups.securityGroup(idOrName);
  }

  // ===============================================================================================
  // API: instances (ec2-instances.ts, ec2-teardown.ts)

  describeInstances(input: Ec2.DescribeInstancesCommandInput): Ec2.DescribeInstancesResult {
    return this.#instances.describeInstances(input);
  }

  runInstances(input: Ec2.RunInstancesCommandInput): Ec2.Reservation {
    return this.#instances.runInstances(input);
  }

  /** Shutting down now, terminated `timings.terminateMs` later (see ec2-teardown.ts). */
  terminateInstances(input: Ec2.TerminateInstancesCommandInput): Ec2.TerminateInstancesResult {
    return this.#teardown.terminateInstances(input);
  }

  // ===============================================================================================
  // API: network (ec2-vpcs.ts, ec2-security-groups.ts, ec2-teardown.ts)

  describeVpcs(input: Ec2.DescribeVpcsCommandInput = {}): Ec2.DescribeVpcsResult {
    return this.#vpcs.describeVpcs(input);
  }

  describeSubnets(input: Ec2.DescribeSubnetsCommandInput = {}): Ec2.DescribeSubnetsResult {
    return this.#vpcs.describeSubnets(input);
  }

  describeSecurityGroups(
    input: Ec2.DescribeSecurityGroupsCommandInput = {},
  ): Ec2.DescribeSecurityGroupsResult {
    return this.#securityGroups.describeSecurityGroups(input);
  }

  createSecurityGroup(input: Ec2.CreateSecurityGroupCommandInput): Ec2.CreateSecurityGroupResult {
    return this.#securityGroups.createSecurityGroup(input);
  }

  authorizeSecurityGroupIngress(
    input: Ec2.AuthorizeSecurityGroupIngressCommandInput,
  ): Ec2.AuthorizeSecurityGroupIngressResult {
    return this.#securityGroups.authorizeSecurityGroupIngress(input);
  }

  /** Refused for the default group and while anything depends on the group (see ec2-teardown.ts). */
  deleteSecurityGroup(input: Ec2.DeleteSecurityGroupCommandInput): Ec2.DeleteSecurityGroupResult {
    return this.#teardown.deleteSecurityGroup(input);
  }

  /** Unknown rules come back in UnknownIpPermissions (default VPC), see ec2-teardown.ts. */
  revokeSecurityGroupIngress(
    input: Ec2.RevokeSecurityGroupIngressCommandInput,
  ): Ec2.RevokeSecurityGroupIngressResult {
    return this.#teardown.revokeSecurityGroupIngress(input);
  }

  // ===============================================================================================
  // API: instance types, key pairs, images (ec2-instance-types.ts, ec2-key-pairs.ts, ec2-images.ts)

  /** The known instance types the region offers, by Region or per Availability Zone (ec2-instance-types.ts). */
  describeInstanceTypeOfferings(
    input: Ec2.DescribeInstanceTypeOfferingsCommandInput = {},
  ): Ec2.DescribeInstanceTypeOfferingsResult {
    this.#state.sync();
    return describeInstanceTypeOfferings(input, this.#state);
  }

  describeInstanceTypes(input: Ec2.DescribeInstanceTypesCommandInput = {}): Ec2.DescribeInstanceTypesResult {
    this.#state.sync();
    return describeInstanceTypes(input, {
      offered: (instanceType) => this.#state.offered(instanceType),
      error: (code, message) => this.#state.error(code, message),
      dryRun: (dryRun) => this.#state.dryRun(dryRun),
    });
  }

  describeKeyPairs(input: Ec2.DescribeKeyPairsCommandInput = {}): Ec2.DescribeKeyPairsResult {
    return this.#keyPairs.describeKeyPairs(input);
  }

  describeImages(input: Ec2.DescribeImagesCommandInput = {}): Ec2.DescribeImagesResult {
    return this.#images.describeImages(input);
  }

  #faultError(kind: FaultKind, call: FaultedCall, principalArn: string): Error | undefined {
    switch (kind) {
      case "throttling": {
        const error = throttlingError(EC2ServiceException, this.#state.ctx.ids, "Request limit exceeded.");
        return Object.assign(error, {
          name: "RequestLimitExceeded",
          Code: "RequestLimitExceeded",
          Error: { Code: "RequestLimitExceeded", Message: "Request limit exceeded." },
        });
      }
      case "server":
        return this.#state.error("InternalError", "An internal error has occurred", 500);
      case "unavailable":
        return this.#state.error(
          "Unavailable",
          "The server is overloaded and can't handle the request.",
          503,
        );
      case "access-denied": {
        // EC2 names the resource only for actions with resource-level permissions, and then adds an encoded
        // message (decodable with sts:DecodeAuthorizationMessage; here an opaque token).
        const denial = denialOf(this.errorProfile, call);
        const message = accessDeniedMessage(principalArn, denial, { omitStarResource: true });
        const encoded =
          denial.resource === "*"
            ? ""
            : `. Encoded authorization failure message: ${this.#state.ctx.ids.hex(48)}`;
        return this.#state.error(
          "UnauthorizedOperation",
          `You are not authorized to perform this operation. ${message}${encoded}`,
          403,
        );
      }
      default:
        return undefined;
    }
  }
}

/** The EC2 commands the simulator answers: operation name → [SDK command class, Ec2Simulator method]. */
export const ec2Commands = {
  DescribeInstances: [DescribeInstancesCommand, "describeInstances"],
  RunInstances: [RunInstancesCommand, "runInstances"],
  TerminateInstances: [TerminateInstancesCommand, "terminateInstances"],
  DescribeVpcs: [DescribeVpcsCommand, "describeVpcs"],
  DescribeSubnets: [DescribeSubnetsCommand, "describeSubnets"],
  DescribeSecurityGroups: [DescribeSecurityGroupsCommand, "describeSecurityGroups"],
  CreateSecurityGroup: [CreateSecurityGroupCommand, "createSecurityGroup"],
  AuthorizeSecurityGroupIngress: [AuthorizeSecurityGroupIngressCommand, "authorizeSecurityGroupIngress"],
  RevokeSecurityGroupIngress: [RevokeSecurityGroupIngressCommand, "revokeSecurityGroupIngress"],
  DeleteSecurityGroup: [DeleteSecurityGroupCommand, "deleteSecurityGroup"],
  DescribeKeyPairs: [DescribeKeyPairsCommand, "describeKeyPairs"],
  DescribeImages: [DescribeImagesCommand, "describeImages"],
  DescribeInstanceTypeOfferings: [DescribeInstanceTypeOfferingsCommand, "describeInstanceTypeOfferings"],
  DescribeInstanceTypes: [DescribeInstanceTypesCommand, "describeInstanceTypes"],
} as const satisfies Record<string, readonly [unknown, keyof Ec2Simulator]>;

export type Ec2CommandName = keyof typeof ec2Commands;

/** The SDK input type of an EC2 operation the simulator implements, e.g. `Ec2Input<"DescribeInstances">`. */
export type Ec2Input<N extends Ec2CommandName> = Ec2Simulator[(typeof ec2Commands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

/** Operation name → SDK input type, for every EC2 operation the simulator implements. */
export type Ec2Inputs = { [N in Ec2CommandName]: Ec2Input<N> };

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
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
  type AuthorizeSecurityGroupIngressResult,
  CreateSecurityGroupCommand,
  type CreateSecurityGroupCommandInput,
  type CreateSecurityGroupResult,
  DeleteSecurityGroupCommand,
  type DeleteSecurityGroupCommandInput,
  type DeleteSecurityGroupResult,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  type DescribeImagesResult,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesResult,
  DescribeInstanceTypeOfferingsCommand,
  type DescribeInstanceTypeOfferingsCommandInput,
  type DescribeInstanceTypeOfferingsResult,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  type DescribeInstanceTypesResult,
  DescribeKeyPairsCommand,
  type DescribeKeyPairsCommandInput,
  type DescribeKeyPairsResult,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  type DescribeSecurityGroupsResult,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  type DescribeSubnetsResult,
  DescribeVpcsCommand,
  type DescribeVpcsCommandInput,
  type DescribeVpcsResult,
  EC2ServiceException,
  type Filter,
  type Image,
  type Instance,
  type InstanceStateName,
  type InstanceTypeOffering,
  type IpPermission,
  type KeyPairInfo,
  type Reservation,
  RevokeSecurityGroupIngressCommand,
  type RevokeSecurityGroupIngressCommandInput,
  type RevokeSecurityGroupIngressResult,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type SecurityGroup,
  type SecurityGroupRule,
  type Subnet,
  type Tag,
  type TagSpecification,
  TerminateInstancesCommand,
  type TerminateInstancesCommandInput,
  type TerminateInstancesResult,
  type Vpc,
} from "@aws-sdk/client-ec2";
import { clone, compact, createSimContext, paginate, type SimContext } from "./core.js";
import { describeInstanceTypes } from "./ec2-instance-types.js";
import {
  defaultDeprecationTime,
  defaultOfferedInstanceType,
  defaultPublicImages,
  type Ec2ImageSpec,
  ec2InstanceTypes,
  formatIp,
  imageIdFor,
  instanceStateCodes,
  normalizeProtocol,
  parseCidr,
  type RuleShape,
  sameRule,
  wildcardMatcher,
  zoneIdFor,
} from "./ec2-model.js";
import { Ec2Teardown, type SecurityGroupUser } from "./ec2-teardown.js";
import type { EcsSimulator } from "./ecs.js";
import {
  accessDeniedMessage,
  denialOf,
  type FaultedCall,
  type FaultKind,
  type ServiceErrorProfile,
  throttlingError,
  unmodeledError,
} from "./errors.js";
import type { IamSimulator } from "./iam.js";

export { type Ec2ImageSpec, type Ec2InstanceTypeInfo, ec2InstanceTypes } from "./ec2-model.js";
export type { SecurityGroupUser } from "./ec2-teardown.js";

export type Ec2InstanceState = `${InstanceStateName}`;

export interface AddInstanceOptions {
  /** Default: a fresh `i-` id with 17 hex digits. Must look like a real id (`i-` and 8 or 17 hex digits). */
  instanceId?: string;
  /**
   * Default: derived from the public IP, e.g. `ec2-54-170-1-10.eu-west-1.compute.amazonaws.com`.
   * `null`: the instance has no public address (a private subnet): EC2 then answers `PublicDnsName: ""`.
   */
  publicDnsName?: string | null;
  /** Default: a distinct `54.170.x.y`. `null`: no public IP (implies no public DNS name unless one is given). */
  publicIpAddress?: string | null;
  /** Default: a distinct `10.0.x.y`. */
  privateIpAddress?: string;
  /** Default `m5.xlarge`. */
  instanceType?: string;
  /** Default `running`. A stopped or terminated instance has no public address. */
  state?: Ec2InstanceState;
  /** Default: an Amazon Linux 2023 ECS-optimized AMI id. */
  imageId?: string;
  keyName?: string;
  /** The instance's security groups (ids of groups the test created); default none, as before. */
  securityGroupIds?: string[];
  tags?: Tag[];
}

/** How long launched instances take. */
export interface Ec2Timings {
  /** pending → running. Default 30 s. */
  pendingMs: number;
  /** running → the ECS agent registers the instance in its cluster. Default 60 s. */
  ecsRegistrationMs: number;
  /** Between registration attempts while the agent cannot register (no credentials, no such cluster). Default 60 s. */
  ecsRegistrationRetryMs: number;
  /** TerminateInstances: shutting-down → terminated. Default 60 s. */
  terminateMs: number;
}

export const defaultEc2Timings: Readonly<Ec2Timings> = {
  pendingMs: 30_000,
  ecsRegistrationMs: 60_000,
  ecsRegistrationRetryMs: 60_000,
  terminateMs: 60_000,
};

export interface Ec2SimulatorOptions {
  timings?: Partial<Ec2Timings>;
  /** Instance types this region offers: a list, or a predicate. Default: all known types except m3.*. */
  offeredInstanceTypes?: readonly string[] | ((instanceType: string) => boolean);
  /** Where instance profiles are looked up (RunInstances, the ECS agent's credentials). */
  iam?: Pick<IamSimulator, "instanceProfile">;
  /** Where launched instances register as container instances. */
  ecs?: Pick<
    EcsSimulator,
    "describeClusters" | "addContainerInstance" | "setContainerInstanceState" | "ec2InstanceStateChanged"
  >;
}

/** What `addDefaultVpc` created. */
export interface DefaultVpc {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

/** How long a terminated instance stays visible to DescribeInstances, as on EC2 (about an hour). */
export const TERMINATED_RETENTION_MS = 60 * 60_000;

export interface Ec2InstanceRecord {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  state: Ec2InstanceState;
  privateIpAddress: string;
  /** The address while running; hidden (but kept) while stopped. */
  publicIpAddress: string | undefined;
  publicDnsName: string | undefined;
  keyName: string | undefined;
  tags: Tag[];
  launchTime: Date;
  seq: number;
  availabilityZone: string;
  /** Set for instances launched through RunInstances (those render their network and may register in ECS). */
  launch?: LaunchDetails;
  /** An added instance's security groups (a launched one's are in `launch`). */
  securityGroupIds?: string[];
  /** Bumped on every state change from outside, so that stale scheduled transitions do nothing. */
  generation: number;
}

export interface LaunchDetails {
  subnetId: string;
  vpcId: string;
  securityGroupIds: string[];
  /** The public IP the instance gets once running (none in a subnet without public addresses). */
  plannedPublicIp: string | undefined;
  instanceProfile: { Arn: string; Id: string } | undefined;
  /** Base64, as given. */
  userData: string | undefined;
  amiLaunchIndex: number;
  clientToken: string | undefined;
  containerInstanceArn: string | undefined;
}

interface VpcRecord {
  vpcId: string;
  cidr: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  associationId: string;
  tags: Tag[];
}

interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidr: string;
  availabilityZone: string;
  zoneIndex: number;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  /** Next host number to hand out (AWS reserves the first four addresses). */
  nextHost: number;
  tags: Tag[];
}

export interface RuleRecord {
  ruleId: string;
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidr?: string;
  groupId?: string;
  userId?: string;
  description?: string;
}

export interface SecurityGroupRecord {
  groupId: string;
  name: string;
  description: string;
  vpcId: string;
  ingress: RuleRecord[];
  egress: RuleRecord[];
  tags: Tag[];
}

interface KeyPairRecord {
  keyPairId: string;
  name: string;
  fingerprint: string;
  keyType: "rsa" | "ed25519";
  createTime: Date;
  tags: Tag[];
}

interface ImageRecord {
  imageId: string;
  name: string;
  description: string | undefined;
  creationDate: string;
  ownerId: string;
  ownerAlias: string | undefined;
  architecture: "x86_64" | "arm64";
  state: "available" | "pending" | "failed" | "deregistered";
  public: boolean;
  /** ISO timestamp from which it is deprecated; undefined for never. */
  deprecationTime: string | undefined;
}

const stateCodes: Record<Ec2InstanceState, number> = instanceStateCodes;

/** States in which an instance has its public address. */
const addressedStates: readonly Ec2InstanceState[] = ["pending", "running", "stopping", "shutting-down"];

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const RESOURCE_ID = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
const USER_DATA_LIMIT = 16_384;

type FilterValues<R> = (record: R, name: string) => readonly (string | undefined)[] | undefined;

export class Ec2Simulator {
  /** How the fault injector builds EC2 errors (EC2 has its own codes for throttling and access denied). */
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #iam: Ec2SimulatorOptions["iam"];
  readonly #ecs: Ec2SimulatorOptions["ecs"];
  #timings: Ec2Timings;
  #offered: (instanceType: string) => boolean;
  readonly #instances: Ec2InstanceRecord[] = [];
  readonly #vpcs: VpcRecord[] = [];
  readonly #subnets: SubnetRecord[] = [];
  readonly #groups: SecurityGroupRecord[] = [];
  readonly #keyPairs: KeyPairRecord[] = [];
  readonly #images: ImageRecord[] = [];
  /** RunInstances ClientToken → reservation id, for idempotent retries. */
  readonly #clientTokens = new Map<string, string>();
  /** Security groups used outside EC2 (DB instances): DeleteSecurityGroup refuses them. */
  readonly #groupUsers: SecurityGroupUser[] = [];
  /** TerminateInstances, DeleteSecurityGroup, RevokeSecurityGroupIngress (ec2-teardown.ts). */
  readonly #teardown: Ec2Teardown;

  constructor(context: SimContext = createSimContext(), options: Ec2SimulatorOptions = {}) {
    this.#ctx = context;
    this.#iam = options.iam;
    this.#ecs = options.ecs;
    this.#timings = { ...defaultEc2Timings, ...options.timings };
    this.#offered = defaultOfferedInstanceType;
    if (options.offeredInstanceTypes) this.setOfferedInstanceTypes(options.offeredInstanceTypes);
    for (const spec of defaultPublicImages) this.#images.push(this.#imageRecord(spec));
    this.#teardown = new Ec2Teardown({
      ctx: context,
      instances: this.#instances,
      groups: this.#groups,
      timings: () => this.#timings,
      sync: () => this.#sync(),
      error: (code, message, httpStatusCode) => this.#error(code, message, httpStatusCode),
      dryRun: (dryRun) => this.#dryRun(dryRun),
      defaultVpcId: () => this.#defaultVpc()?.vpcId,
      schedulePurge: (record) => this.#schedulePurge(record),
      instanceChanged: (record) => this.#syncContainerInstance(record),
      groupUsers: () => this.#groupUsers.flatMap((user) => [...user()]),
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
    return this.#timings;
  }

  /** Changes the timings for what is scheduled from now on. */
  setTimings(timings: Partial<Ec2Timings>): void {
    this.#timings = { ...this.#timings, ...timings };
  }

  /**
   * The instance types this region offers: `DescribeInstanceTypeOfferings` lists them (known types only) and
   * `RunInstances` fails the others with `Unsupported`.
   */
  setOfferedInstanceTypes(offered: readonly string[] | ((instanceType: string) => boolean)): void {
    this.#offered =
      typeof offered === "function" ? offered : (instanceType) => offered.includes(instanceType);
  }

  /**
   * Creates the default VPC (172.31.0.0/16) with a default subnet (public addresses on launch) in each of
   * `zones` Availability Zones and its "default" security group (all traffic from itself, all traffic out).
   */
  addDefaultVpc(options: { zones?: number } = {}): DefaultVpc {
    this.#sync();
    if (this.#vpcs.some((vpc) => vpc.isDefault))
      throw new Error("simulated EC2: there is a default VPC already");
    const vpc: VpcRecord = {
      vpcId: `vpc-${this.#ctx.ids.hex(17)}`,
      cidr: "172.31.0.0/16",
      isDefault: true,
      dhcpOptionsId: `dopt-${this.#ctx.ids.hex(17)}`,
      associationId: `vpc-cidr-assoc-${this.#ctx.ids.hex(17)}`,
      tags: [],
    };
    this.#vpcs.push(vpc);
    const zones = options.zones ?? 3;
    const subnetIds: string[] = [];
    for (let zoneIndex = 0; zoneIndex < zones; zoneIndex++) {
      const subnet: SubnetRecord = {
        subnetId: `subnet-${this.#ctx.ids.hex(17)}`,
        vpcId: vpc.vpcId,
        cidr: `172.31.${zoneIndex * 16}.0/20`,
        availabilityZone: `${this.#ctx.region}${String.fromCharCode(97 + zoneIndex)}`,
        zoneIndex,
        defaultForAz: true,
        mapPublicIpOnLaunch: true,
        nextHost: 10,
        tags: [],
      };
      this.#subnets.push(subnet);
      subnetIds.push(subnet.subnetId);
    }
    const group = this.#newGroup("default", "default VPC security group", vpc.vpcId, []);
    group.ingress.push(this.#rule({ protocol: "-1", groupId: group.groupId, userId: this.#ctx.accountId }));
    return { vpcId: vpc.vpcId, subnetIds, securityGroupId: group.groupId };
  }

  /** Adds a key pair (as if imported); returns it as DescribeKeyPairs renders it. */
  addKeyPair(name: string, options: { keyType?: "rsa" | "ed25519"; tags?: Tag[] } = {}): KeyPairInfo {
    this.#sync();
    if (this.#keyPairs.some((pair) => pair.name === name)) {
      throw new Error(`simulated EC2: key pair ${name} exists already`);
    }
    const record: KeyPairRecord = {
      keyPairId: `key-${this.#ctx.ids.hex(17)}`,
      name,
      fingerprint: (this.#ctx.ids.hex(32).match(/../g) ?? []).join(":"),
      keyType: options.keyType ?? "rsa",
      createTime: this.#ctx.clock.date(),
      tags: options.tags ?? [],
    };
    this.#keyPairs.push(record);
    return this.#renderKeyPair(record);
  }

  /** Adds an image to what DescribeImages lists (e.g. a newer release, or one still `pending`). */
  addImage(spec: Ec2ImageSpec): Image {
    const record = this.#imageRecord(spec);
    if (this.#images.some((image) => image.imageId === record.imageId)) {
      throw new Error(`simulated EC2: image ${record.imageId} exists already`);
    }
    this.#images.push(record);
    return this.#renderImage(record);
  }

  /** Adds an instance (in its own reservation) without going through the API; returns it as EC2 describes it. */
  addInstance(options: AddInstanceOptions = {}): Instance {
    this.#sync();
    const instanceId = options.instanceId ?? `i-${this.#ctx.ids.hex(17)}`;
    if (!INSTANCE_ID.test(instanceId)) {
      throw new Error(
        `simulated EC2: addInstance: "${instanceId}" is not an instance id like i-0123456789abcdef0`,
      );
    }
    if (this.#find(instanceId)) throw new Error(`simulated EC2: addInstance: ${instanceId} exists already`);
    const seq = this.#instances.length;
    const host = 10 + seq;
    const publicIpAddress =
      options.publicIpAddress === null ? undefined : (options.publicIpAddress ?? this.#publicIpFor(seq));
    const publicDnsName =
      options.publicDnsName === null
        ? undefined
        : (options.publicDnsName ?? (publicIpAddress && this.#publicDnsNameFor(publicIpAddress)));
    const record: Ec2InstanceRecord = {
      instanceId,
      reservationId: `r-${this.#ctx.ids.hex(17)}`,
      imageId: options.imageId ?? "ami-0c1f7b7a8b3e5d9f2",
      instanceType: options.instanceType ?? "m5.xlarge",
      state: options.state ?? "running",
      privateIpAddress: options.privateIpAddress ?? `10.0.${Math.floor(host / 250) + 1}.${host % 250}`,
      publicIpAddress,
      publicDnsName,
      keyName: options.keyName,
      ...(options.securityGroupIds ? { securityGroupIds: [...options.securityGroupIds] } : {}),
      tags: options.tags ?? [],
      launchTime: this.#ctx.clock.date(),
      seq,
      availabilityZone: `${this.#ctx.region}a`,
      generation: 0,
    };
    this.#instances.push(record);
    if (record.state === "terminated") this.#schedulePurge(record);
    return this.#render(record);
  }

  /**
   * Moves an instance to another state at once (e.g. `stopped`: its public address disappears; `terminated`:
   * it stays visible for an hour, then DescribeInstances no longer knows it). Scheduled transitions of the
   * instance are dropped; a launched instance moved to `running` goes on to register in ECS. A registered
   * container instance follows: stopped → agent disconnected, running → connected, terminated → INACTIVE.
   */
  setInstanceState(instanceId: string, state: Ec2InstanceState): Instance {
    this.#sync();
    const record = this.#find(instanceId);
    if (!record) throw new Error(`simulated EC2: no instance ${instanceId}`);
    if (record.state === "terminated") throw new Error(`simulated EC2: ${instanceId} is terminated`);
    record.generation += 1;
    if (state === "running" && record.launch) {
      this.#enterRunning(record);
    } else {
      record.state = state;
    }
    if (state === "terminated") this.#schedulePurge(record);
    this.#syncContainerInstance(record);
    return this.#render(record);
  }

  /**
   * Registers something outside EC2 that uses security groups (the simulated AWS registers RDS's DB instances):
   * DeleteSecurityGroup fails with DependencyViolation for any group id it returns.
   */
  addSecurityGroupUser(user: SecurityGroupUser): void {
    this.#groupUsers.push(user);
  }

  /** Every instance still visible, as DescribeInstances renders it, in the order they were added. */
  instances(): Instance[] {
    this.#sync();
    return this.#instances.map((record) => this.#render(record));
  }

  /** One instance as DescribeInstances renders it, or undefined. */
  instance(instanceId: string): Instance | undefined {
    this.#sync();
    const record = this.#find(instanceId);
    return record && this.#render(record);
  }

  /** The user data a launched instance was given, decoded; undefined when it has none. */
  userDataOf(instanceId: string): string | undefined {
    const userData = this.#find(instanceId)?.launch?.userData;
    return userData === undefined ? undefined : Buffer.from(userData, "base64").toString("utf8");
  }

  /** Every VPC, as DescribeVpcs renders them. */
  vpcs(): Vpc[] {
    return this.#vpcs.map((vpc) => this.#renderVpc(vpc));
  }

  /** Every subnet, as DescribeSubnets renders them. */
  subnets(): Subnet[] {
    return this.#subnets.map((subnet) => this.#renderSubnet(subnet));
  }

  /** Every security group, as DescribeSecurityGroups renders them. */
  securityGroups(): SecurityGroup[] {
    return this.#groups.map((group) => this.#renderGroup(group));
  }

  /** One security group by id, or by name in the default VPC. */
  securityGroup(idOrName: string): SecurityGroup | undefined {
    const group =
      this.#groups.find((candidate) => candidate.groupId === idOrName) ?? this.#defaultVpcGroup(idOrName);
    return group && this.#renderGroup(group);
  }

  // ===============================================================================================
  // API: instances

  describeInstances(input: DescribeInstancesCommandInput): DescribeInstancesResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    const ids = input.InstanceIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw this.#error(
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
      );
    }
    this.#checkMaxResults(input.MaxResults);
    let selected = this.#instances;
    if (ids.length > 0) {
      const malformed = ids.find((id) => !INSTANCE_ID.test(id));
      if (malformed !== undefined)
        throw this.#error("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`);
      const missing = [...new Set(ids.filter((id) => !this.#find(id)))];
      if (missing.length === 1) {
        throw this.#error("InvalidInstanceID.NotFound", `The instance ID '${missing[0]}' does not exist`);
      }
      if (missing.length > 1) {
        throw this.#error(
          "InvalidInstanceID.NotFound",
          `The instance IDs '${missing.join(", ")}' do not exist`,
        );
      }
      selected = selected.filter((record) => ids.includes(record.instanceId));
    }
    selected = this.#filter(selected, input.Filters, "DescribeInstances", (record, name) =>
      this.#instanceFilterValues(record, name),
    );
    // Without MaxResults EC2 answers everything at once.
    const { page, nextToken } = this.#page(selected, input);
    const reservations = new Map<string, Reservation>();
    for (const record of page) {
      const reservation = reservations.get(record.reservationId) ?? {
        ReservationId: record.reservationId,
        OwnerId: this.#ctx.accountId,
        Groups: [],
        Instances: [],
      };
      reservation.Instances?.push(this.#render(record));
      reservations.set(record.reservationId, reservation);
    }
    return compact({
      Reservations: [...reservations.values()],
      NextToken: nextToken,
    });
  }

  runInstances(input: RunInstancesCommandInput): Reservation {
    this.#sync();
    if (input.LaunchTemplate)
      throw new Error("simulated EC2 does not implement RunInstances with a LaunchTemplate");
    if (input.ClientToken !== undefined) {
      const reservationId = this.#clientTokens.get(input.ClientToken);
      if (reservationId !== undefined) return this.#reservation(reservationId);
    }
    // The checks run in roughly the order EC2 makes them; the first failure fails the whole request.
    const image = this.#launchImage(input.ImageId);
    const instanceType = input.InstanceType ?? "m1.small";
    const typeInfo = ec2InstanceTypes[instanceType];
    if (!typeInfo)
      throw this.#error("InvalidParameterValue", `Invalid value '${instanceType}' for InstanceType.`);
    if (!this.#offered(instanceType)) {
      throw this.#error(
        "Unsupported",
        "The requested configuration is currently not supported. Please check the documentation for supported configurations.",
      );
    }
    if (typeInfo.architecture !== image.architecture) {
      throw this.#error(
        "InvalidParameterValue",
        `The architecture '${typeInfo.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
      );
    }
    if (input.KeyName !== undefined && !this.#keyPairs.some((pair) => pair.name === input.KeyName)) {
      throw this.#error("InvalidKeyPair.NotFound", `The key pair '${input.KeyName}' does not exist`);
    }
    const { subnet, groups, associatePublicIp } = this.#launchNetwork(input);
    const instanceProfile = this.#launchProfile(input.IamInstanceProfile);
    const userData = this.#launchUserData(input.UserData);
    this.#dryRun(input.DryRun);

    const count = Math.max(1, input.MaxCount ?? input.MinCount ?? 1);
    const reservationId = `r-${this.#ctx.ids.hex(17)}`;
    const instanceTags = tagsFor(input.TagSpecifications, "instance");
    for (let index = 0; index < count; index++) {
      const seq = this.#instances.length;
      const record: Ec2InstanceRecord = {
        instanceId: `i-${this.#ctx.ids.hex(17)}`,
        reservationId,
        imageId: image.imageId,
        instanceType,
        state: "pending",
        privateIpAddress: formatIp(parseCidr(subnet.cidr).base + subnet.nextHost++),
        publicIpAddress: undefined,
        publicDnsName: undefined,
        keyName: input.KeyName,
        tags: clone(instanceTags),
        launchTime: this.#ctx.clock.date(),
        seq,
        availabilityZone: subnet.availabilityZone,
        generation: 0,
        launch: {
          subnetId: subnet.subnetId,
          vpcId: subnet.vpcId,
          securityGroupIds: groups.map((group) => group.groupId),
          plannedPublicIp: associatePublicIp ? this.#publicIpFor(seq) : undefined,
          instanceProfile,
          userData,
          amiLaunchIndex: index,
          clientToken: input.ClientToken,
          containerInstanceArn: undefined,
        },
      };
      this.#instances.push(record);
      const generation = record.generation;
      this.#ctx.clock.after(this.#timings.pendingMs, `EC2 ${record.instanceId} running`, () => {
        if (record.generation === generation && record.state === "pending") this.#enterRunning(record);
      });
    }
    if (input.ClientToken !== undefined) this.#clientTokens.set(input.ClientToken, reservationId);
    return this.#reservation(reservationId);
  }

  /** Shutting down now, terminated `timings.terminateMs` later (see ec2-teardown.ts). */
  terminateInstances(input: TerminateInstancesCommandInput): TerminateInstancesResult {
    return this.#teardown.terminateInstances(input);
  }

  // ===============================================================================================
  // API: network

  describeVpcs(input: DescribeVpcsCommandInput = {}): DescribeVpcsResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    this.#checkMaxResults(input.MaxResults);
    let selected = this.#byIds(
      this.#vpcs,
      input.VpcIds,
      (vpc) => vpc.vpcId,
      "vpc",
      (id) => this.#error("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`),
    );
    selected = this.#filter(selected, input.Filters, "DescribeVpcs", (vpc, name) => {
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
          return [this.#ctx.accountId];
        default:
          return tagFilterValues(vpc.tags, name);
      }
    });
    const { page, nextToken } = this.#page(selected, input);
    return compact({ Vpcs: page.map((vpc) => this.#renderVpc(vpc)), NextToken: nextToken });
  }

  describeSubnets(input: DescribeSubnetsCommandInput = {}): DescribeSubnetsResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    this.#checkMaxResults(input.MaxResults);
    let selected = this.#byIds(
      this.#subnets,
      input.SubnetIds,
      (subnet) => subnet.subnetId,
      "subnet",
      (id) => this.#error("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`),
    );
    selected = this.#filter(selected, input.Filters, "DescribeSubnets", (subnet, name) => {
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
          return [zoneIdFor(this.#ctx.region, subnet.zoneIndex)];
        case "cidr-block":
        case "cidr":
          return [subnet.cidr];
        case "map-public-ip-on-launch":
          return [String(subnet.mapPublicIpOnLaunch)];
        case "state":
          return ["available"];
        case "owner-id":
          return [this.#ctx.accountId];
        default:
          return tagFilterValues(subnet.tags, name);
      }
    });
    const { page, nextToken } = this.#page(selected, input);
    return compact({ Subnets: page.map((subnet) => this.#renderSubnet(subnet)), NextToken: nextToken });
  }

  describeSecurityGroups(input: DescribeSecurityGroupsCommandInput = {}): DescribeSecurityGroupsResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    this.#checkMaxResults(input.MaxResults);
    let selected = this.#byIds(
      this.#groups,
      input.GroupIds,
      (group) => group.groupId,
      "sg",
      (id) => this.#error("InvalidGroup.NotFound", `The security group '${id}' does not exist`),
    );
    if (input.GroupNames && input.GroupNames.length > 0) {
      const defaultVpc = this.#defaultVpc();
      for (const name of input.GroupNames) {
        if (!this.#defaultVpcGroup(name)) {
          throw this.#error(
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
    selected = this.#filter(selected, input.Filters, "DescribeSecurityGroups", (group, name) => {
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
          return [this.#ctx.accountId];
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
    const { page, nextToken } = this.#page(selected, input);
    return compact({ SecurityGroups: page.map((group) => this.#renderGroup(group)), NextToken: nextToken });
  }

  createSecurityGroup(input: CreateSecurityGroupCommandInput): CreateSecurityGroupResult {
    this.#sync();
    const name = input.GroupName ?? "";
    if (name === "default") {
      throw this.#error("InvalidParameterValue", "Cannot use reserved security group name: default");
    }
    if (name.startsWith("sg-")) {
      throw this.#error("InvalidParameterValue", "Group names may not be in the format sg-*.");
    }
    let vpcId = input.VpcId;
    if (vpcId === undefined) {
      vpcId = this.#defaultVpc()?.vpcId;
      if (vpcId === undefined) throw this.#error("VPCIdNotSpecified", "No default VPC for this user");
    } else if (!this.#vpcs.some((vpc) => vpc.vpcId === vpcId)) {
      throw this.#error("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
    }
    if (this.#groups.some((group) => group.vpcId === vpcId && group.name === name)) {
      throw this.#error(
        "InvalidGroup.Duplicate",
        `The security group '${name}' already exists for VPC '${vpcId}'`,
      );
    }
    this.#dryRun(input.DryRun);
    const group = this.#newGroup(
      name,
      input.Description ?? "",
      vpcId,
      tagsFor(input.TagSpecifications, "security-group"),
    );
    return compact({
      GroupId: group.groupId,
      Tags: group.tags.length > 0 ? clone(group.tags) : undefined,
      SecurityGroupArn: this.#groupArn(group),
    });
  }

  authorizeSecurityGroupIngress(
    input: AuthorizeSecurityGroupIngressCommandInput,
  ): AuthorizeSecurityGroupIngressResult {
    this.#sync();
    const group =
      input.GroupId !== undefined
        ? this.#groups.find((candidate) => candidate.groupId === input.GroupId)
        : this.#defaultVpcGroup(input.GroupName ?? "");
    if (!group) {
      throw this.#error(
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
      const source = input.SourceSecurityGroupName && this.#defaultVpcGroup(input.SourceSecurityGroupName);
      if (input.SourceSecurityGroupName && !source) {
        throw this.#error(
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
        throw this.#error(
          "InvalidParameterValue",
          `Invalid value '${permission.IpProtocol}' for IP protocol. Unknown protocol.`,
        );
      }
      const ported = protocol === "tcp" || protocol === "udp";
      if (ported && (permission.FromPort === undefined || permission.ToPort === undefined)) {
        throw this.#error(
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
            ? this.#groups.find((candidate) => candidate.groupId === pair.GroupId)
            : this.#defaultVpcGroup(pair.GroupName ?? "");
        if (!peer) {
          throw this.#error(
            "InvalidGroup.NotFound",
            `The security group '${pair.GroupId ?? pair.GroupName}' does not exist`,
          );
        }
        peers.push({
          groupId: peer.groupId,
          userId: pair.UserId ?? this.#ctx.accountId,
          description: pair.Description,
        });
      }
      if (peers.length === 0) {
        throw this.#error(
          "InvalidParameterValue",
          "The request must contain exactly one of: CIDR block, prefix list ID, or security group ID",
        );
      }
      for (const peer of peers) {
        const candidate = { protocol, fromPort: ports.fromPort, toPort: ports.toPort, ...peer };
        if ([...group.ingress, ...added].some((rule) => sameRule(rule, candidate))) {
          throw this.#error(
            "InvalidPermission.Duplicate",
            `the specified rule "${describeRule(candidate)}" already exists`,
          );
        }
        added.push(this.#rule(candidate));
      }
    }
    this.#dryRun(input.DryRun);
    group.ingress.push(...added);
    return {
      Return: true,
      SecurityGroupRules: added.map((rule) => this.#renderRule(group, rule, false)),
    };
  }

  /** Refused for the default group and while anything depends on the group (see ec2-teardown.ts). */
  deleteSecurityGroup(input: DeleteSecurityGroupCommandInput): DeleteSecurityGroupResult {
    return this.#teardown.deleteSecurityGroup(input);
  }

  /** Unknown rules come back in UnknownIpPermissions (default VPC), see ec2-teardown.ts. */
  revokeSecurityGroupIngress(
    input: RevokeSecurityGroupIngressCommandInput,
  ): RevokeSecurityGroupIngressResult {
    return this.#teardown.revokeSecurityGroupIngress(input);
  }

  /**
   * The known instance types the region offers (`setOfferedInstanceTypes`), by Region (the default) or per
   * Availability Zone (the zones `addDefaultVpc` uses: <region>a, b and c). Filters `instance-type` and
   * `location`, with wildcards. An instance type EC2 does not know is simply not listed.
   */
  describeInstanceTypeOfferings(
    input: DescribeInstanceTypeOfferingsCommandInput = {},
  ): DescribeInstanceTypeOfferingsResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    this.#checkMaxResults(input.MaxResults);
    const locationType = input.LocationType ?? "region";
    const region = this.#ctx.region;
    const zones = [0, 1, 2];
    let locations: string[];
    switch (locationType) {
      case "region":
        locations = [region];
        break;
      case "availability-zone":
        locations = zones.map((index) => `${region}${String.fromCharCode(97 + index)}`);
        break;
      case "availability-zone-id":
        locations = zones.map((index) => zoneIdFor(region, index));
        break;
      case "outpost":
        throw new Error("simulated EC2 does not implement DescribeInstanceTypeOfferings for Outposts");
      default:
        throw this.#error(
          "InvalidParameterValue",
          `Value (${locationType}) for parameter locationType is invalid. Valid values are region, availability-zone, availability-zone-id, outpost.`,
        );
    }
    const offered = Object.keys(ec2InstanceTypes)
      .filter((instanceType) => this.#offered(instanceType))
      .sort();
    const offerings = locations.flatMap((location) =>
      offered.map((instanceType) => ({ instanceType, location })),
    );
    const selected = this.#filter(
      offerings,
      input.Filters,
      "DescribeInstanceTypeOfferings",
      (offering, name) => {
        switch (name) {
          case "instance-type":
            return [offering.instanceType];
          case "location":
            return [offering.location];
          default:
            return undefined;
        }
      },
    );
    const { page, nextToken } = this.#page(selected, input);
    return compact({
      InstanceTypeOfferings: page.map(
        (offering): InstanceTypeOffering => ({
          InstanceType: offering.instanceType as InstanceTypeOffering["InstanceType"],
          LocationType: locationType,
          Location: offering.location,
        }),
      ),
      NextToken: nextToken,
    });
  }

  /** What the region's instance types offer: vCPUs, memory, architectures (see ec2-instance-types.ts). */
  describeInstanceTypes(input: DescribeInstanceTypesCommandInput = {}): DescribeInstanceTypesResult {
    this.#sync();
    return describeInstanceTypes(input, {
      offered: (instanceType) => this.#offered(instanceType),
      error: (code, message) => this.#error(code, message),
      dryRun: (dryRun) => this.#dryRun(dryRun),
    });
  }

  describeKeyPairs(input: DescribeKeyPairsCommandInput = {}): DescribeKeyPairsResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    let selected = this.#keyPairs;
    for (const name of input.KeyNames ?? []) {
      if (!selected.some((pair) => pair.name === name)) {
        throw this.#error("InvalidKeyPair.NotFound", `The key pair '${name}' does not exist`);
      }
    }
    for (const id of input.KeyPairIds ?? []) {
      if (!selected.some((pair) => pair.keyPairId === id)) {
        throw this.#error("InvalidKeyPair.NotFound", `The key pair '${id}' does not exist`);
      }
    }
    if (input.KeyNames?.length) selected = selected.filter((pair) => input.KeyNames?.includes(pair.name));
    if (input.KeyPairIds?.length)
      selected = selected.filter((pair) => input.KeyPairIds?.includes(pair.keyPairId));
    selected = this.#filter(selected, input.Filters, "DescribeKeyPairs", (pair, name) => {
      switch (name) {
        case "key-name":
          return [pair.name];
        case "key-pair-id":
          return [pair.keyPairId];
        case "fingerprint":
          return [pair.fingerprint];
        default:
          return tagFilterValues(pair.tags, name);
      }
    });
    return { KeyPairs: selected.map((pair) => this.#renderKeyPair(pair)) };
  }

  describeImages(input: DescribeImagesCommandInput = {}): DescribeImagesResult {
    this.#sync();
    this.#dryRun(input.DryRun);
    this.#checkMaxResults(input.MaxResults);
    let selected = this.#images.filter((image) => image.state !== "deregistered");
    // Deprecated images are left out of listings unless asked for, but described by id, and always to
    // their owner (EC2 User Guide, "Deprecate an AMI"; DescribeImages' IncludeDeprecated).
    if (!input.IncludeDeprecated && !(input.ImageIds && input.ImageIds.length > 0)) {
      const now = this.#ctx.clock.now();
      selected = selected.filter(
        (image) =>
          image.ownerId === this.#ctx.accountId ||
          image.deprecationTime === undefined ||
          Date.parse(image.deprecationTime) > now,
      );
    }
    if (input.ImageIds && input.ImageIds.length > 0) {
      for (const id of input.ImageIds) {
        if (!/^ami-[0-9a-f]{8,17}$/.test(id)) {
          throw this.#error("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`);
        }
        if (!selected.some((image) => image.imageId === id)) {
          throw this.#error("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
        }
      }
      selected = selected.filter((image) => input.ImageIds?.includes(image.imageId));
    }
    if (input.Owners && input.Owners.length > 0) {
      const owners = input.Owners;
      selected = selected.filter((image) =>
        owners.some(
          (owner) =>
            owner === image.ownerId ||
            (owner === "self" && image.ownerId === this.#ctx.accountId) ||
            (owner === image.ownerAlias && owner !== undefined),
        ),
      );
    }
    selected = this.#filter(selected, input.Filters, "DescribeImages", (image, name) => {
      switch (name) {
        case "name":
          return [image.name];
        case "image-id":
          return [image.imageId];
        case "state":
          return [image.state];
        case "architecture":
          return [image.architecture];
        case "owner-id":
          return [image.ownerId];
        case "owner-alias":
          return [image.ownerAlias];
        case "description":
          return [image.description];
        case "is-public":
          return [String(image.public)];
        case "image-type":
          return ["machine"];
        case "virtualization-type":
          return ["hvm"];
        case "root-device-type":
          return ["ebs"];
        case "platform-details":
          return ["Linux/UNIX"];
        default:
          return tagFilterValues([], name);
      }
    });
    // EC2 lists images in no particular order (here: by image id), so "the newest" takes a CreationDate sort.
    selected = [...selected].sort((a, b) => a.imageId.localeCompare(b.imageId));
    const { page, nextToken } = this.#page(selected, input);
    return compact({ Images: page.map((image) => this.#renderImage(image)), NextToken: nextToken });
  }

  // ===============================================================================================
  // Internals: instances

  #sync(): void {
    this.#ctx.clock.advance();
  }

  #find(instanceId: string): Ec2InstanceRecord | undefined {
    return this.#instances.find((record) => record.instanceId === instanceId);
  }

  #reservation(reservationId: string): Reservation {
    const instances = this.#instances.filter((record) => record.reservationId === reservationId);
    return {
      ReservationId: reservationId,
      OwnerId: this.#ctx.accountId,
      Groups: [],
      Instances: instances.map((record) => this.#render(record)),
    };
  }

  #schedulePurge(record: Ec2InstanceRecord): void {
    this.#ctx.clock.after(TERMINATED_RETENTION_MS, `EC2 instance ${record.instanceId} purged`, () => {
      const index = this.#instances.indexOf(record);
      if (index !== -1 && record.state === "terminated") this.#instances.splice(index, 1);
    });
  }

  /** A launched instance reaches `running`: it gets its public address and its ECS agent starts. */
  #enterRunning(record: Ec2InstanceRecord): void {
    record.state = "running";
    const launch = record.launch;
    if (!launch) return;
    if (launch.plannedPublicIp !== undefined && record.publicIpAddress === undefined) {
      record.publicIpAddress = launch.plannedPublicIp;
      record.publicDnsName = this.#publicDnsNameFor(launch.plannedPublicIp);
    }
    if (this.#ecs && launch.containerInstanceArn === undefined) {
      this.#scheduleRegistration(record, this.#timings.ecsRegistrationMs);
    }
  }

  #scheduleRegistration(record: Ec2InstanceRecord, delayMs: number): void {
    const generation = record.generation;
    this.#ctx.clock.after(delayMs, `ECS agent on ${record.instanceId} registers`, () => {
      const launch = record.launch;
      if (record.generation !== generation || record.state !== "running" || !launch || !this.#ecs) return;
      if (launch.containerInstanceArn !== undefined) return;
      const cluster = this.#registrationCluster(record);
      if (cluster === undefined) {
        this.#scheduleRegistration(record, this.#timings.ecsRegistrationRetryMs);
        return;
      }
      const resources = ec2InstanceTypes[record.instanceType];
      const containerInstance = this.#ecs.addContainerInstance(cluster, {
        ec2InstanceId: record.instanceId,
        instanceType: record.instanceType,
        amiId: record.imageId,
        cpu: resources?.ecsCpu,
        memoryMiB: resources?.ecsMemoryMiB,
      });
      launch.containerInstanceArn = containerInstance.containerInstanceArn;
    });
  }

  /**
   * The cluster the instance's ECS agent can register in now, or undefined: it needs credentials (an instance
   * profile that exists and holds a role) and an ACTIVE cluster named by `ECS_CLUSTER=` (default "default").
   */
  #registrationCluster(record: Ec2InstanceRecord): string | undefined {
    const launch = record.launch;
    if (!launch?.instanceProfile || !this.#ecs) return undefined;
    if (this.#iam) {
      const profile = this.#iam.instanceProfile(launch.instanceProfile.Arn);
      if (!profile || (profile.Roles ?? []).length === 0) return undefined;
    }
    const userData =
      launch.userData === undefined ? "" : Buffer.from(launch.userData, "base64").toString("utf8");
    const cluster = /\bECS_CLUSTER=([A-Za-z0-9_-]+)/.exec(userData)?.[1] ?? "default";
    const { clusters = [] } = this.#ecs.describeClusters({ clusters: [cluster] });
    return clusters.some((candidate) => candidate.status === "ACTIVE") ? cluster : undefined;
  }

  /**
   * Keeps a registered container instance in line with its EC2 instance. Shutting down or terminated: ECS
   * learns it for every container instance registered from that EC2 instance (the agent disconnects; at
   * termination ECS deregisters it and its tasks stop); otherwise a launched instance's agent (dis)connects.
   */
  #syncContainerInstance(record: Ec2InstanceRecord): void {
    if (!this.#ecs) return;
    if (record.state === "terminated" || record.state === "shutting-down") {
      this.#ecs.ec2InstanceStateChanged(record.instanceId, record.state);
      return;
    }
    const arn = record.launch?.containerInstanceArn;
    if (arn) this.#ecs.setContainerInstanceState(arn, { agentConnected: record.state === "running" });
  }

  #launchImage(imageId: string | undefined): ImageRecord {
    if (imageId === undefined)
      throw this.#error("MissingParameter", "The request must contain the parameter ImageId");
    if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) {
      throw this.#error("InvalidAMIID.Malformed", `Invalid id: "${imageId}" (expecting "ami-...")`);
    }
    const image = this.#images.find((candidate) => candidate.imageId === imageId);
    if (!image || image.state === "deregistered") {
      throw this.#error("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
    }
    if (image.state !== "available") {
      throw this.#error("InvalidAMIID.Unavailable", `The image id '[${imageId}]' is not available`);
    }
    return image;
  }

  /** The subnet and security groups an instance is launched into, and whether it gets a public IP. */
  #launchNetwork(input: RunInstancesCommandInput): {
    subnet: SubnetRecord;
    groups: SecurityGroupRecord[];
    associatePublicIp: boolean;
  } {
    const nic = input.NetworkInterfaces?.find((candidate) => (candidate.DeviceIndex ?? 0) === 0);
    if (nic && input.SubnetId !== undefined) {
      throw this.#error(
        "InvalidParameterCombination",
        "Network interfaces and an instance-level subnet ID may not be specified on the same request",
      );
    }
    if (nic && (input.SecurityGroupIds?.length || input.SecurityGroups?.length)) {
      throw this.#error(
        "InvalidParameterCombination",
        "Network interfaces and an instance-level security groups may not be specified on the same request",
      );
    }
    const subnetId = nic?.SubnetId ?? input.SubnetId;
    let subnet: SubnetRecord | undefined;
    if (subnetId !== undefined) {
      subnet = this.#subnets.find((candidate) => candidate.subnetId === subnetId);
      if (!subnet)
        throw this.#error("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
    } else {
      const vpc = this.#defaultVpc();
      const zone = input.Placement?.AvailabilityZone;
      subnet = this.#subnets.find(
        (candidate) =>
          candidate.vpcId === vpc?.vpcId &&
          candidate.defaultForAz &&
          (zone === undefined || candidate.availabilityZone === zone),
      );
      if (!subnet) throw this.#error("VPCIdNotSpecified", "No default VPC for this user");
    }
    const chosen = subnet;
    const groupIds = nic?.Groups ?? input.SecurityGroupIds ?? [];
    const groups: SecurityGroupRecord[] = [];
    for (const id of groupIds) {
      const group = this.#groups.find((candidate) => candidate.groupId === id);
      if (!group) throw this.#error("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
      groups.push(group);
    }
    for (const name of input.SecurityGroups ?? []) {
      const group = this.#groups.find(
        (candidate) => candidate.vpcId === chosen.vpcId && candidate.name === name,
      );
      if (!group) {
        throw this.#error(
          "InvalidGroup.NotFound",
          `The security group '${name}' does not exist in VPC '${chosen.vpcId}'`,
        );
      }
      groups.push(group);
    }
    for (const group of groups) {
      if (group.vpcId !== chosen.vpcId) {
        throw this.#error(
          "InvalidParameter",
          `Security group ${group.groupId} and subnet ${chosen.subnetId} belong to different networks.`,
        );
      }
    }
    if (groups.length === 0) {
      const fallback = this.#groups.find((group) => group.vpcId === chosen.vpcId && group.name === "default");
      if (fallback) groups.push(fallback);
    }
    return {
      subnet: chosen,
      groups,
      associatePublicIp: nic?.AssociatePublicIpAddress ?? chosen.mapPublicIpOnLaunch,
    };
  }

  #launchProfile(
    profile: RunInstancesCommandInput["IamInstanceProfile"],
  ): { Arn: string; Id: string } | undefined {
    if (!profile || (profile.Name === undefined && profile.Arn === undefined)) return undefined;
    const key = profile.Arn ?? profile.Name ?? "";
    if (!this.#iam) {
      const name = profile.Name ?? key.split("/").pop() ?? key;
      return {
        Arn: profile.Arn ?? `arn:aws:iam::${this.#ctx.accountId}:instance-profile/${name}`,
        Id: "AIPASIMULATED",
      };
    }
    const found = this.#iam.instanceProfile(key);
    if (!found?.Arn || !found.InstanceProfileId) {
      throw profile.Arn !== undefined
        ? this.#error(
            "InvalidParameterValue",
            `Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
          )
        : this.#error(
            "InvalidParameterValue",
            `Value (${profile.Name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
          );
    }
    return { Arn: found.Arn, Id: found.InstanceProfileId };
  }

  #launchUserData(userData: string | undefined): string | undefined {
    if (userData === undefined) return undefined;
    const compacted = userData.replace(/\s/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compacted) || compacted.length % 4 !== 0) {
      throw this.#error("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.");
    }
    if (Buffer.from(compacted, "base64").length > USER_DATA_LIMIT) {
      throw this.#error("InvalidParameterValue", `User data is limited to ${USER_DATA_LIMIT} bytes`);
    }
    return compacted;
  }

  #instanceFilterValues(
    record: Ec2InstanceRecord,
    name: string,
  ): readonly (string | undefined)[] | undefined {
    const launch = record.launch;
    const addressed = addressedStates.includes(record.state);
    switch (name) {
      case "instance-id":
        return [record.instanceId];
      case "instance-state-name":
        return [record.state];
      case "instance-state-code":
        return [String(stateCodes[record.state])];
      case "instance-type":
        return [record.instanceType];
      case "private-ip-address":
        return [record.privateIpAddress];
      case "ip-address":
        return [addressed ? record.publicIpAddress : undefined];
      case "dns-name":
        return [addressed ? record.publicDnsName : undefined];
      case "image-id":
        return [record.imageId];
      case "key-name":
        return [record.keyName];
      case "reservation-id":
        return [record.reservationId];
      case "availability-zone":
        return [record.availabilityZone];
      case "vpc-id":
        return [launch?.vpcId];
      case "subnet-id":
        return [launch?.subnetId];
      case "instance.group-id":
        return launch?.securityGroupIds ?? [];
      case "instance.group-name":
        return (launch?.securityGroupIds ?? []).map(
          (id) => this.#groups.find((group) => group.groupId === id)?.name,
        );
      case "iam-instance-profile.arn":
        return [launch?.instanceProfile?.Arn];
      case "client-token":
        return [launch?.clientToken];
      case "architecture":
        return [ec2InstanceTypes[record.instanceType]?.architecture ?? "x86_64"];
      default:
        return tagFilterValues(record.tags, name);
    }
  }

  #publicIpFor(seq: number): string {
    const host = 10 + seq;
    return `54.170.${Math.floor(host / 250) + 1}.${host % 250}`;
  }

  #publicDnsNameFor(ip: string): string {
    const domain =
      this.#ctx.region === "us-east-1"
        ? "compute-1.amazonaws.com"
        : `${this.#ctx.region}.compute.amazonaws.com`;
    return `ec2-${ip.replaceAll(".", "-")}.${domain}`;
  }

  #privateDnsNameFor(ip: string): string {
    const domain = this.#ctx.region === "us-east-1" ? "ec2.internal" : `${this.#ctx.region}.compute.internal`;
    return `ip-${ip.replaceAll(".", "-")}.${domain}`;
  }

  #render(record: Ec2InstanceRecord): Instance {
    const addressed = addressedStates.includes(record.state);
    const privateIp = record.state === "terminated" ? undefined : record.privateIpAddress;
    const launch = record.launch;
    const typeInfo = ec2InstanceTypes[record.instanceType];
    return compact({
      InstanceId: record.instanceId,
      ImageId: record.imageId,
      InstanceType: record.instanceType as Instance["InstanceType"],
      State: { Code: stateCodes[record.state], Name: record.state },
      StateReason: record.state === "pending" ? { Code: "pending", Message: "pending" } : undefined,
      StateTransitionReason: launch ? "" : undefined,
      // EC2 answers "" (not nothing) for an instance without a public DNS name.
      PublicDnsName: addressed ? (record.publicDnsName ?? "") : "",
      PublicIpAddress: addressed ? record.publicIpAddress : undefined,
      PrivateDnsName: privateIp ? this.#privateDnsNameFor(privateIp) : "",
      PrivateIpAddress: privateIp,
      KeyName: record.keyName,
      LaunchTime: record.launchTime,
      AmiLaunchIndex: launch?.amiLaunchIndex ?? 0,
      Placement: {
        AvailabilityZone: record.availabilityZone,
        GroupName: launch ? "" : undefined,
        Tenancy: "default",
      },
      SubnetId: record.state === "terminated" ? undefined : launch?.subnetId,
      VpcId: record.state === "terminated" ? undefined : launch?.vpcId,
      SecurityGroups: (launch?.securityGroupIds ?? record.securityGroupIds)?.map((id) => ({
        GroupId: id,
        GroupName: this.#groups.find((group) => group.groupId === id)?.name,
      })),
      IamInstanceProfile: launch?.instanceProfile && { ...launch.instanceProfile },
      ClientToken: launch ? (launch.clientToken ?? "") : undefined,
      Monitoring: launch ? { State: "disabled" } : undefined,
      EbsOptimized: launch ? false : undefined,
      EnaSupport: launch ? true : undefined,
      Architecture: typeInfo?.architecture ?? "x86_64",
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
      Hypervisor: "xen",
      Tags: clone(record.tags),
    } satisfies Instance);
  }

  // ===============================================================================================
  // Internals: network, key pairs, images

  #defaultVpc(): VpcRecord | undefined {
    return this.#vpcs.find((vpc) => vpc.isDefault);
  }

  /** A security group by name in the default VPC (where EC2 accepts group names). */
  #defaultVpcGroup(name: string): SecurityGroupRecord | undefined {
    const vpcId = this.#defaultVpc()?.vpcId;
    return this.#groups.find((group) => group.vpcId === vpcId && group.name === name);
  }

  #newGroup(name: string, description: string, vpcId: string, tags: Tag[]): SecurityGroupRecord {
    const group: SecurityGroupRecord = {
      groupId: `sg-${this.#ctx.ids.hex(17)}`,
      name,
      description,
      vpcId,
      ingress: [],
      egress: [],
      tags,
    };
    group.egress.push(this.#rule({ protocol: "-1", cidr: "0.0.0.0/0" }));
    this.#groups.push(group);
    return group;
  }

  #rule(rule: Omit<RuleRecord, "ruleId" | "fromPort" | "toPort"> & Partial<RuleRecord>): RuleRecord {
    return { fromPort: undefined, toPort: undefined, ...rule, ruleId: `sgr-${this.#ctx.ids.hex(17)}` };
  }

  #groupArn(group: SecurityGroupRecord): string {
    return `arn:aws:ec2:${this.#ctx.region}:${this.#ctx.accountId}:security-group/${group.groupId}`;
  }

  #imageRecord(spec: Ec2ImageSpec): ImageRecord {
    const isPublic = spec.public ?? spec.ownerAlias === "amazon";
    return {
      imageId: spec.imageId ?? imageIdFor(spec.name, this.#ctx.region),
      name: spec.name,
      description: spec.description,
      creationDate: spec.creationDate,
      ownerId: spec.ownerId ?? this.#ctx.accountId,
      ownerAlias: spec.ownerAlias,
      architecture: spec.architecture ?? "x86_64",
      state: spec.state ?? "available",
      public: isPublic,
      deprecationTime:
        spec.deprecationTime === null
          ? undefined
          : (spec.deprecationTime ?? (isPublic ? defaultDeprecationTime(spec.creationDate) : undefined)),
    };
  }

  #renderVpc(vpc: VpcRecord): Vpc {
    return {
      VpcId: vpc.vpcId,
      OwnerId: this.#ctx.accountId,
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
    const used = this.#instances.filter(
      (record) => record.launch?.subnetId === subnet.subnetId && record.state !== "terminated",
    ).length;
    return compact({
      AvailabilityZoneId: zoneIdFor(this.#ctx.region, subnet.zoneIndex),
      MapCustomerOwnedIpOnLaunch: false,
      OwnerId: this.#ctx.accountId,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      SubnetArn: `arn:aws:ec2:${this.#ctx.region}:${this.#ctx.accountId}:subnet/${subnet.subnetId}`,
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

  #renderGroup(group: SecurityGroupRecord): SecurityGroup {
    return compact({
      GroupId: group.groupId,
      GroupName: group.name,
      Description: group.description,
      VpcId: group.vpcId,
      OwnerId: this.#ctx.accountId,
      SecurityGroupArn: this.#groupArn(group),
      IpPermissions: permissionsOf(group.ingress),
      IpPermissionsEgress: permissionsOf(group.egress),
      Tags: group.tags.length > 0 ? clone(group.tags) : undefined,
    } satisfies SecurityGroup);
  }

  #renderRule(group: SecurityGroupRecord, rule: RuleRecord, isEgress: boolean): SecurityGroupRule {
    return compact({
      SecurityGroupRuleId: rule.ruleId,
      GroupId: group.groupId,
      GroupOwnerId: this.#ctx.accountId,
      IsEgress: isEgress,
      IpProtocol: rule.protocol,
      FromPort: rule.protocol === "-1" ? -1 : rule.fromPort,
      ToPort: rule.protocol === "-1" ? -1 : rule.toPort,
      CidrIpv4: rule.cidr,
      ReferencedGroupInfo: rule.groupId ? { GroupId: rule.groupId, UserId: rule.userId } : undefined,
      Description: rule.description,
      SecurityGroupRuleArn: `arn:aws:ec2:${this.#ctx.region}:${this.#ctx.accountId}:security-group-rule/${rule.ruleId}`,
    } satisfies SecurityGroupRule);
  }

  #renderKeyPair(pair: KeyPairRecord): KeyPairInfo {
    return {
      KeyPairId: pair.keyPairId,
      KeyFingerprint: pair.fingerprint,
      KeyName: pair.name,
      KeyType: pair.keyType,
      Tags: clone(pair.tags),
      CreateTime: pair.createTime,
    };
  }

  #renderImage(image: ImageRecord): Image {
    return compact({
      PlatformDetails: "Linux/UNIX",
      UsageOperation: "RunInstances",
      BlockDeviceMappings: [
        {
          Ebs: {
            DeleteOnTermination: true,
            SnapshotId: `snap-${image.imageId.slice(4)}`,
            VolumeSize: 30,
            VolumeType: "gp2",
            Encrypted: false,
          },
          DeviceName: "/dev/xvda",
        },
      ],
      Description: image.description,
      EnaSupport: true,
      Hypervisor: "xen",
      ImageOwnerAlias: image.ownerAlias,
      Name: image.name,
      RootDeviceName: "/dev/xvda",
      RootDeviceType: "ebs",
      SriovNetSupport: "simple",
      VirtualizationType: "hvm",
      BootMode: "uefi-preferred",
      ImageId: image.imageId,
      ImageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
      State: image.state,
      OwnerId: image.ownerId,
      CreationDate: image.creationDate,
      Public: image.public,
      Architecture: image.architecture,
      ImageType: "machine",
      DeprecationTime: image.deprecationTime,
    } satisfies Image);
  }

  // ===============================================================================================
  // Internals: request handling

  #dryRun(dryRun: boolean | undefined): void {
    if (dryRun) {
      throw this.#error(
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412, // EC2 answers a successful dry run with HTTP 412.
      );
    }
  }

  #checkMaxResults(maxResults: number | undefined): void {
    if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
      throw this.#error(
        "InvalidParameterValue",
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
      );
    }
  }

  #page<T>(items: readonly T[], input: { MaxResults?: number | undefined; NextToken?: string | undefined }) {
    return paginate(
      items,
      { maxResults: input.MaxResults, nextToken: input.NextToken },
      {
        defaultMax: Number.POSITIVE_INFINITY,
        invalidToken: () =>
          this.#error("InvalidParameterValue", `Invalid value '${input.NextToken}' for nextToken`),
      },
    );
  }

  /** Selects by id, failing the whole call with `notFound` for the first unknown id (`…Malformed` for a bad one). */
  #byIds<R>(
    records: readonly R[],
    ids: readonly string[] | undefined,
    idOf: (record: R) => string,
    prefix: string,
    notFound: (id: string) => Error,
  ): R[] {
    if (!ids || ids.length === 0) return [...records];
    const pattern = RESOURCE_ID(prefix);
    for (const id of ids) {
      if (!pattern.test(id)) {
        const kind =
          { vpc: "InvalidVpcID", subnet: "InvalidSubnetID", sg: "InvalidGroupId" }[prefix] ?? "InvalidID";
        throw this.#error(`${kind}.Malformed`, `Invalid id: "${id}" (expecting "${prefix}-...")`);
      }
      if (!records.some((record) => idOf(record) === id)) throw notFound(id);
    }
    return records.filter((record) => ids.includes(idOf(record)));
  }

  /** EC2 filter semantics: all filters must match; a filter matches when any value (with wildcards) does. */
  #filter<R>(
    records: readonly R[],
    filters: Filter[] | undefined,
    operation: string,
    values: FilterValues<R>,
  ): R[] {
    let selected = [...records];
    for (const filter of filters ?? []) {
      const name = filter.Name ?? "";
      const matchers = (filter.Values ?? []).map(wildcardMatcher);
      selected = selected.filter((record) => {
        const actual = values(record, name);
        if (actual === undefined) {
          throw new Error(`simulated EC2 does not implement the ${operation} filter "${name}"`);
        }
        return actual.some((value) => value !== undefined && matchers.some((matches) => matches(value)));
      });
    }
    return selected;
  }

  #error(code: string, message: string, httpStatusCode = 400): Error {
    const error = unmodeledError(EC2ServiceException, {
      name: code,
      message,
      httpStatusCode,
      ids: this.#ctx.ids,
    });
    // The EC2 protocol deserializer also copies the XML body's Code and Error onto the exception.
    return Object.assign(error, { Code: code, Error: { Code: code, Message: message } });
  }

  #faultError(kind: FaultKind, call: FaultedCall, principalArn: string): Error | undefined {
    switch (kind) {
      case "throttling": {
        const error = throttlingError(EC2ServiceException, this.#ctx.ids, "Request limit exceeded.");
        return Object.assign(error, {
          name: "RequestLimitExceeded",
          Code: "RequestLimitExceeded",
          Error: { Code: "RequestLimitExceeded", Message: "Request limit exceeded." },
        });
      }
      case "server":
        return this.#error("InternalError", "An internal error has occurred", 500);
      case "unavailable":
        return this.#error("Unavailable", "The server is overloaded and can't handle the request.", 503);
      case "access-denied": {
        // EC2 names the resource only for actions with resource-level permissions, and then adds an encoded
        // message (decodable with sts:DecodeAuthorizationMessage; here an opaque token).
        const denial = denialOf(this.errorProfile, call);
        const message = accessDeniedMessage(principalArn, denial, { omitStarResource: true });
        const encoded =
          denial.resource === "*" ? "" : `. Encoded authorization failure message: ${this.#ctx.ids.hex(48)}`;
        return this.#error(
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

/** Tag filters every EC2 resource supports: `tag:<key>`, `tag-key`, `tag-value`; undefined for other names. */
function tagFilterValues(tags: readonly Tag[], name: string): readonly (string | undefined)[] | undefined {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return tags.filter((tag) => tag.Key === key).map((tag) => tag.Value ?? "");
  }
  if (name === "tag-key") return tags.map((tag) => tag.Key);
  if (name === "tag-value") return tags.map((tag) => tag.Value);
  return undefined;
}

/** The tags of a `TagSpecifications` entry for one resource type. */
function tagsFor(specifications: readonly TagSpecification[] | undefined, resourceType: string): Tag[] {
  return (specifications ?? [])
    .filter((specification) => specification.ResourceType === resourceType)
    .flatMap((specification) => specification.Tags ?? [])
    .map((tag) => ({ Key: tag.Key, Value: tag.Value ?? "" }));
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

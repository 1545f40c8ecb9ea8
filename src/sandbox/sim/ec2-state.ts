/**
 * What the parts of the simulated EC2 share (ec2.ts wires them together): the instances, VPCs, subnets,
 * security groups, key pairs and images, the timings and instance types in force, the IAM and ECS simulators
 * launched instances deal with, and the checks every request goes through (dry runs, ids, filters, pages).
 */
import { EC2ServiceException, type Filter, type InstanceStateName, type Tag } from "@aws-sdk/client-ec2";
import { paginate, type SimContext } from "./core.js";
import { defaultOfferedInstanceType, wildcardMatcher } from "./ec2-model.js";
import type { EcsSimulator } from "./ecs.js";
import { unmodeledError } from "./errors.js";
import type { IamSimulator } from "./iam.js";

export type Ec2InstanceState = `${InstanceStateName}`;

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

export interface VpcRecord {
  vpcId: string;
  cidr: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  associationId: string;
  tags: Tag[];
}

export interface SubnetRecord {
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

/** Something outside EC2 whose network interfaces use security groups, e.g. RDS DB instances. */
export type SecurityGroupUser = () => Iterable<string>;

export interface SecurityGroupRecord {
  groupId: string;
  name: string;
  description: string;
  vpcId: string;
  ingress: RuleRecord[];
  egress: RuleRecord[];
  tags: Tag[];
}

export interface KeyPairRecord {
  keyPairId: string;
  name: string;
  fingerprint: string;
  keyType: "rsa" | "ed25519";
  createTime: Date;
  tags: Tag[];
}

export interface ImageRecord {
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

const RESOURCE_ID = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);

type FilterValues<R> = (record: R, name: string) => readonly (string | undefined)[] | undefined;

export class Ec2State {
  readonly ctx: SimContext;
  readonly iam: Ec2SimulatorOptions["iam"];
  readonly ecs: Ec2SimulatorOptions["ecs"];
  /** Replaced by `Ec2Simulator.setTimings`: what is already scheduled keeps its time. */
  timings: Ec2Timings;
  /** Whether the region offers an instance type (`Ec2Simulator.setOfferedInstanceTypes`). */
  offered: (instanceType: string) => boolean = defaultOfferedInstanceType;
  readonly instances: Ec2InstanceRecord[] = [];
  readonly vpcs: VpcRecord[] = [];
  readonly subnets: SubnetRecord[] = [];
  readonly groups: SecurityGroupRecord[] = [];
  readonly keyPairs: KeyPairRecord[] = [];
  readonly images: ImageRecord[] = [];
  /** RunInstances ClientToken → reservation id, for idempotent retries. */
  readonly clientTokens = new Map<string, string>();
  /** Security groups used outside EC2 (DB instances): DeleteSecurityGroup refuses them. */
  readonly groupUsers: SecurityGroupUser[] = [];

  constructor(context: SimContext, options: Ec2SimulatorOptions) {
    this.ctx = context;
    this.iam = options.iam;
    this.ecs = options.ecs;
    this.timings = { ...defaultEc2Timings, ...options.timings };
  }

  /** Runs what is due. */
  sync(): void {
    this.ctx.clock.advance();
  }

  find(instanceId: string): Ec2InstanceRecord | undefined {
    return this.instances.find((record) => record.instanceId === instanceId);
  }

  defaultVpc(): VpcRecord | undefined {
    return this.vpcs.find((vpc) => vpc.isDefault);
  }

  /** A security group by name in the default VPC (where EC2 accepts group names). */
  defaultVpcGroup(name: string): SecurityGroupRecord | undefined {
    const vpcId = this.defaultVpc()?.vpcId;
    return this.groups.find((group) => group.vpcId === vpcId && group.name === name);
  }

  dryRun(dryRun: boolean | undefined): void {
    if (dryRun) {
      throw this.error(
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412, // EC2 answers a successful dry run with HTTP 412.
      );
    }
  }

  checkMaxResults(maxResults: number | undefined): void {
    if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
      throw this.error(
        "InvalidParameterValue",
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
      );
    }
  }

  page<T>(items: readonly T[], input: { MaxResults?: number | undefined; NextToken?: string | undefined }) {
    return paginate(
      items,
      { maxResults: input.MaxResults, nextToken: input.NextToken },
      {
        defaultMax: Number.POSITIVE_INFINITY,
        invalidToken: () =>
          this.error("InvalidParameterValue", `Invalid value '${input.NextToken}' for nextToken`),
      },
    );
  }

  /** Selects by id, failing the whole call with `notFound` for the first unknown id (`…Malformed` for a bad one). */
  byIds<R>(
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
        throw this.error(`${kind}.Malformed`, `Invalid id: "${id}" (expecting "${prefix}-...")`);
      }
      if (!records.some((record) => idOf(record) === id)) throw notFound(id);
    }
    return records.filter((record) => ids.includes(idOf(record)));
  }

  /** EC2 filter semantics: all filters must match; a filter matches when any value (with wildcards) does. */
  filter<R>(
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

  error(code: string, message: string, httpStatusCode = 400): Error {
    const error = unmodeledError(EC2ServiceException, {
      name: code,
      message,
      httpStatusCode,
      ids: this.ctx.ids,
    });
    // The EC2 protocol deserializer also copies the XML body's Code and Error onto the exception.
    return Object.assign(error, { Code: code, Error: { Code: code, Message: message } });
  }
}

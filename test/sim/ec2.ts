/**
 * Simulated Amazon EC2: just enough instances for mcctl to find where its tasks run (container instance →
 * EC2 instance → public DNS name or private IP). Instances are added by tests (`addInstance`), not launched
 * through the API; `DescribeInstances` answers the way EC2 does, including its error codes.
 *
 * Each API method takes the SDK input type and returns the SDK response type (without `$metadata`).
 */
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesResult,
  EC2ServiceException,
  type Filter,
  type Instance,
  type InstanceStateName,
  type Reservation,
  type Tag,
} from "@aws-sdk/client-ec2";
import { clone, compact, createSimContext, paginate, type SimContext } from "./core.js";
import { type FaultKind, type ServiceErrorProfile, throttlingError, unmodeledError } from "./errors.js";

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
  tags?: Tag[];
}

/** How long a terminated instance stays visible to DescribeInstances, as on EC2 (about an hour). */
export const TERMINATED_RETENTION_MS = 60 * 60_000;

interface Ec2InstanceRecord {
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
}

const stateCodes: Record<Ec2InstanceState, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** States in which an instance has its public address. */
const addressedStates: readonly Ec2InstanceState[] = ["pending", "running", "stopping", "shutting-down"];

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Filters the simulator understands: name → the instance's values for it. */
const filterValues: Record<string, (instance: Ec2InstanceRecord) => readonly (string | undefined)[]> = {
  "instance-id": (instance) => [instance.instanceId],
  "instance-state-name": (instance) => [instance.state],
  "instance-type": (instance) => [instance.instanceType],
  "private-ip-address": (instance) => [instance.privateIpAddress],
};

export class Ec2Simulator {
  /** How the fault injector builds EC2 errors (EC2 has its own codes for throttling and access denied). */
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #instances: Ec2InstanceRecord[] = [];

  constructor(context: SimContext = createSimContext()) {
    this.#ctx = context;
    this.errorProfile = {
      service: "EC2",
      iamPrefix: "ec2",
      BaseException: EC2ServiceException,
      resourceArn: () => "*",
      faultError: (kind, call, faultContext) =>
        this.#faultError(kind, call.command, faultContext.principalArn),
    };
  }

  // ===============================================================================================
  // Test setup and inspection

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
      options.publicIpAddress === null
        ? undefined
        : (options.publicIpAddress ?? `54.170.${Math.floor(host / 250) + 1}.${host % 250}`);
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
      tags: options.tags ?? [],
      launchTime: this.#ctx.clock.date(),
      seq,
    };
    this.#instances.push(record);
    if (record.state === "terminated") this.#schedulePurge(record);
    return this.#render(record);
  }

  /**
   * Moves an instance to another state at once (e.g. `stopped`: its public address disappears; `terminated`:
   * it stays visible for an hour, then DescribeInstances no longer knows it).
   */
  setInstanceState(instanceId: string, state: Ec2InstanceState): Instance {
    this.#sync();
    const record = this.#find(instanceId);
    if (!record) throw new Error(`simulated EC2: no instance ${instanceId}`);
    if (record.state === "terminated") throw new Error(`simulated EC2: ${instanceId} is terminated`);
    record.state = state;
    if (state === "terminated") this.#schedulePurge(record);
    return this.#render(record);
  }

  /** Every instance still visible, as DescribeInstances renders it, in the order they were added. */
  instances(): Instance[] {
    this.#sync();
    return this.#instances.map((record) => this.#render(record));
  }

  // ===============================================================================================
  // API

  describeInstances(input: DescribeInstancesCommandInput): DescribeInstancesResult {
    this.#sync();
    if (input.DryRun) {
      throw this.#error(
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412, // EC2 answers a successful dry run with HTTP 412.
      );
    }
    const ids = input.InstanceIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw this.#error(
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
      );
    }
    if (input.MaxResults !== undefined && (input.MaxResults < 5 || input.MaxResults > 1000)) {
      throw this.#error(
        "InvalidParameterValue",
        `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
      );
    }
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
    for (const filter of input.Filters ?? []) selected = selected.filter(this.#matcher(filter));
    // Without MaxResults EC2 answers everything at once.
    const pageInput = { maxResults: input.MaxResults, nextToken: input.NextToken };
    const { page, nextToken } = paginate(selected, pageInput, {
      defaultMax: Number.POSITIVE_INFINITY,
      invalidToken: () =>
        this.#error("InvalidParameterValue", `Invalid value '${input.NextToken}' for nextToken`),
    });
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

  // ===============================================================================================
  // Internals

  #sync(): void {
    this.#ctx.clock.advance();
  }

  #find(instanceId: string): Ec2InstanceRecord | undefined {
    return this.#instances.find((record) => record.instanceId === instanceId);
  }

  #schedulePurge(record: Ec2InstanceRecord): void {
    this.#ctx.clock.after(TERMINATED_RETENTION_MS, `EC2 instance ${record.instanceId} purged`, () => {
      const index = this.#instances.indexOf(record);
      if (index !== -1 && record.state === "terminated") this.#instances.splice(index, 1);
    });
  }

  #matcher(filter: Filter): (record: Ec2InstanceRecord) => boolean {
    const name = filter.Name ?? "";
    const valuesOf = filterValues[name];
    if (!valuesOf) throw new Error(`simulated EC2 does not implement the DescribeInstances filter "${name}"`);
    const wanted = filter.Values ?? [];
    return (record) => valuesOf(record).some((value) => value !== undefined && wanted.includes(value));
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
    return compact({
      InstanceId: record.instanceId,
      ImageId: record.imageId,
      InstanceType: record.instanceType as Instance["InstanceType"],
      State: { Code: stateCodes[record.state], Name: record.state },
      // EC2 answers "" (not nothing) for an instance without a public DNS name.
      PublicDnsName: addressed ? (record.publicDnsName ?? "") : "",
      PublicIpAddress: addressed ? record.publicIpAddress : undefined,
      PrivateDnsName: privateIp ? this.#privateDnsNameFor(privateIp) : "",
      PrivateIpAddress: privateIp,
      KeyName: record.keyName,
      LaunchTime: record.launchTime,
      AmiLaunchIndex: 0,
      Placement: { AvailabilityZone: `${this.#ctx.region}a`, Tenancy: "default" },
      Architecture: "x86_64",
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
      Hypervisor: "xen",
      Tags: clone(record.tags),
    } satisfies Instance);
  }

  #error(code: string, message: string, httpStatusCode = 400): Error {
    const error = unmodeledError(EC2ServiceException, {
      name: code,
      message,
      httpStatusCode,
      ids: this.#ctx.ids,
    });
    // The EC2 protocol deserializer also copies the XML body's Code and Message onto the exception.
    return Object.assign(error, { Code: code, Message: message });
  }

  #faultError(kind: FaultKind, command: string, principalArn: string): Error | undefined {
    switch (kind) {
      case "throttling": {
        const error = throttlingError(EC2ServiceException, this.#ctx.ids, "Request limit exceeded.");
        return Object.assign(error, { name: "RequestLimitExceeded", Code: "RequestLimitExceeded" });
      }
      case "server":
        return this.#error("InternalError", "An internal error has occurred", 500);
      case "unavailable":
        return this.#error("Unavailable", "The server is overloaded and can't handle the request.", 503);
      case "access-denied": {
        const action = `ec2:${command}`;
        return this.#error(
          "UnauthorizedOperation",
          `You are not authorized to perform this operation. User: ${principalArn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
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

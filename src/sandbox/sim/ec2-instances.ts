/**
 * EC2 instances in the simulator: DescribeInstances and RunInstances (TerminateInstances: ec2-teardown.ts), and
 * the test set-up that adds instances or moves them to another state. What RunInstances checks is
 * ec2-launch.ts's; what the ECS agent on a launched instance does, ec2-ecs-agent.ts's.
 */
import type {
  DescribeInstancesCommandInput,
  DescribeInstancesResult,
  Instance,
  Reservation,
  RunInstancesCommandInput,
  Tag,
} from "@aws-sdk/client-ec2";
import { clone, compact } from "./core.js";
import { enterRunning, syncContainerInstance } from "./ec2-ecs-agent.js";
import {
  instanceFilterValues,
  publicDnsNameFor,
  publicIpFor,
  renderInstance,
} from "./ec2-instance-render.js";
import { launchImage, launchNetwork, launchProfile, launchUserData } from "./ec2-launch.js";
import { ec2InstanceTypes, formatIp, parseCidr, tagsFor } from "./ec2-model.js";
import {
  type Ec2InstanceRecord,
  type Ec2InstanceState,
  type Ec2State,
  TERMINATED_RETENTION_MS,
} from "./ec2-state.js";

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

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export class Ec2Instances {
  readonly #state: Ec2State;

  constructor(state: Ec2State) {
    this.#state = state;
  }

  /** Adds an instance (in its own reservation) without going through the API; returns it as EC2 describes it. */
  addInstance(options: AddInstanceOptions = {}): Instance {
    this.#state.sync();
    const instanceId = options.instanceId ?? `i-${this.#state.ctx.ids.hex(17)}`;
    if (!INSTANCE_ID.test(instanceId)) {
      throw new Error(
        `simulated EC2: addInstance: "${instanceId}" is not an instance id like i-0123456789abcdef0`,
      );
    }
    if (this.#state.find(instanceId))
      throw new Error(`simulated EC2: addInstance: ${instanceId} exists already`);
    const seq = this.#state.instances.length;
    const host = 10 + seq;
    const publicIpAddress =
      options.publicIpAddress === null ? undefined : (options.publicIpAddress ?? publicIpFor(seq));
    const publicDnsName =
      options.publicDnsName === null
        ? undefined
        : (options.publicDnsName ??
          (publicIpAddress && publicDnsNameFor(this.#state.ctx.region, publicIpAddress)));
    const record: Ec2InstanceRecord = {
      instanceId,
      reservationId: `r-${this.#state.ctx.ids.hex(17)}`,
      imageId: options.imageId ?? "ami-0c1f7b7a8b3e5d9f2",
      instanceType: options.instanceType ?? "m5.xlarge",
      state: options.state ?? "running",
      privateIpAddress: options.privateIpAddress ?? `10.0.${Math.floor(host / 250) + 1}.${host % 250}`,
      publicIpAddress,
      publicDnsName,
      keyName: options.keyName,
      ...(options.securityGroupIds ? { securityGroupIds: [...options.securityGroupIds] } : {}),
      tags: options.tags ?? [],
      launchTime: this.#state.ctx.clock.date(),
      seq,
      availabilityZone: `${this.#state.ctx.region}a`,
      generation: 0,
    };
    this.#state.instances.push(record);
    if (record.state === "terminated") this.schedulePurge(record);
    return renderInstance(this.#state, record);
  }

  /** Moves an instance to another state at once, dropping its scheduled transitions; ECS follows. */
  setInstanceState(instanceId: string, state: Ec2InstanceState): Instance {
    this.#state.sync();
    const record = this.#state.find(instanceId);
    if (!record) throw new Error(`simulated EC2: no instance ${instanceId}`);
    if (record.state === "terminated") throw new Error(`simulated EC2: ${instanceId} is terminated`);
    record.generation += 1;
    if (state === "running" && record.launch) {
      enterRunning(this.#state, record);
    } else {
      record.state = state;
    }
    if (state === "terminated") this.schedulePurge(record);
    syncContainerInstance(this.#state, record);
    return renderInstance(this.#state, record);
  }

  /** Every instance still visible, as DescribeInstances renders it, in the order they were added. */
  instances(): Instance[] {
    this.#state.sync();
    return this.#state.instances.map((record) => renderInstance(this.#state, record));
  }

  /** One instance as DescribeInstances renders it, or undefined. */
  instance(instanceId: string): Instance | undefined {
    this.#state.sync();
    const record = this.#state.find(instanceId);
    return record && renderInstance(this.#state, record);
  }

  /** The user data a launched instance was given, decoded; undefined when it has none. */
  userDataOf(instanceId: string): string | undefined {
    const userData = this.#state.find(instanceId)?.launch?.userData;
    return userData === undefined ? undefined : Buffer.from(userData, "base64").toString("utf8");
  }

  describeInstances(input: DescribeInstancesCommandInput): DescribeInstancesResult {
    this.#state.sync();
    this.#state.dryRun(input.DryRun);
    const ids = input.InstanceIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw this.#state.error(
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
      );
    }
    this.#state.checkMaxResults(input.MaxResults);
    let selected = this.#state.instances;
    if (ids.length > 0) {
      const malformed = ids.find((id) => !INSTANCE_ID.test(id));
      if (malformed !== undefined)
        throw this.#state.error("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`);
      const missing = [...new Set(ids.filter((id) => !this.#state.find(id)))];
      if (missing.length === 1) {
        throw this.#state.error(
          "InvalidInstanceID.NotFound",
          `The instance ID '${missing[0]}' does not exist`,
        );
      }
      if (missing.length > 1) {
        throw this.#state.error(
          "InvalidInstanceID.NotFound",
          `The instance IDs '${missing.join(", ")}' do not exist`,
        );
      }
      selected = selected.filter((record) => ids.includes(record.instanceId));
    }
    selected = this.#state.filter(selected, input.Filters, "DescribeInstances", (record, name) =>
      instanceFilterValues(this.#state, record, name),
    );
    // Without MaxResults EC2 answers everything at once.
    const { page, nextToken } = this.#state.page(selected, input);
    const reservations = new Map<string, Reservation>();
    for (const record of page) {
      const reservation = reservations.get(record.reservationId) ?? {
        ReservationId: record.reservationId,
        OwnerId: this.#state.ctx.accountId,
        Groups: [],
        Instances: [],
      };
      reservation.Instances?.push(renderInstance(this.#state, record));
      reservations.set(record.reservationId, reservation);
    }
    return compact({
      Reservations: [...reservations.values()],
      NextToken: nextToken,
    });
  }

  runInstances(input: RunInstancesCommandInput): Reservation {
    this.#state.sync();
    if (input.LaunchTemplate)
      throw new Error("simulated EC2 does not implement RunInstances with a LaunchTemplate");
    if (input.ClientToken !== undefined) {
      const reservationId = this.#state.clientTokens.get(input.ClientToken);
      if (reservationId !== undefined) return this.#reservation(reservationId);
    }
    // The checks run in roughly the order EC2 makes them; the first failure fails the whole request.
    const image = launchImage(this.#state, input.ImageId);
    const instanceType = input.InstanceType ?? "m1.small";
    const typeInfo = ec2InstanceTypes[instanceType];
    if (!typeInfo)
      throw this.#state.error("InvalidParameterValue", `Invalid value '${instanceType}' for InstanceType.`);
    if (!this.#state.offered(instanceType)) {
      throw this.#state.error(
        "Unsupported",
        "The requested configuration is currently not supported. Please check the documentation for supported configurations.",
      );
    }
    if (typeInfo.architecture !== image.architecture) {
      throw this.#state.error(
        "InvalidParameterValue",
        `The architecture '${typeInfo.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
      );
    }
    if (input.KeyName !== undefined && !this.#state.keyPairs.some((pair) => pair.name === input.KeyName)) {
      throw this.#state.error("InvalidKeyPair.NotFound", `The key pair '${input.KeyName}' does not exist`);
    }
    const { subnet, groups, associatePublicIp } = launchNetwork(this.#state, input);
    const instanceProfile = launchProfile(this.#state, input.IamInstanceProfile);
    const userData = launchUserData(this.#state, input.UserData);
    this.#state.dryRun(input.DryRun);

    const count = Math.max(1, input.MaxCount ?? input.MinCount ?? 1);
    const reservationId = `r-${this.#state.ctx.ids.hex(17)}`;
    const instanceTags = tagsFor(input.TagSpecifications, "instance");
    for (let index = 0; index < count; index++) {
      const seq = this.#state.instances.length;
      const record: Ec2InstanceRecord = {
        instanceId: `i-${this.#state.ctx.ids.hex(17)}`,
        reservationId,
        imageId: image.imageId,
        instanceType,
        state: "pending",
        privateIpAddress: formatIp(parseCidr(subnet.cidr).base + subnet.nextHost++),
        publicIpAddress: undefined,
        publicDnsName: undefined,
        keyName: input.KeyName,
        tags: clone(instanceTags),
        launchTime: this.#state.ctx.clock.date(),
        seq,
        availabilityZone: subnet.availabilityZone,
        generation: 0,
        launch: {
          subnetId: subnet.subnetId,
          vpcId: subnet.vpcId,
          securityGroupIds: groups.map((group) => group.groupId),
          plannedPublicIp: associatePublicIp ? publicIpFor(seq) : undefined,
          instanceProfile,
          userData,
          amiLaunchIndex: index,
          clientToken: input.ClientToken,
          containerInstanceArn: undefined,
        },
      };
      this.#state.instances.push(record);
      const generation = record.generation;
      this.#state.ctx.clock.after(this.#state.timings.pendingMs, `EC2 ${record.instanceId} running`, () => {
        if (record.generation === generation && record.state === "pending") enterRunning(this.#state, record);
      });
    }
    if (input.ClientToken !== undefined) this.#state.clientTokens.set(input.ClientToken, reservationId);
    return this.#reservation(reservationId);
  }

  #reservation(reservationId: string): Reservation {
    const instances = this.#state.instances.filter((record) => record.reservationId === reservationId);
    return {
      ReservationId: reservationId,
      OwnerId: this.#state.ctx.accountId,
      Groups: [],
      Instances: instances.map((record) => renderInstance(this.#state, record)),
    };
  }

  schedulePurge(record: Ec2InstanceRecord): void {
    this.#state.ctx.clock.after(TERMINATED_RETENTION_MS, `EC2 instance ${record.instanceId} purged`, () => {
      const index = this.#state.instances.indexOf(record);
      if (index !== -1 && record.state === "terminated") this.#state.instances.splice(index, 1);
    });
  }
}

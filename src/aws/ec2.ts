import {
  type _InstanceType,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Filter,
  type Image,
  type Instance,
  type InstanceTypeInfo,
  type IpPermission,
  type KeyPairInfo,
  paginateDescribeInstances,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type SecurityGroup,
  type Subnet,
  TerminateInstancesCommand,
  type Vpc,
} from "@aws-sdk/client-ec2";
import type { AwsConfig } from "./config.js";
import { EC2_PERMISSIONS } from "./ec2-permissions.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of Ec2Api without a declaration. */
const DECLARED: PermissionTable<Ec2Api> = EC2_PERMISSIONS;

/** The part of EC2 that mcctl uses. */
export interface Ec2Api {
  /**
   * The instances with these ids. Ids EC2 does not know (any more: terminated instances disappear after
   * about an hour) are left out, where EC2 itself would fail the whole call.
   */
  describeInstances(instanceIds: readonly string[]): Promise<Instance[]>;
  /** Instances matching EC2 filters, e.g. a tag mcctl set at launch and a state. */
  findInstances(filters: Filter[]): Promise<Instance[]>;
  defaultVpc(): Promise<Vpc | undefined>;
  subnets(vpcId: string): Promise<Subnet[]>;
  securityGroups(filters: Filter[]): Promise<SecurityGroup[]>;
  createSecurityGroup(input: {
    name: string;
    description: string;
    vpcId: string;
    tags: Record<string, string>;
  }): Promise<string>;
  /** Adds an ingress rule; a rule that already exists counts as success (returns false). */
  authorizeIngress(groupId: string, permission: IpPermission): Promise<boolean>;
  keyPairs(): Promise<KeyPairInfo[]>;
  /**
   * The AMIs with these ids, deprecated ones included. Ids EC2 does not know (any more: a deregistered AMI
   * disappears once no instance uses it) are left out, where EC2 itself would fail the whole call.
   */
  describeImages(imageIds: readonly string[]): Promise<Image[]>;
  runInstance(input: RunInstancesCommandInput): Promise<Instance>;
  /**
   * Whether the region offers this instance type (DescribeInstanceTypeOfferings by Region). False also for
   * a type EC2 does not know at all; RunInstances would reject either.
   */
  isInstanceTypeOffered(instanceType: string): Promise<boolean>;
  /**
   * The type's vCPUs, memory and architectures (DescribeInstanceTypes); undefined for a type EC2 does not
   * know or does not support in this region (InvalidInstanceType).
   */
  describeInstanceType(instanceType: string): Promise<InstanceTypeInfo | undefined>;
  /** The current-generation, not bare-metal types this region supports for an architecture, every page. */
  currentInstanceTypes(architecture: "x86_64" | "arm64"): Promise<InstanceTypeInfo[]>;
  /** Starts terminating the instances; EC2 reports them terminated a minute or two later. */
  terminateInstances(instanceIds: readonly string[]): Promise<void>;
  /** Removes one ingress rule; a rule that is not there (any more) is fine. */
  revokeIngress(groupId: string, permission: IpPermission): Promise<void>;
  /**
   * Deletes a security group: "deleted", "missing", or "in-use" while an instance, a database or another
   * group's rule still refers to it (EC2's DependencyViolation; detaching an instance's interface takes a
   * while after it terminated).
   */
  deleteSecurityGroup(groupId: string): Promise<"deleted" | "missing" | "in-use">;
}

const NOT_FOUND = "InvalidInstanceID.NotFound";

export function createEc2Api(config: AwsConfig, limits: AwsLimits = {}): Ec2Api {
  const client = new EC2Client(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);

  const describe = async (input: { InstanceIds?: string[]; Filters?: Filter[] }) => {
    const instances: Instance[] = [];
    for await (const page of paginateDescribeInstances({ client }, input)) {
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    }
    return instances;
  };

  return {
    findInstances: (filters) =>
      call({ declared: DECLARED.findInstances }, () => describe({ Filters: filters })),

    defaultVpc: () =>
      call({ declared: DECLARED.defaultVpc }, async () => {
        const output = await client.send(
          new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
        );
        return output.Vpcs?.[0];
      }),

    subnets: (vpcId) =>
      call({ declared: DECLARED.subnets }, async () => {
        const output = await client.send(
          new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
        );
        return output.Subnets ?? [];
      }),

    securityGroups: (filters) =>
      call({ declared: DECLARED.securityGroups }, async () => {
        const output = await client.send(new DescribeSecurityGroupsCommand({ Filters: filters }));
        return output.SecurityGroups ?? [];
      }),

    createSecurityGroup: ({ name, description, vpcId, tags }) =>
      call({ declared: DECLARED.createSecurityGroup }, async () => {
        const output = await client.send(
          new CreateSecurityGroupCommand({
            GroupName: name,
            Description: description,
            VpcId: vpcId,
            TagSpecifications: [
              {
                ResourceType: "security-group",
                Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
              },
            ],
          }),
        );
        if (!output.GroupId) throw new Error("EC2 returned no id for the new security group");
        return output.GroupId;
      }),

    authorizeIngress: (groupId, permission) =>
      call({ declared: DECLARED.authorizeIngress }, async () => {
        try {
          await client.send(
            new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
          );
          return true;
        } catch (error) {
          if (awsErrorName(error) === "InvalidPermission.Duplicate") return false;
          throw error;
        }
      }),

    keyPairs: () =>
      call({ declared: DECLARED.keyPairs }, async () => {
        const output = await client.send(new DescribeKeyPairsCommand({}));
        return output.KeyPairs ?? [];
      }),

    describeImages: async (imageIds) => {
      const ids = [...new Set(imageIds)];
      if (ids.length === 0) return [];
      const describe = async (known: string[]) => {
        const output = await client.send(
          new DescribeImagesCommand({ ImageIds: known, IncludeDeprecated: true }),
        );
        return output.Images ?? [];
      };
      return call({ declared: DECLARED.describeImages }, async () => {
        // EC2 fails the whole call naming the unknown id(s): ask again without them.
        let known = ids;
        while (known.length > 0) {
          try {
            return await describe(known);
          } catch (error) {
            const missing = missingImageIds(error);
            if (!missing.some((id) => known.includes(id))) throw error;
            known = known.filter((id) => !missing.includes(id));
          }
        }
        return [];
      });
    },

    runInstance: (input) =>
      call({ declared: DECLARED.runInstance }, async () => {
        const output = await client.send(new RunInstancesCommand(input));
        const instance = output.Instances?.[0];
        if (!instance) throw new Error("EC2 returned no instance after launching one");
        return instance;
      }),

    isInstanceTypeOffered: (instanceType) =>
      call({ declared: DECLARED.isInstanceTypeOffered }, async () => {
        const pages = paginateDescribeInstanceTypeOfferings(
          { client },
          { LocationType: "region", Filters: [{ Name: "instance-type", Values: [instanceType] }] },
        );
        for await (const page of pages) {
          if (page.InstanceTypeOfferings?.some((offering) => offering.InstanceType === instanceType))
            return true;
        }
        return false;
      }),

    describeInstanceType: (instanceType) =>
      call({ declared: DECLARED.describeInstanceType }, async () => {
        try {
          const output = await client.send(
            new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }),
          );
          return output.InstanceTypes?.find((info) => info.InstanceType === instanceType);
        } catch (error) {
          if (awsErrorName(error) === "InvalidInstanceType") return undefined;
          throw error;
        }
      }),

    currentInstanceTypes: (architecture) =>
      call({ declared: DECLARED.currentInstanceTypes }, async () => {
        const types: InstanceTypeInfo[] = [];
        const pages = paginateDescribeInstanceTypes(
          { client },
          {
            Filters: [
              { Name: "current-generation", Values: ["true"] },
              { Name: "bare-metal", Values: ["false"] },
              { Name: "processor-info.supported-architecture", Values: [architecture] },
            ],
          },
        );
        for await (const page of pages) types.push(...(page.InstanceTypes ?? []));
        return types;
      }),

    terminateInstances: (instanceIds) =>
      call({ declared: DECLARED.terminateInstances }, async () => {
        await client.send(new TerminateInstancesCommand({ InstanceIds: [...instanceIds] }));
      }),

    revokeIngress: (groupId, permission) =>
      call({ declared: DECLARED.revokeIngress }, async () => {
        try {
          await client.send(
            new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
          );
        } catch (error) {
          if (awsErrorName(error) === "InvalidPermission.NotFound") return;
          throw error;
        }
      }),

    deleteSecurityGroup: (groupId) =>
      call({ declared: DECLARED.deleteSecurityGroup }, async () => {
        try {
          await client.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
          return "deleted" as const;
        } catch (error) {
          const name = awsErrorName(error);
          if (name === "InvalidGroup.NotFound") return "missing" as const;
          if (name === "DependencyViolation") return "in-use" as const;
          throw error;
        }
      }),

    describeInstances: async (instanceIds) => {
      const ids = [...new Set(instanceIds)];
      if (ids.length === 0) return [];
      return call({ declared: DECLARED.describeInstances }, async () => {
        try {
          return await describe({ InstanceIds: ids });
        } catch (error) {
          // EC2 names every unknown id in one error: ask again for the others.
          const missing = missingIds(error);
          if (missing.length === 0) throw error;
          const known = ids.filter((id) => !missing.includes(id));
          return known.length === 0 ? [] : await describe({ InstanceIds: known });
        }
      });
    },
  };
}

/** "The image id '[ami-1, ami-2]' does not exist" → ["ami-1", "ami-2"]; [] for any other error. */
function missingImageIds(error: unknown): string[] {
  if (!(error instanceof Error) || error.name !== "InvalidAMIID.NotFound") return [];
  return error.message.match(/ami-[0-9a-f]+/g) ?? [];
}

/** "The instance IDs 'i-1, i-2' do not exist" → ["i-1", "i-2"]; [] for any other error. */
function missingIds(error: unknown): string[] {
  if (!(error instanceof Error) || error.name !== NOT_FOUND) return [];
  return error.message.match(/i-[0-9a-f]+/g) ?? [];
}

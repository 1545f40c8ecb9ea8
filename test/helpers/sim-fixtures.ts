/** Ready-made Model Catalogue resources for tests that use the simulated AWS. */
import type { Instance } from "@aws-sdk/client-ec2";
import type {
  ContainerInstance,
  CreateServiceCommandInput,
  RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import type { AddInstanceOptions } from "../../src/sandbox/sim/ec2.js";
import type { AddContainerInstanceOptions } from "../../src/sandbox/sim/ecs.js";
import type { SimulatedAws } from "./sim.js";

/**
 * The Model Catalogue task definition in its usual shape: `mc` (metadata/registry, 2048 CPU, 10240 MiB,
 * host port 80 → 8080) and `mc-es` (1024 CPU, 4096 MiB). Together 3072 CPU / 14336 MiB: one task fits the
 * default simulated container instance (4096 / 15360) and a second one does not.
 */
export function mcTaskDefinition(
  options: { family?: string; image?: string; hostPort?: number } = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family: options.family ?? "mc",
    containerDefinitions: [
      {
        name: "mc",
        image: options.image ?? "metadata/registry:2",
        cpu: 2048,
        memory: 10240,
        essential: true,
        portMappings: [{ hostPort: options.hostPort ?? 80, containerPort: 8080, protocol: "tcp" }],
        links: ["mc-es:mc-es"],
        environment: [{ name: "MC_NAME", value: "Model Catalogue" }],
      },
      {
        name: "mc-es",
        image: "metadata/registry-elasticsearch:2",
        cpu: 1024,
        memory: 4096,
        essential: true,
        mountPoints: [{ containerPath: "/usr/share/elasticsearch/data", sourceVolume: "mc-es-data" }],
      },
    ],
    volumes: [{ name: "mc-es-data", host: { sourcePath: "/opt/docker-volumes/mc-es-data" } }],
  };
}

export type HostOptions = AddInstanceOptions &
  Omit<AddContainerInstanceOptions, "ec2InstanceId" | "instanceType">;

/**
 * A container instance as it really comes about: an EC2 instance (running, with a public DNS name unless
 * `publicDnsName: null`) whose ECS agent registered it in `cluster`. Options go to `sim.ec2.addInstance`
 * (instanceId, publicDnsName, privateIpAddress, instanceType, state…) and `sim.ecs.addContainerInstance`
 * (cpu, memoryMiB, agentConnected, status, reservedPorts, agentVersion, withoutAttributes).
 */
export function addMcHost(
  sim: SimulatedAws,
  cluster: string,
  options: HostOptions = {},
): { instance: Instance; containerInstance: ContainerInstance } {
  const {
    cpu,
    memoryMiB,
    agentConnected,
    status,
    reservedPorts,
    agentVersion,
    withoutAttributes,
    ...ec2Options
  } = options;
  const instance = sim.ec2.addInstance(ec2Options);
  const containerInstance = sim.ecs.addContainerInstance(cluster, {
    ec2InstanceId: instance.InstanceId,
    instanceType: instance.InstanceType,
    cpu,
    memoryMiB,
    agentConnected,
    status,
    reservedPorts,
    agentVersion,
    amiId: instance.ImageId,
    withoutAttributes,
  });
  return { instance, containerInstance };
}

/**
 * Cluster `mc` with one default container instance (on an EC2 instance with a public DNS name) and the
 * `mc` task definition registered (revision 1).
 */
export function seedMcCluster(sim: SimulatedAws, options: { cluster?: string } = {}): { cluster: string } {
  const cluster = options.cluster ?? "mc";
  sim.ecs.addCluster(cluster);
  addMcHost(sim, cluster);
  sim.ecs.registerTaskDefinition(mcTaskDefinition());
  return { cluster };
}

/** CreateService input for the `mc` service: one task, old task stops before the new one starts. */
export function mcServiceInput(
  overrides: Partial<CreateServiceCommandInput> = {},
): CreateServiceCommandInput {
  return {
    cluster: "mc",
    serviceName: "mc",
    taskDefinition: "mc",
    desiredCount: 1,
    launchType: "EC2",
    deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    ...overrides,
  };
}

/** What `seedEmptyAccount` created. */
export interface SeededAccount {
  vpcId: string;
  subnetIds: string[];
  /** The default VPC's "default" security group. */
  defaultSecurityGroupId: string;
  instanceProfileName: string;
  keyPairName: string;
}

/**
 * An account as `mcctl setup` finds it: the default VPC (subnets in `zones` Availability Zones, default 3,
 * and its default security group), the instance profile `ecsInstanceRole` (with its role) and a key pair
 * `mc`. No bucket, database, cluster or instance yet.
 */
export function seedEmptyAccount(
  sim: SimulatedAws,
  options: { zones?: number; instanceProfileName?: string; keyPairName?: string } = {},
): SeededAccount {
  const { vpcId, subnetIds, securityGroupId } = sim.ec2.addDefaultVpc({ zones: options.zones });
  const instanceProfileName = options.instanceProfileName ?? "ecsInstanceRole";
  sim.iam.addInstanceProfile(instanceProfileName);
  const keyPairName = options.keyPairName ?? "mc";
  sim.ec2.addKeyPair(keyPairName);
  return { vpcId, subnetIds, defaultSecurityGroupId: securityGroupId, instanceProfileName, keyPairName };
}

/** Base64 user data that points the ECS agent at `cluster`, as RunInstances expects it. */
export function ecsUserData(cluster: string): string {
  const script = `#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`;
  return Buffer.from(script, "utf8").toString("base64");
}

import type { Image, Instance } from "@aws-sdk/client-ec2";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import type { Ec2Api } from "../aws/ec2.js";
import { containerInstanceAmiId, endOfSupportWarning, operatingSystemOfImage } from "../domain/ecs-ami.js";
import { InterruptedError, McctlError } from "../errors.js";

/** `mcctl status`'s view of one container instance, from ECS, EC2 and the AMI it runs. */
export interface ContainerInstanceStatus {
  containerInstanceId: string;
  containerInstanceArn: string;
  ec2InstanceId?: string;
  status: string;
  agentConnected: boolean;
  cpu: { free: number; registered: number };
  memoryMiB: { free: number; registered: number };
  runningTasks: number;
  pendingTasks: number;
  instanceType?: string;
  /** The AMI it was launched from (the agent's `ecs.ami-id`, else EC2's ImageId). */
  imageId?: string;
  /** That AMI's name and the Amazon Linux release it runs, when EC2 still describes it. */
  imageName?: string;
  operatingSystem?: string;
  /** EC2's state of the instance (running, stopped…), when EC2 could be asked. */
  instanceState?: string;
  publicDnsName?: string;
  privateIpAddress?: string;
}

/**
 * The EC2 side of the container instances: one DescribeInstances (public DNS names, AMI ids) and one
 * DescribeImages (the AMIs' names, so their operating systems). What EC2 refuses becomes a warning; the
 * report stands without it.
 */
export async function lookUpHosts(
  containerInstances: readonly ContainerInstance[],
  ec2: () => Promise<Ec2Api>,
  warnings: string[],
): Promise<{ ec2Instances: Instance[]; images: Image[] }> {
  const ec2Ids = unique(containerInstances.map((instance) => instance.ec2InstanceId));
  if (ec2Ids.length === 0) return { ec2Instances: [], images: [] };
  let api: Ec2Api;
  let ec2Instances: Instance[] = [];
  try {
    api = await ec2();
    ec2Instances = await api.describeInstances(ec2Ids);
  } catch (error) {
    if (!(error instanceof McctlError) || error instanceof InterruptedError) throw error;
    warnings.push(`no EC2 details (public DNS names): ${error.message}`);
    return { ec2Instances, images: [] };
  }
  const imageIds = unique(
    containerInstances.map((instance) =>
      containerInstanceAmiId(
        instance.attributes,
        ec2Instances.find((ec2Instance) => ec2Instance.InstanceId === instance.ec2InstanceId)?.ImageId,
      ),
    ),
  );
  try {
    const images = imageIds.length > 0 ? await api.describeImages(imageIds) : [];
    return { ec2Instances, images };
  } catch (error) {
    if (!(error instanceof McctlError) || error instanceof InterruptedError) throw error;
    warnings.push(`no AMI details (operating systems): ${error.message}`);
    return { ec2Instances, images: [] };
  }
}

/** The warning for an instance whose operating system is past its end of support (none or one). */
export function endOfSupportWarnings(instance: ContainerInstanceStatus, now: number): string[] {
  if (!instance.ec2InstanceId || !instance.imageId) return [];
  const warning = endOfSupportWarning(
    { ec2InstanceId: instance.ec2InstanceId, imageId: instance.imageId, imageName: instance.imageName },
    now,
  );
  return warning ? [warning] : [];
}

export function containerInstanceStatus(
  instance: ContainerInstance,
  ec2Instance: Instance | undefined,
  images: readonly Image[],
): ContainerInstanceStatus {
  const value = (resources: ContainerInstance["remainingResources"], name: string) =>
    resources?.find((resource) => resource.name === name)?.integerValue ?? 0;
  const imageId = containerInstanceAmiId(instance.attributes, ec2Instance?.ImageId);
  const imageName = images.find((image) => image.ImageId === imageId)?.Name;
  return {
    containerInstanceId: lastSegment(instance.containerInstanceArn ?? ""),
    containerInstanceArn: instance.containerInstanceArn ?? "",
    ec2InstanceId: instance.ec2InstanceId,
    status: instance.status ?? "UNKNOWN",
    agentConnected: instance.agentConnected ?? false,
    cpu: {
      free: value(instance.remainingResources, "CPU"),
      registered: value(instance.registeredResources, "CPU"),
    },
    memoryMiB: {
      free: value(instance.remainingResources, "MEMORY"),
      registered: value(instance.registeredResources, "MEMORY"),
    },
    runningTasks: instance.runningTasksCount ?? 0,
    pendingTasks: instance.pendingTasksCount ?? 0,
    instanceType:
      ec2Instance?.InstanceType ??
      instance.attributes?.find((attribute) => attribute.name === "ecs.instance-type")?.value,
    imageId,
    imageName,
    operatingSystem: imageName ? operatingSystemOfImage(imageName)?.name : undefined,
    instanceState: ec2Instance?.State?.Name,
    publicDnsName: nonEmpty(ec2Instance?.PublicDnsName),
    privateIpAddress: ec2Instance?.PrivateIpAddress,
  };
}

export function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** EC2 answers "" for "no public DNS name". */
export function nonEmpty(text: string | undefined): string | undefined {
  return text ? text : undefined;
}

function unique<T>(values: readonly (T | undefined)[]): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}

import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { awsErrorName } from "../../aws/errors.js";
import { SUGGESTED_INSTANCE_TYPE } from "../../config/defaults.js";
import {
  containerInstanceAmiId,
  endOfSupportWarning,
  instanceTypeArchitecture,
  operatingSystemOfImage,
  parseRecommendedEcsAmi,
  recommendedEcsAmiParameter,
} from "../../domain/ecs-ami.js";
import { McctlError } from "../../errors.js";
import type { PlanIo, SetupAws } from "./types.js";

/** Errors that mean the caller may not make a call (SSM's and EC2's wording). */
const ACCESS_DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]);

/** The AMI a container instance is launched from, as the plan names it. */
export interface LaunchImage {
  id: string;
  /** e.g. "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64". */
  name: string;
  /** e.g. "Amazon Linux 2023". */
  os: string;
}

/**
 * The AMI a new container instance is launched from: the ECS-optimized Amazon Linux 2023 AMI that AWS
 * recommends for the instance type's architecture, as its SSM public parameter names it. A name search
 * in DescribeImages would not do: it leaves out deprecated AMIs, and AWS deprecates its public AMIs two
 * years after they are made.
 */
export async function recommendedEcsImage(
  io: PlanIo,
  aws: SetupAws,
  instanceType: string,
): Promise<LaunchImage> {
  const architecture = instanceTypeArchitecture(instanceType);
  const parameter = recommendedEcsAmiParameter(architecture);
  let value: string | undefined;
  try {
    value = await aws.ssm.publicParameter(parameter);
  } catch (error) {
    if (!ACCESS_DENIED.has(causeName(error) ?? "")) throw error;
    throw new McctlError(
      `cannot read which AMI to launch: AWS denied ssm:GetParameter on its public parameter ${parameter}`,
      {
        suggestion: `Ask an administrator to allow ssm:GetParameter on arn:aws:ssm:${io.region}::parameter/aws/service/ecs/* (AmazonECS_FullAccess allows it), then run mcctl setup again; nothing was created.`,
        cause: error,
      },
    );
  }
  if (value === undefined) {
    throw new McctlError(
      `${io.region} publishes no ECS-optimized Amazon Linux 2023 AMI for ${architecture} (${instanceType}): SSM has no parameter ${parameter}`,
      {
        suggestion:
          architecture === "arm64"
            ? `Choose an x86_64 instance type such as ${SUGGESTED_INSTANCE_TYPE} (setup.instance.type in mcctl.json), or a region where Amazon ECS offers Graviton AMIs; nothing was created.`
            : "Run mcctl setup in a region where Amazon ECS publishes its optimized AMIs (--region); nothing was created.",
      },
    );
  }
  const recommended = parseRecommendedEcsAmi(value);
  if (!recommended) {
    throw new McctlError(`SSM parameter ${parameter} does not name an AMI as AWS documents it`, {
      suggestion: `Look at it with \`aws ssm get-parameter --region ${io.region} --name ${parameter}\`, and run mcctl setup again later; nothing was created.`,
    });
  }
  const name = recommended.imageName ?? recommended.imageId;
  return {
    id: recommended.imageId,
    name,
    os: recommended.os ?? operatingSystemOfImage(name)?.name ?? "Amazon Linux 2023",
  };
}

/**
 * Warns about each registered container instance whose operating system is past its end of support:
 * setup keeps using an instance that has room for the task, so this is where the operator hears of it.
 * The AMI comes from the agent's `ecs.ami-id` attribute, else from EC2; its name from DescribeImages.
 * When EC2 may not be asked, one warning says so and the plan goes on.
 */
export async function warnAboutUnsupportedOs(
  io: PlanIo,
  aws: SetupAws,
  instances: readonly ContainerInstance[],
  now: number,
): Promise<void> {
  const hosts = instances.filter((instance) => instance.ec2InstanceId);
  if (hosts.length === 0) return;
  try {
    const withoutAttribute = hosts
      .filter((instance) => !containerInstanceAmiId(instance.attributes, undefined))
      .flatMap((instance) => (instance.ec2InstanceId ? [instance.ec2InstanceId] : []));
    const described = withoutAttribute.length > 0 ? await aws.ec2.describeInstances(withoutAttribute) : [];
    const amiOf = new Map(
      hosts.map((instance) => [
        instance.ec2InstanceId ?? "",
        containerInstanceAmiId(
          instance.attributes,
          described.find((ec2) => ec2.InstanceId === instance.ec2InstanceId)?.ImageId,
        ),
      ]),
    );
    const ids = [...new Set([...amiOf.values()].filter((id): id is string => id !== undefined))];
    const images = ids.length > 0 ? await aws.ec2.describeImages(ids) : [];
    for (const [ec2InstanceId, imageId] of amiOf) {
      if (!imageId) continue;
      const imageName = images.find((image) => image.ImageId === imageId)?.Name;
      const warning = endOfSupportWarning({ ec2InstanceId, imageId, imageName }, now);
      if (warning) io.warn(warning);
    }
  } catch (error) {
    if (!(error instanceof McctlError) || !ACCESS_DENIED.has(causeName(error) ?? "")) throw error;
    io.warn(`Cannot tell which operating system the container instances run: ${error.message}`);
  }
}

function causeName(error: unknown): string | undefined {
  return awsErrorName(error instanceof McctlError && error.cause instanceof Error ? error.cause : error);
}

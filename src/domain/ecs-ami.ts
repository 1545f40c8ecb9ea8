/**
 * The Amazon ECS-optimized Amazon Linux AMIs: the SSM public parameter that names the recommended one for
 * an architecture and what its value holds, an instance type's architecture, and until when each Amazon
 * Linux release is supported. Pure: the clock is passed in.
 */

export type CpuArchitecture = "x86_64" | "arm64";

/**
 * Graviton (arm64) families: a1, and every family whose generation number is followed by "g" (t4g, m6g,
 * m7gd, c7gn, x2gd, im4gn, is4gen, g5g…). Every other family is x86_64.
 */
const GRAVITON_FAMILY = /^(a1|[a-z]+\d+g[a-z]*)$/;

/** The processor architecture of an instance type, from its family name ("m6g.xlarge" → arm64). */
export function instanceTypeArchitecture(instanceType: string): CpuArchitecture {
  const family = instanceType.split(".")[0] ?? "";
  return GRAVITON_FAMILY.test(family) ? "arm64" : "x86_64";
}

/**
 * The SSM public parameter whose value describes the recommended ECS-optimized Amazon Linux 2023 AMI for
 * the architecture (ECS Developer Guide, "Retrieving Amazon ECS-optimized Linux AMI metadata"). Its
 * sub-parameter `…/recommended/image_id` holds the id alone.
 */
export function recommendedEcsAmiParameter(architecture: CpuArchitecture): string {
  const variant = architecture === "arm64" ? "amazon-linux-2023/arm64" : "amazon-linux-2023";
  return `/aws/service/ecs/optimized-ami/${variant}/recommended`;
}

/** What the `…/recommended` parameter says about the AMI. */
export interface RecommendedEcsAmi {
  imageId: string;
  /** e.g. "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64". */
  imageName?: string | undefined;
  /** e.g. "Amazon Linux 2023". */
  os?: string | undefined;
  ecsAgentVersion?: string | undefined;
}

/**
 * The parameter's value, a JSON object: `{"schema_version":1,"image_id":"ami-…","image_name":"…",
 * "os":"Amazon Linux 2023","ecs_agent_version":"…","ecs_runtime_version":"…"}`. Undefined when it is not
 * such an object with an AMI id.
 */
export function parseRecommendedEcsAmi(value: string): RecommendedEcsAmi | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  const text = (key: string) =>
    typeof fields[key] === "string" && fields[key] !== "" ? fields[key] : undefined;
  const imageId = text("image_id");
  if (!imageId || !/^ami-[0-9a-f]{8,17}$/.test(imageId)) return undefined;
  return {
    imageId,
    imageName: text("image_name"),
    os: text("os"),
    ecsAgentVersion: text("ecs_agent_version"),
  };
}

/** An Amazon Linux release and the last day AWS supports it (YYYY-MM-DD, UTC). */
export interface OperatingSystem {
  name: string;
  supportEnds: string;
}

/**
 * Amazon Linux releases by the names of their AMIs (ECS-optimized or not). Support ends: Amazon Linux
 * 2023 on 2029-06-30 (AL2023 User Guide, "Release cadence"); Amazon Linux 2 on 2026-06-30 (Amazon Linux 2
 * FAQs); the Amazon Linux AMI's maintenance support on 2023-12-31 (EC2 User Guide, "Amazon Linux").
 */
const RELEASES: readonly (OperatingSystem & { namePrefix: string })[] = [
  { namePrefix: "al2023-ami-", name: "Amazon Linux 2023", supportEnds: "2029-06-30" },
  { namePrefix: "amzn2-ami-", name: "Amazon Linux 2", supportEnds: "2026-06-30" },
  { namePrefix: "amzn-ami-", name: "Amazon Linux AMI", supportEnds: "2023-12-31" },
];

/** The Amazon Linux release an AMI runs, from its name; undefined for anything else (Bottlerocket, Ubuntu…). */
export function operatingSystemOfImage(imageName: string): OperatingSystem | undefined {
  const release = RELEASES.find((candidate) => imageName.startsWith(candidate.namePrefix));
  return release && { name: release.name, supportEnds: release.supportEnds };
}

/** Whether `now` (epoch ms) is after the last day of support. */
export function isPastEndOfSupport(os: OperatingSystem, now: number): boolean {
  return now >= Date.parse(`${os.supportEnds}T00:00:00Z`) + 24 * 60 * 60_000;
}

/** The ECS agent's attribute naming the AMI a container instance was launched from. */
export const AMI_ID_ATTRIBUTE = "ecs.ami-id";

/** A container instance and the AMI it runs. */
export interface InstanceImage {
  ec2InstanceId: string;
  imageId: string;
  /** Undefined when EC2 no longer describes the AMI (deregistered): then nothing is known about it. */
  imageName?: string | undefined;
}

/**
 * The warning for a container instance whose operating system is past its end of support, with what to
 * do; undefined while it is supported or when the AMI is not Amazon Linux.
 */
export function endOfSupportWarning(host: InstanceImage, now: number): string | undefined {
  const os = host.imageName ? operatingSystemOfImage(host.imageName) : undefined;
  if (!os || !isPastEndOfSupport(os, now)) return undefined;
  return (
    `${host.ec2InstanceId} runs ${os.name} (${host.imageId}), whose support ended on ${os.supportEnds}: ` +
    "move to Amazon Linux 2023 in a maintenance window — " +
    `terminate it (aws ec2 terminate-instances --instance-ids ${host.ec2InstanceId}), ` +
    "run `mcctl setup` to launch a container instance from the recommended ECS-optimized AMI, " +
    'then run "Reindex Catalogue" once (the search index lived on the old instance)'
  );
}

/** The AMI a container instance runs: the agent's `ecs.ami-id` attribute, else EC2's ImageId. */
export function containerInstanceAmiId(
  attributes: readonly { name?: string | undefined; value?: string | undefined }[] | undefined,
  ec2ImageId: string | undefined,
): string | undefined {
  return attributes?.find((attribute) => attribute.name === AMI_ID_ATTRIBUTE)?.value ?? ec2ImageId;
}

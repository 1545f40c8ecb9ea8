/**
 * Static EC2 facts for the simulator: the instance types it knows (with what the ECS agent registers for
 * them), the public Amazon Machine Images it lists, filter wildcards, tags and small address helpers.
 */
import { createHash } from "node:crypto";
import type { Tag, TagSpecification } from "@aws-sdk/client-ec2";

export interface Ec2InstanceTypeInfo {
  vCpus: number;
  /** Nominal memory. */
  memoryMiB: number;
  architecture: "x86_64" | "arm64";
  /** CPU units the ECS agent registers (1024 per vCPU). */
  ecsCpu: number;
  /** Memory the ECS agent registers: what the kernel reports, less what the OS keeps (roughly 95 %). */
  ecsMemoryMiB: number;
}

function type(
  vCpus: number,
  memoryGiB: number,
  architecture: "x86_64" | "arm64" = "x86_64",
  ecsMemoryMiB?: number,
) {
  const memoryMiB = Math.round(memoryGiB * 1024);
  return {
    vCpus,
    memoryMiB,
    architecture,
    ecsCpu: vCpus * 1024,
    ecsMemoryMiB: ecsMemoryMiB ?? Math.floor(memoryMiB * 0.95),
  } satisfies Ec2InstanceTypeInfo;
}

/** The instance types the simulated EC2 knows. Anything else is `InvalidParameterValue` in RunInstances. */
export const ec2InstanceTypes: Readonly<Record<string, Ec2InstanceTypeInfo>> = {
  "m1.small": type(1, 1.7),
  "t2.micro": type(1, 1),
  "t2.small": type(1, 2),
  "t2.medium": type(2, 4),
  "t2.large": type(2, 8),
  "t3.micro": type(2, 1),
  "t3.small": type(2, 2),
  "t3.medium": type(2, 4, "x86_64", 3800),
  "t3.large": type(2, 8),
  "t3.xlarge": type(4, 16),
  "t3a.medium": type(2, 4, "x86_64", 3800),
  "t3a.large": type(2, 8),
  "t4g.medium": type(2, 4, "arm64", 3800),
  "t4g.large": type(2, 8, "arm64"),
  "m3.medium": type(1, 3.75),
  "m3.large": type(2, 7.5),
  "m3.xlarge": type(4, 15),
  "m3.2xlarge": type(8, 30),
  "m4.large": type(2, 8),
  "m4.xlarge": type(4, 16),
  "m5.large": type(2, 8, "x86_64", 7680),
  "m5.xlarge": type(4, 16, "x86_64", 15576),
  "m5.2xlarge": type(8, 32),
  "m6i.large": type(2, 8),
  "m6i.xlarge": type(4, 16, "x86_64", 15576),
  "m6g.large": type(2, 8, "arm64"),
  "m6g.xlarge": type(4, 16, "arm64", 15576),
  "c5.large": type(2, 4),
  "c5.xlarge": type(4, 8),
  "r5.large": type(2, 16),
  "r5.xlarge": type(4, 32),
};

/** Default offering: every known type except the m3 generation (gone from newer regions). */
export function defaultOfferedInstanceType(instanceType: string): boolean {
  return !instanceType.startsWith("m3.");
}

/** Owner account of the Amazon ECS-optimized AMIs (alias "amazon"). */
export const ECS_AMI_OWNER = "591542846629";
/** Owner account of the plain Amazon Linux AMIs (alias "amazon"). */
export const AMAZON_LINUX_OWNER = "137112412989";

/** An image as the simulator lists it. */
export interface Ec2ImageSpec {
  imageId?: string;
  name: string;
  description?: string;
  /** ISO timestamp, as DescribeImages answers it. */
  creationDate: string;
  ownerId?: string;
  /** "amazon" for Amazon's own images; none for others. */
  ownerAlias?: string;
  architecture?: "x86_64" | "arm64";
  state?: "available" | "pending" | "failed" | "deregistered";
  public?: boolean;
  /**
   * ISO timestamp from which the image is deprecated; null for never. Default: a public image two years
   * after its creation, as EC2 sets it for every public AMI; a private one never.
   */
  deprecationTime?: string | null;
}

/**
 * When EC2 deprecates a public AMI by default: two years after its creation (EC2 User Guide, "Deprecate an
 * AMI"), to the minute.
 */
export function defaultDeprecationTime(creationDate: string): string {
  const date = new Date(creationDate);
  date.setUTCFullYear(date.getUTCFullYear() + 2);
  date.setUTCSeconds(0, 0);
  return date.toISOString();
}

/** A deterministic AMI id for a public image (the same in every test run). */
export function imageIdFor(name: string, region: string): string {
  return `ami-${createHash("sha256").update(`${region}/${name}`).digest("hex").slice(0, 17)}`;
}

/**
 * The public images every simulated region lists: several ECS-optimized Amazon Linux 2 releases (x86_64 and
 * arm64, each with its own CreationDate; all deprecated by 2026-11, two years after their creation), three
 * ECS-optimized Amazon Linux 2023 releases (x86_64 and arm64; the newest, 2023.0.20261101, is the one the
 * SSM public parameters recommend: see ssm-public.ts) and a plain Amazon Linux 2 image.
 */
export const defaultPublicImages: readonly Ec2ImageSpec[] = [
  ...[
    ["20240131", "2024-01-31T22:12:45.000Z"],
    ["20240424", "2024-04-24T19:33:09.000Z"],
    ["20240712", "2024-07-12T17:41:52.000Z"],
    ["20241010", "2024-10-10T21:04:18.000Z"],
  ].flatMap(([release, date]) =>
    (["x86_64", "arm64"] as const).map((architecture) => ({
      name: `amzn2-ami-ecs-hvm-2.0.${release}-${architecture}-ebs`,
      description: `Amazon Linux AMI 2.0.${release} ${architecture} ECS HVM GP2`,
      creationDate: date ?? "",
      ownerId: ECS_AMI_OWNER,
      ownerAlias: "amazon",
      architecture,
    })),
  ),
  ...[
    ["20241010", "2024-10-10T20:58:11.000Z"],
    ["20260923", "2026-09-23T19:12:40.000Z"],
    ["20261101", "2026-11-01T18:40:02.000Z"],
  ].flatMap(([release, date]) =>
    (["x86_64", "arm64"] as const).map((architecture) => ({
      name: `al2023-ami-ecs-hvm-2023.0.${release}-kernel-6.1-${architecture}`,
      description: `Amazon Linux AMI 2023.0.${release} ${architecture} ECS HVM EBS`,
      creationDate: date ?? "",
      ownerId: ECS_AMI_OWNER,
      ownerAlias: "amazon",
      architecture,
    })),
  ),
  {
    name: "amzn2-ami-hvm-2.0.20241001.0-x86_64-gp2",
    description: "Amazon Linux 2 AMI 2.0.20241001.0 x86_64 HVM gp2",
    creationDate: "2024-10-01T23:40:00.000Z",
    ownerId: AMAZON_LINUX_OWNER,
    ownerAlias: "amazon",
    architecture: "x86_64",
  },
];

/** Tag filters every EC2 resource supports: `tag:<key>`, `tag-key`, `tag-value`; undefined for other names. */
export function tagFilterValues(
  tags: readonly Tag[],
  name: string,
): readonly (string | undefined)[] | undefined {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return tags.filter((tag) => tag.Key === key).map((tag) => tag.Value ?? "");
  }
  if (name === "tag-key") return tags.map((tag) => tag.Key);
  if (name === "tag-value") return tags.map((tag) => tag.Value);
  return undefined;
}

/** The tags of a `TagSpecifications` entry for one resource type. */
export function tagsFor(
  specifications: readonly TagSpecification[] | undefined,
  resourceType: string,
): Tag[] {
  return (specifications ?? [])
    .filter((specification) => specification.ResourceType === resourceType)
    .flatMap((specification) => specification.Tags ?? [])
    .map((tag) => ({ Key: tag.Key, Value: tag.Value ?? "" }));
}

/** An EC2 filter value: `*` matches any characters, `?` exactly one; everything else literally. */
export function wildcardMatcher(pattern: string): (value: string) => boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  const regex = new RegExp(`^${source}$`, "s");
  return (value) => regex.test(value);
}

/** The zone id of a zone letter, e.g. "euw1-az1" for eu-west-1a. */
export function zoneIdFor(region: string, zoneIndex: number): string {
  const [area = "", ...rest] = region.split("-");
  const number = rest.pop() ?? "1";
  return `${area}${rest.map((part) => part[0]).join("")}${number}-az${zoneIndex + 1}`;
}

/** `10.0.0.0/16` → its first address as a number, and its prefix length. */
export function parseCidr(cidr: string): { base: number; prefix: number } {
  const [address = "0.0.0.0", prefix = "32"] = cidr.split("/");
  const base = address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return { base, prefix: Number(prefix) };
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The protocol as EC2 stores it ("tcp", "udp", "icmp", "-1"), or undefined when EC2 does not know it. */
export function normalizeProtocol(protocol: string | undefined): string | undefined {
  const value = (protocol ?? "").toLowerCase();
  const aliases: Record<string, string> = {
    tcp: "tcp",
    "6": "tcp",
    udp: "udp",
    "17": "udp",
    icmp: "icmp",
    "1": "icmp",
    "-1": "-1",
    all: "-1",
  };
  return aliases[value];
}

/** EC2's numeric instance state codes (`State.Code`). */
export const instanceStateCodes = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;

/** What identifies a security group rule: protocol, ports (not for "-1") and the peer (a CIDR or a group). */
export interface RuleShape {
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidr?: string | undefined;
  groupId?: string | undefined;
}

/** Whether two rules are the same rule as EC2 sees it (descriptions do not count). */
export function sameRule(a: RuleShape, b: RuleShape): boolean {
  return (
    a.protocol === b.protocol &&
    (a.protocol === "-1" || (a.fromPort === b.fromPort && a.toPort === b.toPort)) &&
    a.cidr === b.cidr &&
    a.groupId === b.groupId
  );
}

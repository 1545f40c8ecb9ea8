import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import { awsErrorName } from "../../aws/errors.js";
import { DEFAULT_INSTANCE_TYPE, SUGGESTED_INSTANCE_TYPE } from "../../config/defaults.js";
import {
  CPU_UNITS_PER_VCPU,
  describeInstanceTypeSize,
  type InstanceTypeSize,
  instanceTypeShortfall,
  minimumNominalMemoryMiB,
  PREVIOUS_GENERATION,
  smallestFittingTypes,
  type TaskRequirement,
} from "../../domain/capacity.js";
import { McctlError, UsageError } from "../../errors.js";
import { answerText } from "./answers.js";
import type { PlanIo, SetupAws } from "./types.js";

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** How often the operator may choose a type that will not do before mcctl gives up. */
const MAX_TYPE_ATTEMPTS = 3;
/** How many of the types that fit the terminal offers, and the error names. */
const OFFERED_ALTERNATIVES = 6;
/** Errors that mean the caller may not make a call (EC2 and IAM/STS wording). */
const ACCESS_DENIED = new Set(["UnauthorizedOperation", "AccessDenied", "AccessDeniedException"]);
/** The answer that lets the operator type a type the list does not hold. */
const ANOTHER_TYPE = "";

/**
 * The instance type, checked against what the region offers (DescribeInstanceTypeOfferings) and against
 * what the task needs (DescribeInstanceTypes: vCPUs and memory, less what ECS and the OS keep), before
 * anything is created. A type that will not do: on a terminal the operator chooses another (the smallest
 * current-generation types of `architecture` that hold the task are offered); without one it is an error
 * naming the setting and the types that fit.
 */
export async function chooseInstanceType(
  io: PlanIo,
  aws: SetupAws,
  requirement: TaskRequirement,
  architecture: "x86_64" | "arm64" = "x86_64",
): Promise<string> {
  const known = io.settings.setup?.instance?.type;
  let instanceType = await answerText(io, {
    name: "setup.instance.type",
    message: "EC2 instance type of the container instance (4 vCPUs and 15 GiB or more)",
    known,
    defaultValue: DEFAULT_INSTANCE_TYPE,
    validate: validateInstanceType,
  });
  const badType = validateInstanceType(instanceType);
  if (badType) throw new UsageError(`setup.instance.type: ${badType}`);

  // Each type is looked up once, also the suggestion the operator may then choose.
  const offered = memo((type: string) => typeOffered(io, aws, type));
  const sizeOf = memo((type: string) => typeSize(io, aws, type, requirement));
  let fitting: Promise<InstanceTypeSize[]> | undefined;
  for (let attempt = 1; ; attempt++) {
    const fromSettings = known === instanceType;
    const last = !io.interactive || attempt >= MAX_TYPE_ATTEMPTS;
    const size = (await offered(instanceType)) === false ? undefined : await sizeOf(instanceType);
    if (size === "unchecked") return instanceType;
    if (size === undefined) {
      const alternative =
        instanceType !== SUGGESTED_INSTANCE_TYPE && (await offered(SUGGESTED_INSTANCE_TYPE)) !== false
          ? SUGGESTED_INSTANCE_TYPE
          : undefined;
      if (last) throw notOfferedError(io, instanceType, fromSettings, alternative);
      const previous = PREVIOUS_GENERATION.test(instanceType) ? " (a previous generation)" : "";
      io.warn(`${instanceType} is not offered in ${io.region}${previous}`);
      instanceType = await askInstead(io, instanceType, alternative);
      continue;
    }
    const shortfall = instanceTypeShortfall(size, requirement);
    if (shortfall.length === 0) return instanceType;
    fitting ??= fittingTypes(aws, requirement, architecture);
    const fits = (await fitting).slice(0, OFFERED_ALTERNATIVES);
    if (last) throw tooSmallError(io, size, { shortfall, fits, fromSettings, requirement });
    io.warn(`${describeInstanceTypeSize(size)} cannot hold the task: it has ${shortfall.join(", ")}`);
    instanceType = await chooseFittingType(io, instanceType, fits);
  }
}

function validateInstanceType(value: string): string | undefined {
  return INSTANCE_TYPE.test(value) ? undefined : "an instance type looks like m5.xlarge";
}

function memo<K, V>(look: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const answers = new Map<K, Promise<V>>();
  return (key) => {
    const answer = answers.get(key) ?? look(key);
    answers.set(key, answer);
    return answer;
  };
}

function askInstead(io: PlanIo, instanceType: string, alternative: string | undefined): Promise<string> {
  return answerText(io, {
    name: "setup.instance.type",
    message: `Instance type to launch instead of ${instanceType}`,
    defaultValue: alternative,
    validate: validateInstanceType,
  });
}

/** The terminal's offer: the smallest types that fit (m5.xlarge first when it is one of them), or another. */
async function chooseFittingType(
  io: PlanIo,
  instanceType: string,
  fits: readonly InstanceTypeSize[],
): Promise<string> {
  if (fits.length === 0) return askInstead(io, instanceType, undefined);
  const suggested = fits.find((size) => size.instanceType === SUGGESTED_INSTANCE_TYPE) ?? fits[0];
  const choice = await io.ask.askChoice<string>({
    message: `Instance type to launch instead of ${instanceType} (the smallest current-generation types ${io.region} offers that hold the task; by size, not price)`,
    choices: [
      ...fits.map((size) => ({ name: describeInstanceTypeSize(size), value: size.instanceType })),
      { name: "another type…", value: ANOTHER_TYPE },
    ],
    defaultValue: suggested?.instanceType,
  });
  return choice === ANOTHER_TYPE ? askInstead(io, instanceType, undefined) : choice;
}

function notOfferedError(
  io: PlanIo,
  instanceType: string,
  fromSettings: boolean,
  alternative: string | undefined,
): McctlError {
  const choose = alternative
    ? `Use ${alternative} (4 vCPUs, 16 GiB): set "setup": { "instance": { "type": "${alternative}" } } in mcctl.json`
    : `Choose a type with 4 vCPUs and 16 GiB or more that ${io.region} offers (${offeringsCommand(io.region)}) and set it as setup.instance.type in mcctl.json`;
  const terminal = io.interactive ? "" : ", or run mcctl setup on a terminal to choose";
  const previous = PREVIOUS_GENERATION.test(instanceType)
    ? ` ${instanceType} is a previous generation that many regions no longer offer.`
    : "";
  return new McctlError(
    `EC2 instance type ${instanceType}${sourceOf(instanceType, fromSettings)} is not offered in ${io.region}`,
    { suggestion: `${choose}${terminal}; nothing was created.${previous}` },
  );
}

/** One line: the type, what it lacks, and the types that fit. */
function tooSmallError(
  io: PlanIo,
  size: InstanceTypeSize,
  facts: {
    shortfall: string[];
    fits: readonly InstanceTypeSize[];
    fromSettings: boolean;
    requirement: TaskRequirement;
  },
): McctlError {
  const { fits, requirement } = facts;
  const proposed = fits.find((fit) => fit.instanceType === SUGGESTED_INSTANCE_TYPE) ?? fits[0];
  const terminal = io.interactive ? "" : ", or run mcctl setup on a terminal to choose";
  const choose = proposed
    ? `Types ${io.region} offers that hold it, smallest first (by size, not price): ${fits.map((fit) => fit.instanceType).join(", ")}. Set "setup": { "instance": { "type": "${proposed.instanceType}" } } in mcctl.json${terminal}`
    : `Choose a type with ${Math.ceil(requirement.cpu / CPU_UNITS_PER_VCPU)} vCPUs and ${Math.ceil(minimumNominalMemoryMiB(requirement) / 1024)} GiB or more and set it as setup.instance.type in mcctl.json${terminal}`;
  return new McctlError(
    `EC2 instance type ${size.instanceType}${sourceOf(size.instanceType, facts.fromSettings)} cannot hold the task (${requirement.cpu} CPU units, ${requirement.memoryMiB} MiB): it has ${facts.shortfall.join(", ")}`,
    { suggestion: `${choose}; nothing was created.` },
  );
}

function sourceOf(instanceType: string, fromSettings: boolean): string {
  if (fromSettings) return " (setup.instance.type in mcctl.json)";
  return instanceType === DEFAULT_INSTANCE_TYPE ? " (the default, as in the old guide)" : "";
}

function offeringsCommand(region: string): string {
  return `aws ec2 describe-instance-type-offerings --region ${region} --query "InstanceTypeOfferings[].InstanceType"`;
}

function isAccessDenied(error: unknown): boolean {
  const name = awsErrorName(
    error instanceof McctlError && error.cause instanceof Error ? error.cause : error,
  );
  return ACCESS_DENIED.has(name ?? "");
}

/**
 * Whether the region offers the type; undefined when mcctl may not ask (no
 * ec2:DescribeInstanceTypeOfferings permission): then RunInstances is the check.
 */
async function typeOffered(io: PlanIo, aws: SetupAws, instanceType: string): Promise<boolean | undefined> {
  try {
    return await aws.ec2.isInstanceTypeOffered(instanceType);
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    io.warn(
      `Cannot check whether ${io.region} offers ${instanceType} (AWS denied ec2:DescribeInstanceTypeOfferings): EC2 tells when the instance is launched.`,
    );
    return undefined;
  }
}

/**
 * The type's vCPUs and memory; undefined when EC2 does not know it in this region; "unchecked" when mcctl
 * may not ask (no ec2:DescribeInstanceTypes permission), which the operator is told.
 */
async function typeSize(
  io: PlanIo,
  aws: SetupAws,
  instanceType: string,
  requirement: TaskRequirement,
): Promise<InstanceTypeSize | undefined | "unchecked"> {
  try {
    const info = await aws.ec2.describeInstanceType(instanceType);
    return info && sizeOf(info);
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    io.warn(
      `Cannot check that ${instanceType} can hold the task (AWS denied ec2:DescribeInstanceTypes): it needs ${requirement.cpu} CPU units and ${requirement.memoryMiB} MiB of what ECS registers.`,
    );
    return "unchecked";
  }
}

/** The current-generation types the region offers that hold the task, smallest first; none when not allowed to look. */
async function fittingTypes(
  aws: SetupAws,
  requirement: TaskRequirement,
  architecture: "x86_64" | "arm64",
): Promise<InstanceTypeSize[]> {
  let types: InstanceTypeInfo[];
  try {
    types = await aws.ec2.currentInstanceTypes(architecture);
  } catch (error) {
    if (isAccessDenied(error)) return [];
    throw error;
  }
  // Accelerators (GPUs, FPGAs, inference chips) cost far more than their vCPUs and memory suggest.
  const plain = types.filter(
    (info) =>
      !info.GpuInfo &&
      !info.FpgaInfo &&
      !info.InferenceAcceleratorInfo &&
      !info.NeuronInfo &&
      !info.MediaAcceleratorInfo,
  );
  return smallestFittingTypes(
    plain.flatMap((info) => sizeOf(info) ?? []),
    requirement,
  );
}

function sizeOf(info: InstanceTypeInfo): InstanceTypeSize | undefined {
  const vCpus = info.VCpuInfo?.DefaultVCpus;
  const memoryMiB = info.MemoryInfo?.SizeInMiB;
  if (!info.InstanceType || vCpus === undefined || memoryMiB === undefined) return undefined;
  return { instanceType: info.InstanceType, vCpus, memoryMiB };
}

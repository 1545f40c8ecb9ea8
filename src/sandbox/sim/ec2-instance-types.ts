/**
 * EC2 DescribeInstanceTypes for the simulator: what each known instance type offers (vCPUs, memory,
 * architectures, generation), as the EC2 API Reference describes the call. `Ec2Simulator` (ec2.ts) answers
 * the operation through `describeInstanceTypes`, handing it what the region offers and its error factory;
 * and DescribeInstanceTypeOfferings (`describeInstanceTypeOfferings`): where the region offers which type.
 *
 * - By default only the types the region supports are described ("By default, all instance types for the
 *   current Region are described"); `IncludeUnsupportedInRegion: true` adds the others.
 * - `InstanceTypes` naming a type EC2 does not know, or one the region does not support, fails the whole call
 *   with `InvalidInstanceType` "The following supplied instance types do not exist: [a, b]".
 * - Filters (wildcards as everywhere in EC2): `instance-type`, `current-generation`, `bare-metal`,
 *   `burstable-performance-supported`, `processor-info.supported-architecture`, `vcpu-info.default-vcpus`,
 *   `memory-info.size-in-mib`. Any other filter throws (not implemented).
 * - `MaxResults` 5–100 (default 100) with `NextToken`, in instance type name order.
 */
import type {
  ArchitectureType,
  DescribeInstanceTypeOfferingsCommandInput,
  DescribeInstanceTypeOfferingsResult,
  DescribeInstanceTypesCommandInput,
  DescribeInstanceTypesResult,
  InstanceTypeInfo,
  InstanceTypeOffering,
} from "@aws-sdk/client-ec2";
import { compact, paginate } from "./core.js";
import { type Ec2InstanceTypeInfo, ec2InstanceTypes, wildcardMatcher, zoneIdFor } from "./ec2-model.js";
import type { Ec2State } from "./ec2-state.js";

/** What DescribeInstanceTypes needs of the EC2 simulator that owns it. */
export interface InstanceTypesHost {
  /** Whether the region supports (offers) the type: `setOfferedInstanceTypes`. */
  offered(instanceType: string): boolean;
  error(code: string, message: string): Error;
  dryRun(dryRun: boolean | undefined): void;
}

/**
 * Families EC2 reports with `CurrentGeneration: false` (the EC2 User Guide's "Previous generation instances"
 * lists them). Among the simulated types, m1 and m3; the rest are current.
 */
const PREVIOUS_GENERATION_FAMILIES = new Set([
  "m1",
  "m2",
  "m3",
  "c1",
  "c3",
  "r3",
  "t1",
  "i2",
  "cr1",
  "hs1",
  "g2",
]);

const MAX_RESULTS = { min: 5, max: 100 } as const;

export function describeInstanceTypes(
  input: DescribeInstanceTypesCommandInput,
  host: InstanceTypesHost,
): DescribeInstanceTypesResult {
  host.dryRun(input.DryRun);
  const maxResults = input.MaxResults;
  if (maxResults !== undefined && (maxResults < MAX_RESULTS.min || maxResults > MAX_RESULTS.max)) {
    throw host.error(
      "InvalidParameterValue",
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${MAX_RESULTS.min} and ${MAX_RESULTS.max}.`,
    );
  }
  const inRegion = (name: string) => input.IncludeUnsupportedInRegion === true || host.offered(name);
  const requested = input.InstanceTypes ?? [];
  const missing = requested.filter((name) => !ec2InstanceTypes[name] || !inRegion(name));
  if (missing.length > 0) {
    throw host.error(
      "InvalidInstanceType",
      `The following supplied instance types do not exist: [${missing.join(", ")}]`,
    );
  }
  const names = (requested.length > 0 ? [...new Set(requested)] : Object.keys(ec2InstanceTypes))
    .filter(inRegion)
    .sort();
  const described = names.map((name) =>
    renderInstanceType(name, ec2InstanceTypes[name] as Ec2InstanceTypeInfo),
  );
  const selected = described.filter((info) =>
    (input.Filters ?? []).every((filter) => {
      const values = filterValues(info, filter.Name ?? "");
      const matchers = (filter.Values ?? []).map(wildcardMatcher);
      return values.some((value) => matchers.some((matches) => matches(value)));
    }),
  );
  const { page, nextToken } = paginate(
    selected,
    { maxResults, nextToken: input.NextToken },
    {
      defaultMax: MAX_RESULTS.max,
      invalidToken: () =>
        host.error("InvalidParameterValue", `Invalid value '${input.NextToken}' for nextToken`),
    },
  );
  return compact({ InstanceTypes: page, NextToken: nextToken });
}

/** Whether EC2 reports the type as the current generation of its family. */
export function isCurrentGeneration(instanceType: string): boolean {
  return !PREVIOUS_GENERATION_FAMILIES.has(instanceType.split(".")[0] ?? "");
}

function renderInstanceType(name: string, info: Ec2InstanceTypeInfo): InstanceTypeInfo {
  const family = name.split(".")[0] ?? "";
  const current = isCurrentGeneration(name);
  return {
    InstanceType: name as InstanceTypeInfo["InstanceType"],
    CurrentGeneration: current,
    BareMetal: false,
    BurstablePerformanceSupported: /^t\d/.test(family),
    Hypervisor: current && !/^(t2|m4|c4|r4)$/.test(family) ? "nitro" : "xen",
    ProcessorInfo: { SupportedArchitectures: [info.architecture as ArchitectureType] },
    VCpuInfo: { DefaultVCpus: info.vCpus },
    MemoryInfo: { SizeInMiB: info.memoryMiB },
    SupportedRootDeviceTypes: ["ebs"],
    SupportedVirtualizationTypes: ["hvm"],
  };
}

function filterValues(info: InstanceTypeInfo, name: string): string[] {
  switch (name) {
    case "instance-type":
      return [info.InstanceType ?? ""];
    case "current-generation":
      return [String(info.CurrentGeneration)];
    case "bare-metal":
      return [String(info.BareMetal)];
    case "burstable-performance-supported":
      return [String(info.BurstablePerformanceSupported)];
    case "processor-info.supported-architecture":
      return info.ProcessorInfo?.SupportedArchitectures ?? [];
    case "vcpu-info.default-vcpus":
      return [String(info.VCpuInfo?.DefaultVCpus)];
    case "memory-info.size-in-mib":
      return [String(info.MemoryInfo?.SizeInMiB)];
    default:
      throw new Error(`simulated EC2 does not implement the DescribeInstanceTypes filter "${name}"`);
  }
}

/**
 * The known instance types the region offers (`setOfferedInstanceTypes`), by Region (the default) or per
 * Availability Zone (the zones `addDefaultVpc` uses: <region>a, b and c). Filters `instance-type` and
 * `location`, with wildcards. An instance type EC2 does not know is simply not listed.
 */
export function describeInstanceTypeOfferings(
  input: DescribeInstanceTypeOfferingsCommandInput,
  state: Ec2State,
): DescribeInstanceTypeOfferingsResult {
  state.dryRun(input.DryRun);
  state.checkMaxResults(input.MaxResults);
  const locationType = input.LocationType ?? "region";
  const region = state.ctx.region;
  const zones = [0, 1, 2];
  let locations: string[];
  switch (locationType) {
    case "region":
      locations = [region];
      break;
    case "availability-zone":
      locations = zones.map((index) => `${region}${String.fromCharCode(97 + index)}`);
      break;
    case "availability-zone-id":
      locations = zones.map((index) => zoneIdFor(region, index));
      break;
    case "outpost":
      throw new Error("simulated EC2 does not implement DescribeInstanceTypeOfferings for Outposts");
    default:
      throw state.error(
        "InvalidParameterValue",
        `Value (${locationType}) for parameter locationType is invalid. Valid values are region, availability-zone, availability-zone-id, outpost.`,
      );
  }
  const offered = Object.keys(ec2InstanceTypes)
    .filter((instanceType) => state.offered(instanceType))
    .sort();
  const offerings = locations.flatMap((location) =>
    offered.map((instanceType) => ({ instanceType, location })),
  );
  const selected = state.filter(
    offerings,
    input.Filters,
    "DescribeInstanceTypeOfferings",
    (offering, name) => {
      switch (name) {
        case "instance-type":
          return [offering.instanceType];
        case "location":
          return [offering.location];
        default:
          return undefined;
      }
    },
  );
  const { page, nextToken } = state.page(selected, input);
  return compact({
    InstanceTypeOfferings: page.map(
      (offering): InstanceTypeOffering => ({
        InstanceType: offering.instanceType as InstanceTypeOffering["InstanceType"],
        LocationType: locationType,
        Location: offering.location,
      }),
    ),
    NextToken: nextToken,
  });
}

/**
 * AWS's public parameters in the simulated Parameter Store: the ECS-optimized AMI metadata under
 * `/aws/service/ecs/optimized-ami/…` (ECS Developer Guide, "Retrieving Amazon ECS-optimized Linux AMI
 * metadata"). They belong to no account: their ARNs have none (`arn:aws:ssm:<region>::parameter/aws/…`),
 * they are read with GetParameter(s), never listed by DescribeParameters, and never written (PutParameter
 * refuses names starting with "aws").
 */
import type { Parameter } from "@aws-sdk/client-ssm";
import { compact, type SimContext } from "./core.js";
import { defaultPublicImages, type Ec2ImageSpec, imageIdFor } from "./ec2-model.js";

/** One public parameter as the simulator keeps it. */
interface PublicParameterRecord {
  value: string;
  version: number;
  lastModifiedDate: Date;
}

/** What `…/recommended` says about an ECS-optimized AMI (its JSON value; each field is also a sub-parameter). */
export interface RecommendedEcsAmiSpec {
  imageId: string;
  imageName: string;
  os: string;
  ecsAgentVersion?: string;
  ecsRuntimeVersion?: string;
  sourceImageName?: string;
}

/** The ECS-optimized AMI variants the simulator publishes, by parameter path, with their OS and architecture. */
export const ecsAmiVariants = {
  "amazon-linux-2": { os: "Amazon Linux 2", architecture: "x86_64", namePrefix: "amzn2-ami-ecs-hvm-" },
  "amazon-linux-2/arm64": { os: "Amazon Linux 2", architecture: "arm64", namePrefix: "amzn2-ami-ecs-hvm-" },
  "amazon-linux-2023": { os: "Amazon Linux 2023", architecture: "x86_64", namePrefix: "al2023-ami-ecs-hvm-" },
  "amazon-linux-2023/arm64": {
    os: "Amazon Linux 2023",
    architecture: "arm64",
    namePrefix: "al2023-ami-ecs-hvm-",
  },
} as const;

export type EcsAmiVariant = keyof typeof ecsAmiVariants;

const ROOT = "/aws/service/ecs/optimized-ami";

/** `arn:aws:ssm:<region>::parameter/aws/…`: a public parameter's ARN names no account. */
export function publicParameterArn(region: string, name: string): string {
  return `arn:aws:ssm:${region}::parameter/${name.replace(/^\//, "")}`;
}

/** Whether a name is in AWS's public namespace ("/aws/service/…"), which the simulator serves read-only. */
export function isPublicParameterName(name: string): boolean {
  return name.startsWith("/aws/service/");
}

/**
 * The parameters AWS publishes for one recommended AMI of a variant: `…/<variant>/recommended` (the JSON
 * object), its sub-parameters (`…/recommended/image_id`, `image_name`, `image_version`, `os`,
 * `schema_version`, `ecs_agent_version`, `ecs_runtime_version`, `source_image_name` when given), and
 * `…/<variant>/<image name>` (the metadata of that version).
 */
export function recommendedEcsAmiParameters(
  variant: EcsAmiVariant,
  ami: RecommendedEcsAmiSpec,
): Record<string, string> {
  // In AWS's order (alphabetical), as a GetParameter answer shows it.
  const version = /-hvm-(\d+\.\d+\.\d{8})-/.exec(ami.imageName)?.[1];
  const fields = {
    ecs_agent_version: ami.ecsAgentVersion ?? "1.97.1",
    ecs_runtime_version: ami.ecsRuntimeVersion ?? "Docker version 25.0.8",
    image_id: ami.imageId,
    image_name: ami.imageName,
    ...(version ? { image_version: version } : {}),
    os: ami.os,
    schema_version: 1,
    ...(ami.sourceImageName ? { source_image_name: ami.sourceImageName } : {}),
  };
  const recommended = `${ROOT}/${variant}/recommended`;
  const parameters: Record<string, string> = {
    [recommended]: JSON.stringify(fields),
    [`${ROOT}/${variant}/${ami.imageName}`]: JSON.stringify(fields),
  };
  for (const [key, value] of Object.entries(fields)) parameters[`${recommended}/${key}`] = String(value);
  return parameters;
}

/**
 * The ECS-optimized AMI parameters of a simulated region: for each variant, the newest of the EC2
 * simulator's default public images of that variant is the recommended one, with the same AMI id.
 */
export function defaultPublicParameters(region: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [variant, spec] of Object.entries(ecsAmiVariants) as [
    EcsAmiVariant,
    (typeof ecsAmiVariants)[EcsAmiVariant],
  ][]) {
    const newest = newestImage(
      defaultPublicImages.filter(
        (image) =>
          image.name.startsWith(spec.namePrefix) && (image.architecture ?? "x86_64") === spec.architecture,
      ),
    );
    if (!newest) continue;
    Object.assign(
      parameters,
      recommendedEcsAmiParameters(variant, {
        imageId: newest.imageId ?? imageIdFor(newest.name, region),
        imageName: newest.name,
        os: spec.os,
      }),
    );
  }
  return parameters;
}

function newestImage(images: readonly Ec2ImageSpec[]): Ec2ImageSpec | undefined {
  return [...images].sort((a, b) => Date.parse(b.creationDate) - Date.parse(a.creationDate))[0];
}

/** AWS's public parameters of the simulated region, by name. */
export class PublicParameters {
  readonly #ctx: SimContext;
  readonly #parameters = new Map<string, PublicParameterRecord>();

  constructor(context: SimContext) {
    this.#ctx = context;
    for (const [name, value] of Object.entries(defaultPublicParameters(context.region)))
      this.set(name, value);
  }

  /**
   * Sets one parameter as AWS would publish it: a new version each time. `undefined` removes it, as in a
   * region where AWS does not publish it.
   */
  set(name: string, value: string | undefined): void {
    if (!isPublicParameterName(name))
      throw new Error(`simulated SSM: ${name} is not a public parameter name`);
    if (value === undefined) {
      this.#parameters.delete(name);
      return;
    }
    const version = (this.#parameters.get(name)?.version ?? 0) + 1;
    this.#parameters.set(name, { value, version, lastModifiedDate: this.#ctx.clock.date() });
  }

  /** AWS publishes a new recommended ECS-optimized AMI for a variant (e.g. "amazon-linux-2023/arm64"). */
  publishRecommendedEcsAmi(variant: EcsAmiVariant, ami: RecommendedEcsAmiSpec): void {
    for (const [name, value] of Object.entries(recommendedEcsAmiParameters(variant, ami)))
      this.set(name, value);
  }

  /** A parameter's current value, or undefined. */
  get(name: string): string | undefined {
    return this.#parameters.get(name)?.value;
  }

  /** The parameter as GetParameter(s) renders it (a String, with the account-less ARN), or undefined. */
  render(name: string, selector: string | undefined): Parameter | undefined {
    const record = this.#parameters.get(name);
    if (!record) return undefined;
    if (selector !== undefined && selector !== `:${record.version}`) {
      throw new Error(
        `simulated SSM keeps only the current version of public parameters (selector ${selector})`,
      );
    }
    return compact({
      Name: name,
      Type: "String",
      Value: record.value,
      Version: record.version,
      Selector: selector,
      LastModifiedDate: record.lastModifiedDate,
      ARN: publicParameterArn(this.#ctx.region, name),
      DataType: "text",
    } satisfies Parameter);
  }
}

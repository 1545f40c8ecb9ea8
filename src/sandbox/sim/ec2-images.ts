/**
 * Amazon Machine Images in the simulated EC2: the public ECS-optimized ones every region lists (ec2-model.ts),
 * those a test adds, and DescribeImages with its owners, filters and deprecation rules.
 */
import type { DescribeImagesCommandInput, DescribeImagesResult, Image } from "@aws-sdk/client-ec2";
import { compact } from "./core.js";
import {
  defaultDeprecationTime,
  defaultPublicImages,
  type Ec2ImageSpec,
  imageIdFor,
  tagFilterValues,
} from "./ec2-model.js";
import type { Ec2State, ImageRecord } from "./ec2-state.js";

export class Ec2Images {
  readonly #state: Ec2State;

  constructor(state: Ec2State) {
    this.#state = state;
    for (const spec of defaultPublicImages) state.images.push(imageRecord(state, spec));
  }

  /** Adds an image to what DescribeImages lists (e.g. a newer release, or one still `pending`). */
  addImage(spec: Ec2ImageSpec): Image {
    const record = imageRecord(this.#state, spec);
    if (this.#state.images.some((image) => image.imageId === record.imageId)) {
      throw new Error(`simulated EC2: image ${record.imageId} exists already`);
    }
    this.#state.images.push(record);
    return this.#renderImage(record);
  }

  describeImages(input: DescribeImagesCommandInput = {}): DescribeImagesResult {
    this.#state.sync();
    this.#state.dryRun(input.DryRun);
    this.#state.checkMaxResults(input.MaxResults);
    let selected = this.#state.images.filter((image) => image.state !== "deregistered");
    // Deprecated images are left out of listings unless asked for, but described by id, and always to
    // their owner (EC2 User Guide, "Deprecate an AMI"; DescribeImages' IncludeDeprecated).
    if (!input.IncludeDeprecated && !(input.ImageIds && input.ImageIds.length > 0)) {
      const now = this.#state.ctx.clock.now();
      selected = selected.filter(
        (image) =>
          image.ownerId === this.#state.ctx.accountId ||
          image.deprecationTime === undefined ||
          Date.parse(image.deprecationTime) > now,
      );
    }
    if (input.ImageIds && input.ImageIds.length > 0) {
      for (const id of input.ImageIds) {
        if (!/^ami-[0-9a-f]{8,17}$/.test(id)) {
          throw this.#state.error("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`);
        }
        if (!selected.some((image) => image.imageId === id)) {
          throw this.#state.error("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
        }
      }
      selected = selected.filter((image) => input.ImageIds?.includes(image.imageId));
    }
    if (input.Owners && input.Owners.length > 0) {
      const owners = input.Owners;
      selected = selected.filter((image) =>
        owners.some(
          (owner) =>
            owner === image.ownerId ||
            (owner === "self" && image.ownerId === this.#state.ctx.accountId) ||
            (owner === image.ownerAlias && owner !== undefined),
        ),
      );
    }
    selected = this.#state.filter(selected, input.Filters, "DescribeImages", (image, name) => {
      switch (name) {
        case "name":
          return [image.name];
        case "image-id":
          return [image.imageId];
        case "state":
          return [image.state];
        case "architecture":
          return [image.architecture];
        case "owner-id":
          return [image.ownerId];
        case "owner-alias":
          return [image.ownerAlias];
        case "description":
          return [image.description];
        case "is-public":
          return [String(image.public)];
        case "image-type":
          return ["machine"];
        case "virtualization-type":
          return ["hvm"];
        case "root-device-type":
          return ["ebs"];
        case "platform-details":
          return ["Linux/UNIX"];
        default:
          return tagFilterValues([], name);
      }
    });
    // EC2 lists images in no particular order (here: by image id), so "the newest" takes a CreationDate sort.
    selected = [...selected].sort((a, b) => a.imageId.localeCompare(b.imageId));
    const { page, nextToken } = this.#state.page(selected, input);
    return compact({ Images: page.map((image) => this.#renderImage(image)), NextToken: nextToken });
  }

  #renderImage(image: ImageRecord): Image {
    return compact({
      PlatformDetails: "Linux/UNIX",
      UsageOperation: "RunInstances",
      BlockDeviceMappings: [
        {
          Ebs: {
            DeleteOnTermination: true,
            SnapshotId: `snap-${image.imageId.slice(4)}`,
            VolumeSize: 30,
            VolumeType: "gp2",
            Encrypted: false,
          },
          DeviceName: "/dev/xvda",
        },
      ],
      Description: image.description,
      EnaSupport: true,
      Hypervisor: "xen",
      ImageOwnerAlias: image.ownerAlias,
      Name: image.name,
      RootDeviceName: "/dev/xvda",
      RootDeviceType: "ebs",
      SriovNetSupport: "simple",
      VirtualizationType: "hvm",
      BootMode: "uefi-preferred",
      ImageId: image.imageId,
      ImageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
      State: image.state,
      OwnerId: image.ownerId,
      CreationDate: image.creationDate,
      Public: image.public,
      Architecture: image.architecture,
      ImageType: "machine",
      DeprecationTime: image.deprecationTime,
    } satisfies Image);
  }
}

function imageRecord(state: Ec2State, spec: Ec2ImageSpec): ImageRecord {
  const isPublic = spec.public ?? spec.ownerAlias === "amazon";
  return {
    imageId: spec.imageId ?? imageIdFor(spec.name, state.ctx.region),
    name: spec.name,
    description: spec.description,
    creationDate: spec.creationDate,
    ownerId: spec.ownerId ?? state.ctx.accountId,
    ownerAlias: spec.ownerAlias,
    architecture: spec.architecture ?? "x86_64",
    state: spec.state ?? "available",
    public: isPublic,
    deprecationTime:
      spec.deprecationTime === null
        ? undefined
        : (spec.deprecationTime ?? (isPublic ? defaultDeprecationTime(spec.creationDate) : undefined)),
  };
}

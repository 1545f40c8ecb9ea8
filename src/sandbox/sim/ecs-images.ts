/**
 * Container images as the ECS agent on a container instance pulls them: a registry (each tag's size and
 * current digest, tags it refuses) and each instance's local image cache and download speed.
 *
 * The agent's default pull behaviour (ECS_IMAGE_PULL_BEHAVIOR=default, "Container image pull behavior for the
 * EC2 and external launch types"): every start asks the registry again; layers already on the host are not
 * downloaded again, and when the pull fails the cached image is used. Images are pulled concurrently (the
 * agent pulls in parallel on Docker 1.11.1 and later: `enableConcurrentPull`), sharing the instance's one
 * download link, so the download time is the sum of the missing images' sizes over the instance's speed.
 *
 * Only images whose size a test declared (`setImageSize`) cost time: an image of unknown size is pulled
 * instantly, so tests written before pulls were modelled keep their timings (PENDING = `pendingMs`).
 */
import { createHash } from "node:crypto";

/** Sizes (MiB) of the Model Catalogue images, for tests and benches that model pulls: `setImageSize` each. */
export const modelCatalogueImageSizesMiB: Readonly<Record<string, number>> = {
  "metadata/registry": 700,
  "metadata/registry-elasticsearch": 400,
};

export const DEFAULT_PULL_SPEED_MIB_PER_S = 50;

/** "metadata/registry:2" → "docker.io/metadata/registry:2"; no tag → ":latest" (Docker's reference rules). */
export function qualifiedImage(image: string): string {
  const firstPart = image.split("/")[0] ?? "";
  const hasRegistry = image.includes("/") && (firstPart.includes(".") || firstPart.includes(":"));
  let ref = hasRegistry ? image : `docker.io/${image.includes("/") ? image : `library/${image}`}`;
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && !lastPart.includes("@")) ref = `${ref}:latest`;
  return ref;
}

/** The repository of a qualified reference: "docker.io/metadata/registry:2" → "docker.io/metadata/registry". */
function repositoryOf(qualified: string): string {
  const slash = qualified.lastIndexOf("/");
  const tagAt = qualified.slice(slash).search(/[:@]/);
  return tagAt === -1 ? qualified : qualified.slice(0, slash + tagAt);
}

/**
 * The agent's message for a tag the registry does not have: CannotPullContainerError (ECS Developer Guide,
 * "Stopped tasks error codes") around containerd's resolver error, which names the reference twice.
 */
export function imageNotFoundReason(image: string): string {
  const ref = qualifiedImage(image);
  return `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${ref}: ${ref}: not found`;
}

/** "Insufficient disk space" (ECS Developer Guide, "CannotPullContainer task errors"). */
export function noSpaceReason(blobDigits: string): string {
  return `CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob${blobDigits}: no space left on device`;
}

interface CachedImage {
  image: string;
  digest: string;
}

interface HostImages {
  speedMiBps: number;
  diskFull: boolean;
  /** Keyed by qualified reference. */
  cache: Map<string, CachedImage>;
}

export interface PullPlan {
  /** From the pull's start until every image is there (or the first failure). */
  durationMs: number;
  /** The first image that cannot be pulled and the agent's reason. */
  failure?: { image: string; reason: string };
  /** What the host's cache holds once the pull has completed. */
  pulled: CachedImage[];
}

/** Handle on a refused image. */
export interface RefusedImage {
  cancel(): void;
}

export class ImageRegistry {
  readonly #sizes = new Map<string, number>();
  readonly #refused = new Map<string, string>();
  /** How many times each tag was pushed (its digest changes with each push). */
  readonly #pushes = new Map<string, number>();
  readonly #hosts = new Map<string, HostImages>();
  #blobCounter = 0;

  constructor(private readonly checkMs: () => number) {}

  /** A size for a tag ("metadata/registry:2.0.11") or for every tag of a repository ("metadata/registry"). */
  setSize(image: string, mib: number): void {
    this.#sizes.set(this.#sizeKey(image), mib);
  }

  sizeOf(image: string): number | undefined {
    const qualified = qualifiedImage(image);
    return this.#sizes.get(qualified) ?? this.#sizes.get(repositoryOf(qualified));
  }

  refuse(image: string, reason = imageNotFoundReason(image)): RefusedImage {
    const key = qualifiedImage(image);
    this.#refused.set(key, reason);
    return { cancel: () => this.#refused.delete(key) };
  }

  /** A new image is pushed under the tag (e.g. a floating ":2"): its digest changes, cached copies are stale. */
  push(image: string): string {
    const key = qualifiedImage(image);
    this.#pushes.set(key, (this.#pushes.get(key) ?? 0) + 1);
    return this.digestOf(image);
  }

  digestOf(image: string): string {
    const key = qualifiedImage(image);
    const hash = createHash("sha256").update(`${key}#${this.#pushes.get(key) ?? 0}`);
    return `sha256:${hash.digest("hex")}`;
  }

  setSpeed(instanceArn: string, mibPerSecond: number): void {
    this.#host(instanceArn).speedMiBps = mibPerSecond;
  }

  setDiskFull(instanceArn: string, full: boolean): void {
    this.#host(instanceArn).diskFull = full;
  }

  /** Images on the host, as its task definitions named them, in the order they were pulled. */
  cached(instanceArn: string): string[] {
    return [...this.#host(instanceArn).cache.values()].map((entry) => entry.image);
  }

  cachedDigest(instanceArn: string, image: string): string | undefined {
    return this.#host(instanceArn).cache.get(qualifiedImage(image))?.digest;
  }

  /** Puts an image on a host without a task (e.g. baked into its AMI). */
  preload(instanceArn: string, image: string): void {
    this.#host(instanceArn).cache.set(qualifiedImage(image), { image, digest: this.digestOf(image) });
  }

  /** What pulling these images on this host takes, as of now. */
  plan(instanceArn: string, images: string[]): PullPlan {
    const host = this.#host(instanceArn);
    const pulled: CachedImage[] = [];
    let downloadMiB = 0;
    let checks = false;
    for (const image of unique(images)) {
      const key = qualifiedImage(image);
      const cached = host.cache.get(key);
      const digest = this.digestOf(image);
      const size = this.sizeOf(image);
      const refusal = this.#refused.get(key);
      if (size !== undefined || refusal !== undefined) checks = true;
      if (refusal !== undefined) {
        // Default pull behaviour: the pull fails, the cached image is used.
        if (cached) continue;
        return { durationMs: this.checkMs(), failure: { image, reason: refusal }, pulled: [] };
      }
      if (cached?.digest === digest) continue;
      if (host.diskFull) {
        if (cached) continue;
        this.#blobCounter += 1;
        const blob = String(100_000_000 + this.#blobCounter * 7_654_321).slice(0, 9);
        return { durationMs: this.checkMs(), failure: { image, reason: noSpaceReason(blob) }, pulled: [] };
      }
      downloadMiB += size ?? 0;
      pulled.push({ image, digest });
    }
    const downloadMs = host.speedMiBps > 0 ? Math.round((downloadMiB / host.speedMiBps) * 1000) : 0;
    return { durationMs: (checks ? this.checkMs() : 0) + downloadMs, pulled };
  }

  /** The pull completed: the host keeps the images. */
  store(instanceArn: string, pulled: CachedImage[]): void {
    const { cache } = this.#host(instanceArn);
    for (const entry of pulled) {
      const key = qualifiedImage(entry.image);
      cache.delete(key);
      cache.set(key, entry);
    }
  }

  #sizeKey(image: string): string {
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const qualified = qualifiedImage(image);
    return lastPart.includes(":") || lastPart.includes("@") ? qualified : repositoryOf(qualified);
  }

  #host(instanceArn: string): HostImages {
    let host = this.#hosts.get(instanceArn);
    if (!host) {
      host = { speedMiBps: DEFAULT_PULL_SPEED_MIB_PER_S, diskFull: false, cache: new Map() };
      this.#hosts.set(instanceArn, host);
    }
    return host;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

import { quote } from "./formats.js";

export interface ImageReference {
  /** Everything before the tag or digest, including any registry host and port. */
  repository: string;
  /** A tag such as `2`, or a digest such as `sha256:…` when the reference is pinned by digest. */
  tag: string;
}

export const DEFAULT_TAG = "latest";

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const PATH_COMPONENT_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_PATTERN =
  /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*$/;
const MAX_NAME_LENGTH = 255;

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

export function isDigest(tagOrDigest: string): boolean {
  return DIGEST_PATTERN.test(tagOrDigest);
}

/**
 * Splits an image reference into repository and tag. A digest-pinned reference (`repo@sha256:…`) yields the
 * digest as its tag so that `formatImage` gives back an equivalent reference; when both a tag and a digest are
 * present the digest wins, as it does for `docker pull`.
 */
export function parseImage(ref: string): ImageReference {
  const at = ref.indexOf("@");
  if (at >= 0) {
    return { repository: stripTag(ref.slice(0, at)), tag: ref.slice(at + 1) };
  }
  const { name, tag } = splitTag(ref);
  return { repository: name, tag: tag ?? DEFAULT_TAG };
}

export function formatImage(image: ImageReference): string {
  return `${image.repository}${isDigest(image.tag) ? "@" : ":"}${image.tag}`;
}

/** The same repository with another tag (or digest); any previous tag or digest is dropped. */
export function withTag(ref: string, tag: string): string {
  return formatImage({ repository: parseImage(ref).repository, tag });
}

/** Returns undefined when `ref` is a usable Docker image reference, otherwise what is wrong with it. */
export function validateImageReference(ref: string): string | undefined {
  if (ref.trim() === "") return "the image reference is empty (expected e.g. metadata/registry:2)";
  if (/\s/.test(ref)) return `image ${quote(ref)} contains whitespace`;

  const at = ref.indexOf("@");
  const nameAndTag = at >= 0 ? ref.slice(0, at) : ref;
  if (at >= 0) {
    const digest = ref.slice(at + 1);
    if (!isDigest(digest)) {
      return `image ${quote(ref)} has an invalid digest ${quote(digest)} (expected algorithm:hex, e.g. sha256:…)`;
    }
  }

  const { name, tag } = splitTag(nameAndTag);
  if (tag !== undefined && !isValidTag(tag)) {
    return (
      `image ${quote(ref)} has an invalid tag ${quote(tag)}: use up to 128 letters, digits, "_", "." or "-", ` +
      `not starting with "." or "-"`
    );
  }
  if (name === "") return `image ${quote(ref)} has no repository name`;
  if (name.length > MAX_NAME_LENGTH) {
    return `image ${quote(ref)} has a repository name longer than ${MAX_NAME_LENGTH} characters`;
  }

  const components = name.split("/");
  const first = components[0] ?? "";
  if (components.length > 1 && looksLikeRegistryHost(first)) {
    const hostProblem = validateRegistryHost(first);
    if (hostProblem !== undefined) return `image ${quote(ref)}: ${hostProblem}`;
    components.shift();
  }
  for (const component of components) {
    if (!PATH_COMPONENT_PATTERN.test(component)) {
      return (
        `image ${quote(ref)} has an invalid repository path component ${quote(component)}: use lowercase letters ` +
        `and digits, separated by ".", "_", "__" or "-"`
      );
    }
  }
  return undefined;
}

function stripTag(nameAndTag: string): string {
  return splitTag(nameAndTag).name;
}

/** The tag colon is the last one after the last slash; earlier colons belong to a registry port. */
function splitTag(nameAndTag: string): { name: string; tag: string | undefined } {
  const colon = nameAndTag.lastIndexOf(":");
  if (colon > nameAndTag.lastIndexOf("/")) {
    return { name: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1) };
  }
  return { name: nameAndTag, tag: undefined };
}

/** Docker's own rule: the first component is a registry host if it has a dot, a port or is localhost. */
function looksLikeRegistryHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

function validateRegistryHost(hostAndPort: string): string | undefined {
  const colon = hostAndPort.lastIndexOf(":");
  const host = colon >= 0 ? hostAndPort.slice(0, colon) : hostAndPort;
  if (!HOST_PATTERN.test(host)) return `${quote(host)} is not a valid registry host name`;
  if (colon >= 0) {
    const port = hostAndPort.slice(colon + 1);
    const portNumber = Number(port);
    if (!/^\d+$/.test(port) || portNumber < 1 || portNumber > 65535) {
      return `registry port ${quote(port)} is not a number from 1 to 65535`;
    }
  }
  return undefined;
}

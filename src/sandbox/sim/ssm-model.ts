/**
 * Internal state of the simulated SSM Parameter Store and the pure functions around it: parameter names
 * (SSM's rules and wording), ARNs, the opaque ciphertext of a SecureString read without decryption, the
 * DescribeParameters filters, and the renderers. The API methods live in ssm.ts and ssm-reads.ts.
 */
import { createHash } from "node:crypto";
import type {
  Parameter,
  ParameterMetadata,
  ParameterStringFilter,
  ParameterType,
  Tag,
} from "@aws-sdk/client-ssm";
import { compact } from "./core.js";

/** One version of a parameter, as `GetParameterHistory` would list it. */
export interface ParameterVersionRecord {
  version: number;
  type: ParameterType;
  value: string;
  /** SecureString only: the KeyId as given (default "alias/aws/ssm"). */
  keyId: string | undefined;
  /** SecureString with a customer managed key only: that key's ARN. */
  customerKeyArn: string | undefined;
  description: string | undefined;
  allowedPattern: string | undefined;
  lastModifiedDate: Date;
  lastModifiedUser: string;
}

export interface ParameterRecord {
  name: string;
  tags: Tag[];
  /** Oldest first; the last one is current. At most 100, as in SSM. */
  versions: ParameterVersionRecord[];
}

/** A parameter as tests inspect it (`sim.ssm.parameter(name)`): the decrypted value, and every version. */
export interface ParameterView {
  name: string;
  arn: string;
  type: ParameterType;
  value: string;
  keyId: string | undefined;
  /** The customer managed KMS key the value is encrypted with; undefined for the AWS managed key and non-secure types. */
  customerKeyArn: string | undefined;
  version: number;
  description: string | undefined;
  tags: Tag[];
  lastModified: Date;
  history: Array<{
    version: number;
    type: ParameterType;
    value: string;
    keyId: string | undefined;
    lastModified: Date;
  }>;
}

/** The AWS managed key Parameter Store uses when a SecureString is put without a KeyId. */
export const DEFAULT_KEY_ID = "alias/aws/ssm";
export const MAX_VALUE_LENGTH = 4096;
export const MAX_VERSIONS = 100;
const PATH_LEVEL_LIMIT = 15;
const MAX_NAME_WITH_ARN = 1011;

/** SSM's messages, word for word where the source is known (see the README's table). */
export const ssmMessages = {
  invalidName: (reserved: string) =>
    `Parameter name: can't be prefixed with ${reserved} (case-insensitive). If formed as a path, it can consist of ` +
    "sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_",
  nameTooLong: `Parameter name: the fully qualified name, including the ARN, can't exceed ${MAX_NAME_WITH_ARN} characters.`,
  hierarchyTooDeep: `A hierarchy can have a maximum of ${PATH_LEVEL_LIMIT} levels.`,
  alreadyExists:
    "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
  tagsWithOverwrite:
    "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove " +
    "overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
  valueTooLong:
    `Standard tier parameters support a maximum parameter value of ${MAX_VALUE_LENGTH} characters. To create a ` +
    "larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see " +
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
  typeRequired: "A parameter type is required when you create a parameter.",
  keyIdForSecureStringOnly: "KeyId is required for SecureString type parameter only.",
  typeChangeInHierarchy:
    "Parameter Store doesn't support changing a parameter type in a hierarchy. For example, you can't change a " +
    "parameter from a String type to a SecureString type. You must create a new, unique parameter.",
  patternMismatch: (pattern: string) =>
    `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
  invalidPattern: "The allowed pattern is not a valid regular expression.",
  keyNotFound: (keyArn: string, requestId: string) =>
    `Key '${keyArn}' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: ${requestId}; Proxy: null)`,
  aliasNotFound: (aliasArn: string, requestId: string) =>
    `Alias ${aliasArn} is not found. (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: ${requestId}; Proxy: null)`,
  /** The SDK's message for an error body without one (SSM sends ParameterNotFound without a message). */
  noMessage: "UnknownError",
  tooMany: (member: string, value: string, max: number) =>
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  maxResults: (value: number) =>
    `1 validation error detected: Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value ${value < 1 ? "greater than or equal to 1" : "less than or equal to 50"}`,
  invalidFilterKey: (key: string) => `The following filter key is not valid: ${key}.`,
  invalidFilterOption: (option: string, valid: readonly string[]) =>
    `The following filter option is not valid: ${option}. Valid options include: [${valid.join(", ")}].`,
  invalidFilterValue: (value: string) => `The following filter value is not valid: ${value}.`,
} as const;

/**
 * Why SSM would reject `name`, or undefined. Writes may not use the reserved "aws" and "ssm" prefixes; reads
 * may read "/aws/…" (public parameters) but not "ssm…". The length limit counts the whole ARN.
 */
export function nameProblem(
  name: string,
  access: "write" | "read",
  arnOf: (name: string) => string,
): { kind: "invalid" | "depth"; message: string } | undefined {
  const reserved = access === "write" ? /^\/?(aws|ssm)/i : /^\/?ssm/i;
  const wellFormed = /^[a-zA-Z0-9_.-]+$/.test(name) || /^(\/[a-zA-Z0-9_.-]+)+$/.test(name);
  if (!wellFormed || reserved.test(name)) {
    return {
      kind: "invalid",
      message: ssmMessages.invalidName(access === "write" ? `"aws" or "ssm"` : `"ssm"`),
    };
  }
  if (arnOf(name).length > MAX_NAME_WITH_ARN) return { kind: "invalid", message: ssmMessages.nameTooLong };
  if (name.split("/").length - 1 > PATH_LEVEL_LIMIT)
    return { kind: "depth", message: ssmMessages.hierarchyTooDeep };
  return undefined;
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`, as SSM writes it. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, "")}`;
}

/**
 * The parameter name an ARN of this account and region points at: "parameter/a/b" is "/a/b", "parameter/x"
 * is "x" (or "/x", whichever exists: `exists` decides). Undefined for anything else.
 */
export function nameFromArn(
  arn: string,
  region: string,
  accountId: string,
  exists: (name: string) => boolean,
): string | undefined {
  const match = /^arn:aws[\w-]*:ssm:([^:]+):(\d{12}):parameter\/(.+)$/.exec(arn);
  if (!match || match[1] !== region || match[2] !== accountId) return undefined;
  const rest = match[3] ?? "";
  if (rest.includes("/")) return `/${rest}`;
  return exists(rest) || !exists(`/${rest}`) ? rest : `/${rest}`;
}

/**
 * What GetParameter returns as the Value of a SecureString read without decryption: an opaque, base64
 * KMS-ciphertext-looking blob ("AQICAH…"), derived from the parameter's ARN, version and key (never its value).
 */
export function ciphertextOf(arn: string, version: ParameterVersionRecord): string {
  const seed = `${arn}|${version.version}|${version.keyId ?? ""}`;
  const digest = (salt: string) => createHash("sha256").update(`${salt}|${seed}`).digest();
  return Buffer.concat([Buffer.from([1, 2, 2, 0, 0x78]), digest("a"), digest("b"), digest("c")]).toString(
    "base64",
  );
}

/** Parameter as GetParameter/GetParameters render it. */
export function renderParameter(
  record: ParameterRecord,
  version: ParameterVersionRecord,
  options: { arn: string; withDecryption: boolean; selector?: string },
): Parameter {
  const secure = version.type === "SecureString";
  return compact({
    Name: record.name,
    Type: version.type,
    Value: secure && !options.withDecryption ? ciphertextOf(options.arn, version) : version.value,
    Version: version.version,
    Selector: options.selector,
    LastModifiedDate: version.lastModifiedDate,
    ARN: options.arn,
    DataType: "text",
  } satisfies Parameter);
}

/** ParameterMetadata as DescribeParameters renders it: never the value. */
export function renderMetadata(record: ParameterRecord, arn: string): ParameterMetadata {
  const current = currentVersion(record);
  return compact({
    Name: record.name,
    ARN: arn,
    Type: current.type,
    KeyId: current.type === "SecureString" ? current.keyId : undefined,
    LastModifiedDate: current.lastModifiedDate,
    LastModifiedUser: current.lastModifiedUser,
    Description: current.description,
    AllowedPattern: current.allowedPattern,
    Version: current.version,
    Tier: "Standard",
    Policies: [],
    DataType: "text",
  } satisfies ParameterMetadata);
}

export function currentVersion(record: ParameterRecord): ParameterVersionRecord {
  const current = record.versions.at(-1);
  if (!current) throw new Error(`simulated SSM: parameter ${record.name} has no version`);
  return current;
}

// ---------------------------------------------------------------------------------------------------
// DescribeParameters ParameterFilters

const filterOptions: Record<string, { options: readonly string[]; fallback: string }> = {
  Path: { options: ["Recursive", "OneLevel"], fallback: "OneLevel" },
  Name: { options: ["Equals", "BeginsWith", "Contains"], fallback: "Equals" },
  Type: { options: ["Equals"], fallback: "Equals" },
  KeyId: { options: ["Equals"], fallback: "Equals" },
  tag: { options: ["Equals"], fallback: "Equals" },
};

/** Filter keys SSM accepts that the simulator does not evaluate (it fails loudly on them). */
const unsimulatedKeys = ["Tier", "DataType", "Label"];

/** Why SSM rejects a filter (InvalidFilterKey / InvalidFilterOption / InvalidFilterValue), or undefined. */
export function filterProblem(
  filter: ParameterStringFilter,
): { kind: "key" | "option" | "value"; message: string } | undefined {
  const key = filter.Key ?? "";
  if (unsimulatedKeys.includes(key))
    throw new Error(`simulated SSM does not implement the ${key} parameter filter`);
  const spec = filterOptions[key.startsWith("tag:") ? "tag" : key];
  if (!spec) return { kind: "key", message: ssmMessages.invalidFilterKey(key) };
  const option = filter.Option ?? spec.fallback;
  if (!spec.options.includes(option)) {
    return { kind: "option", message: ssmMessages.invalidFilterOption(option, spec.options) };
  }
  for (const value of filter.Values ?? []) {
    const bad =
      (key === "Path" && !/^\/([a-zA-Z0-9_.-]+\/?)*$/.test(value)) ||
      (key === "Type" && !["String", "StringList", "SecureString"].includes(value));
    if (bad) return { kind: "value", message: ssmMessages.invalidFilterValue(value) };
  }
  if (!key.startsWith("tag:") && (filter.Values ?? []).length === 0) {
    return { kind: "value", message: ssmMessages.invalidFilterValue("[]") };
  }
  return undefined;
}

/** Whether a parameter passes every filter (values within a filter are alternatives). */
export function passesFilters(record: ParameterRecord, filters: readonly ParameterStringFilter[]): boolean {
  const current = currentVersion(record);
  return filters.every((filter) => {
    const key = filter.Key ?? "";
    const values = filter.Values ?? [];
    switch (key) {
      case "Path":
        return values.some((path) => underPath(record.name, path, filter.Option === "Recursive"));
      case "Name":
        return values.some((value) =>
          filter.Option === "BeginsWith"
            ? record.name.startsWith(value)
            : filter.Option === "Contains"
              ? record.name.includes(value)
              : record.name === value,
        );
      case "Type":
        return values.includes(current.type);
      case "KeyId":
        return current.type === "SecureString" && values.includes(current.keyId ?? "");
      default: {
        const tag = record.tags.find((candidate) => candidate.Key === key.slice("tag:".length));
        return tag !== undefined && (values.length === 0 || values.includes(tag.Value ?? ""));
      }
    }
  });
}

/** "/a/b/c" is one level under "/a/b" and recursively under "/a" and "/"; names without "/" are at the root. */
function underPath(name: string, path: string, recursive: boolean): boolean {
  const base = path.length > 1 ? path.replace(/\/$/, "") : path;
  const parent = name.startsWith("/") ? name.slice(0, name.lastIndexOf("/")) || "/" : "/";
  if (!recursive) return parent === base;
  return base === "/" || parent === base || parent.startsWith(`${base}/`);
}

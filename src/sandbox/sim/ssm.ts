/**
 * Simulated AWS Systems Manager Parameter Store (standard tier): String, StringList and SecureString
 * parameters with versions and tags, KMS keys for SecureStrings (the AWS managed `alias/aws/ssm` and customer
 * keys that tests register with `addKmsKey`), and SSM's validation and errors (AWS JSON 1.1, like ECS).
 * The ECS simulator reads parameters from here when a task with `secrets` starts. AWS's public parameters
 * (the ECS-optimized AMI metadata) are served read-only beside the account's (ssm-public.ts).
 */
import {
  AccessDeniedException,
  AddTagsToResourceCommand,
  type AddTagsToResourceCommandInput,
  DeleteParameterCommand,
  type DeleteParameterCommandInput,
  DeleteParametersCommand,
  type DeleteParametersCommandInput,
  type DeleteParametersResult,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  type DescribeParametersResult,
  GetParameterCommand,
  type GetParameterCommandInput,
  type GetParameterResult,
  GetParametersCommand,
  type GetParametersCommandInput,
  type GetParametersResult,
  HierarchyLevelLimitExceededException,
  HierarchyTypeMismatchException,
  InvalidAllowedPatternException,
  InvalidFilterKey,
  InvalidFilterOption,
  InvalidFilterValue,
  InvalidKeyId,
  InvalidNextToken,
  InvalidResourceId,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResult,
  type Parameter,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterPatternMismatchException,
  ParameterVersionNotFound,
  PutParameterCommand,
  type PutParameterCommandInput,
  type PutParameterResult,
  SSMServiceException,
  ThrottlingException,
  TooManyTagsError,
  ValidationException,
} from "@aws-sdk/client-ssm";
import { clone, compact, createSimContext, paginate, type SimContext } from "./core.js";
import { type ModeledExceptionClass, modeledError, type ServiceErrorProfile } from "./errors.js";
import {
  currentVersion,
  DEFAULT_KEY_ID,
  filterProblem,
  MAX_VALUE_LENGTH,
  MAX_VERSIONS,
  nameFromArn,
  nameProblem,
  type ParameterRecord,
  type ParameterVersionRecord,
  type ParameterView,
  parameterArn,
  passesFilters,
  renderMetadata,
  renderParameter,
  ssmMessages,
} from "./ssm-model.js";
import { isPublicParameterName, PublicParameters, publicParameterArn } from "./ssm-public.js";

export type { ParameterView } from "./ssm-model.js";

export class SsmSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #parameters = new Map<string, ParameterRecord>();
  /** Customer managed KMS key ARNs, and alias name ("alias/x") → key ARN. */
  readonly #keys = new Set<string>();
  readonly #aliases = new Map<string, string>();
  /**
   * AWS's public parameters (read-only for the account): `sim.ssm.publicParameters.publishRecommendedEcsAmi(…)`
   * or `.set(name, undefined)` change what AWS publishes.
   */
  readonly publicParameters: PublicParameters;

  constructor(context: SimContext = createSimContext()) {
    this.#ctx = context;
    this.publicParameters = new PublicParameters(context);
    this.errorProfile = {
      service: "SSM",
      iamPrefix: "ssm",
      BaseException: SSMServiceException,
      // Its constructor type demands `Message`; the SDK builds it from the body, as `modeledError` does.
      AccessDeniedException: AccessDeniedException as unknown as ModeledExceptionClass,
      resourceArn: (_command, input) => {
        const name = (input as { Name?: unknown } | undefined)?.Name;
        if (typeof name !== "string") return "*";
        return isPublicParameterName(name) ? publicParameterArn(this.#ctx.region, name) : this.#arn(name);
      },
      // SSM models ThrottlingException: the SDK hands it out as that class.
      faultError: (kind, _call, faultContext) =>
        kind === "throttling"
          ? Object.assign(
              modeledError(
                ThrottlingException as unknown as ModeledExceptionClass,
                "Rate exceeded",
                faultContext.ids,
              ),
              {
                $retryable: { throttling: true },
              },
            )
          : undefined,
    };
  }

  // ===============================================================================================
  // Test setup and inspection

  /**
   * Registers a customer managed KMS key (by ARN, or by bare key id in the simulated region and account)
   * that SecureStrings may then be put with, by ARN, id or `alias`. Returns the key ARN. Without this, a
   * KeyId other than "alias/aws/ssm" fails with InvalidKeyId, as an unknown key does.
   */
  addKmsKey(arnOrId: string, options: { alias?: string } = {}): string {
    const arn = arnOrId.startsWith("arn:") ? arnOrId : this.#keyArn(arnOrId);
    this.#keys.add(arn);
    if (options.alias)
      this.#aliases.set(options.alias.startsWith("alias/") ? options.alias : `alias/${options.alias}`, arn);
    return arn;
  }

  /** Seeds a parameter as if PutParameter had been called (same rules, not logged); returns the new version. */
  putParameterDirectly(input: PutParameterCommandInput): number {
    return this.putParameter(input).Version ?? 0;
  }

  /** A parameter (by name or ARN) with its current value decrypted and its history; undefined when there is none. */
  parameter(nameOrArn: string): ParameterView | undefined {
    const record = this.#find(nameOrArn);
    return record && this.#view(record);
  }

  /** Every parameter, by name. */
  parameters(): ParameterView[] {
    return [...this.#parameters.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((record) => this.#view(record));
  }

  // ===============================================================================================
  // API

  putParameter(input: PutParameterCommandInput): PutParameterResult {
    this.#ctx.clock.advance();
    const name = (input.Name ?? "").trim();
    this.#checkName(name, "write");
    if (input.Tier !== undefined && input.Tier !== "Standard" && input.Tier !== "Intelligent-Tiering") {
      throw new Error(`simulated SSM supports only the Standard tier (got ${input.Tier})`);
    }
    if (input.Policies !== undefined || (input.DataType !== undefined && input.DataType !== "text")) {
      throw new Error("simulated SSM does not implement parameter policies or data types other than text");
    }
    if (input.Value === undefined || input.Value === null) {
      throw this.#validation(
        "1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null",
      );
    }
    if (input.Overwrite && input.Tags !== undefined) throw this.#validation(ssmMessages.tagsWithOverwrite);
    const existing = this.#parameters.get(name);
    if (existing && !input.Overwrite) throw this.#error(ParameterAlreadyExists, ssmMessages.alreadyExists);
    const type = input.Type ?? (existing ? currentVersion(existing).type : undefined);
    if (!type) throw this.#validation(ssmMessages.typeRequired);
    if (existing && type !== currentVersion(existing).type && name.startsWith("/")) {
      throw this.#error(HierarchyTypeMismatchException, ssmMessages.typeChangeInHierarchy);
    }
    if (input.KeyId !== undefined && type !== "SecureString")
      throw this.#validation(ssmMessages.keyIdForSecureStringOnly);
    if (input.Value.length > MAX_VALUE_LENGTH) throw this.#validation(ssmMessages.valueTooLong);
    this.#checkPattern(input.AllowedPattern, input.Value);
    // Overwriting a SecureString without a KeyId puts it under the default key again.
    const keyId = type === "SecureString" ? (input.KeyId ?? DEFAULT_KEY_ID) : undefined;
    const customerKeyArn = keyId === undefined ? undefined : this.#resolveKey(keyId);
    const previous = existing ? currentVersion(existing) : undefined;
    const version: ParameterVersionRecord = {
      version: (previous?.version ?? 0) + 1,
      type,
      value: input.Value,
      keyId,
      customerKeyArn,
      description: input.Description ?? previous?.description,
      allowedPattern: input.AllowedPattern ?? previous?.allowedPattern,
      lastModifiedDate: this.#ctx.clock.date(),
      lastModifiedUser: this.#ctx.principalArn,
    };
    const record = existing ?? { name, tags: clone(input.Tags ?? []), versions: [] };
    record.versions.push(version);
    record.versions.splice(0, Math.max(0, record.versions.length - MAX_VERSIONS));
    this.#parameters.set(name, record);
    return { Version: version.version, Tier: "Standard" };
  }

  getParameter(input: GetParameterCommandInput): GetParameterResult {
    this.#ctx.clock.advance();
    const { name, selector } = splitSelector(input.Name ?? "");
    if (!name.startsWith("arn:")) this.#checkName(name, "read");
    if (isPublicParameterName(name)) {
      const parameter = this.publicParameters.render(name, selector);
      if (!parameter) throw this.#error(ParameterNotFound, ssmMessages.noMessage);
      return { Parameter: parameter };
    }
    const record = this.#find(name);
    if (!record) throw this.#error(ParameterNotFound, ssmMessages.noMessage);
    const version = this.#version(record, selector);
    return { Parameter: this.#render(record, version, input.WithDecryption ?? false, selector) };
  }

  getParameters(input: GetParametersCommandInput): GetParametersResult {
    this.#ctx.clock.advance();
    const names = this.#nameList(input.Names, "names");
    const parameters: Parameter[] = [];
    const invalid: string[] = [];
    for (const requested of names) {
      const { name, selector } = splitSelector(requested);
      if (isPublicParameterName(name)) {
        const parameter = this.publicParameters.render(name, selector);
        if (parameter) parameters.push(parameter);
        else invalid.push(requested);
        continue;
      }
      const record = this.#find(name);
      const version = record && this.#versionOrUndefined(record, selector);
      if (record && version)
        parameters.push(this.#render(record, version, input.WithDecryption ?? false, selector));
      else invalid.push(requested);
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  describeParameters(input: DescribeParametersCommandInput = {}): DescribeParametersResult {
    this.#ctx.clock.advance();
    if (input.Filters !== undefined)
      throw new Error("simulated SSM does not implement DescribeParameters Filters (use ParameterFilters)");
    if (input.Shared) throw new Error("simulated SSM does not implement shared parameters");
    if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 50)) {
      throw this.#validation(ssmMessages.maxResults(input.MaxResults));
    }
    const filters = input.ParameterFilters ?? [];
    for (const filter of filters) {
      const problem = filterProblem(filter);
      if (!problem) continue;
      const exceptions: Record<typeof problem.kind, ModeledExceptionClass> = {
        key: InvalidFilterKey,
        option: InvalidFilterOption,
        value: InvalidFilterValue,
      };
      const Exception = exceptions[problem.kind];
      throw this.#error(Exception, problem.message);
    }
    const matching = [...this.#parameters.values()]
      .filter((record) => passesFilters(record, filters))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(
      matching,
      { maxResults: input.MaxResults, nextToken: input.NextToken },
      { defaultMax: 10, invalidToken: () => this.#error(InvalidNextToken, "The nextToken is not valid.") },
    );
    return compact({
      Parameters: page.map((record) => renderMetadata(record, this.#arn(record.name))),
      NextToken: nextToken,
    });
  }

  deleteParameter(input: DeleteParameterCommandInput): Record<string, never> {
    this.#ctx.clock.advance();
    const name = input.Name ?? "";
    if (!this.#parameters.delete(name)) throw this.#error(ParameterNotFound, ssmMessages.noMessage);
    return {};
  }

  deleteParameters(input: DeleteParametersCommandInput): DeleteParametersResult {
    this.#ctx.clock.advance();
    const names = this.#nameList(input.Names, "names");
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) (this.#parameters.delete(name) ? deleted : invalid).push(name);
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  addTagsToResource(input: AddTagsToResourceCommandInput): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#taggable(input.ResourceType, input.ResourceId);
    const tags = [...record.tags];
    for (const tag of input.Tags ?? []) {
      const index = tags.findIndex((existing) => existing.Key === tag.Key);
      if (index === -1) tags.push({ Key: tag.Key, Value: tag.Value });
      else tags[index] = { Key: tag.Key, Value: tag.Value };
    }
    if (tags.length > 50) throw this.#error(TooManyTagsError, ssmMessages.noMessage);
    record.tags = tags;
    return {};
  }

  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResult {
    this.#ctx.clock.advance();
    return { TagList: clone(this.#taggable(input.ResourceType, input.ResourceId).tags) };
  }

  // ===============================================================================================
  // Internals

  #arn(name: string): string {
    return parameterArn(this.#ctx.region, this.#ctx.accountId, name);
  }

  #keyArn(keyId: string): string {
    return `arn:aws:kms:${this.#ctx.region}:${this.#ctx.accountId}:key/${keyId}`;
  }

  #find(nameOrArn: string): ParameterRecord | undefined {
    const name = nameOrArn.startsWith("arn:")
      ? nameFromArn(nameOrArn, this.#ctx.region, this.#ctx.accountId, (candidate) =>
          this.#parameters.has(candidate),
        )
      : nameOrArn;
    return name === undefined ? undefined : this.#parameters.get(name);
  }

  #checkName(name: string, access: "write" | "read"): void {
    const problem = nameProblem(name, access, (candidate) => this.#arn(candidate));
    if (problem?.kind === "depth") throw this.#error(HierarchyLevelLimitExceededException, problem.message);
    if (problem) throw this.#validation(problem.message);
  }

  /** 1 to 10 names, as GetParameters and DeleteParameters take them. */
  #nameList(names: string[] | undefined, member: string): string[] {
    const list = [...new Set(names ?? [])];
    if (list.length === 0) {
      throw this.#validation(
        `1 validation error detected: Value '[]' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    if (list.length > 10) throw this.#validation(ssmMessages.tooMany(member, `[${list.join(", ")}]`, 10));
    return list;
  }

  #checkPattern(pattern: string | undefined, value: string): void {
    if (pattern === undefined) return;
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch {
      throw this.#error(InvalidAllowedPatternException, ssmMessages.invalidPattern);
    }
    if (!regex.test(value))
      throw this.#error(ParameterPatternMismatchException, ssmMessages.patternMismatch(pattern));
  }

  /** The customer key ARN a KeyId names (undefined for the AWS managed key), or InvalidKeyId as KMS words it. */
  #resolveKey(keyId: string): string | undefined {
    const managedAlias = `arn:aws:kms:${this.#ctx.region}:${this.#ctx.accountId}:${DEFAULT_KEY_ID}`;
    if (keyId === DEFAULT_KEY_ID || keyId === managedAlias) return undefined;
    const alias = /^(?:arn:aws[\w-]*:kms:[^:]+:\d{12}:)?(alias\/.+)$/.exec(keyId);
    if (alias) {
      const arn = this.#aliases.get(alias[1] ?? "");
      if (arn) return arn;
      const aliasArn = keyId.startsWith("arn:")
        ? keyId
        : `arn:aws:kms:${this.#ctx.region}:${this.#ctx.accountId}:${keyId}`;
      throw this.#error(InvalidKeyId, ssmMessages.aliasNotFound(aliasArn, this.#ctx.ids.uuid()));
    }
    const arn = keyId.startsWith("arn:") ? keyId : this.#keyArn(keyId);
    if (this.#keys.has(arn)) return arn;
    throw this.#error(InvalidKeyId, ssmMessages.keyNotFound(arn, this.#ctx.ids.uuid()));
  }

  #version(record: ParameterRecord, selector: string | undefined): ParameterVersionRecord {
    const version = this.#versionOrUndefined(record, selector);
    if (version) return version;
    if (selector !== undefined && !/^:\d+$/.test(selector)) {
      throw new Error(`simulated SSM does not implement parameter labels (selector ${selector})`);
    }
    throw this.#error(
      ParameterVersionNotFound,
      `Systems Manager could not find version ${selector?.slice(1)} of ${record.name}. Verify the version and try again.`,
    );
  }

  #versionOrUndefined(
    record: ParameterRecord,
    selector: string | undefined,
  ): ParameterVersionRecord | undefined {
    if (selector === undefined) return currentVersion(record);
    const number = /^:(\d+)$/.exec(selector)?.[1];
    return number === undefined ? undefined : record.versions.find((v) => v.version === Number(number));
  }

  #render(
    record: ParameterRecord,
    version: ParameterVersionRecord,
    withDecryption: boolean,
    selector?: string,
  ) {
    return renderParameter(record, version, { arn: this.#arn(record.name), withDecryption, selector });
  }

  #taggable(resourceType: string | undefined, resourceId: string | undefined): ParameterRecord {
    if (resourceType !== "Parameter")
      throw new Error(`simulated SSM does not implement tags on ${resourceType}`);
    const record = this.#parameters.get(resourceId ?? "");
    if (!record) throw this.#error(InvalidResourceId, ssmMessages.noMessage);
    return record;
  }

  #view(record: ParameterRecord): ParameterView {
    const current = currentVersion(record);
    return {
      name: record.name,
      arn: this.#arn(record.name),
      type: current.type,
      value: current.value,
      keyId: current.keyId,
      customerKeyArn: current.customerKeyArn,
      version: current.version,
      description: current.description,
      tags: clone(record.tags),
      lastModified: current.lastModifiedDate,
      history: record.versions.map((v) => ({
        version: v.version,
        type: v.type,
        value: v.value,
        keyId: v.keyId,
        lastModified: v.lastModifiedDate,
      })),
    };
  }

  #validation(message: string): Error {
    return this.#error(ValidationException, message);
  }

  #error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E {
    return modeledError(Exception, message, this.#ctx.ids);
  }
}

/** "/a/b:3" → name "/a/b", selector ":3" (ARNs have colons of their own: only a trailing ":<selector>" counts). */
function splitSelector(reference: string): { name: string; selector: string | undefined } {
  const match = /^(.*[^:]):([\w.-]+)$/.exec(reference);
  if (!match || (reference.startsWith("arn:") && (match[1] ?? "").split(":").length < 6)) {
    return { name: reference, selector: undefined };
  }
  return { name: match[1] ?? reference, selector: `:${match[2]}` };
}

/** The SSM commands the simulator answers: operation name → [SDK command class, SsmSimulator method]. */
export const ssmCommands = {
  PutParameter: [PutParameterCommand, "putParameter"],
  GetParameter: [GetParameterCommand, "getParameter"],
  GetParameters: [GetParametersCommand, "getParameters"],
  DescribeParameters: [DescribeParametersCommand, "describeParameters"],
  DeleteParameter: [DeleteParameterCommand, "deleteParameter"],
  DeleteParameters: [DeleteParametersCommand, "deleteParameters"],
  AddTagsToResource: [AddTagsToResourceCommand, "addTagsToResource"],
  ListTagsForResource: [ListTagsForResourceCommand, "listTagsForResource"],
} as const satisfies Record<string, readonly [unknown, keyof SsmSimulator]>;

export type SsmCommandName = keyof typeof ssmCommands;

export type SsmInput<N extends SsmCommandName> = SsmSimulator[(typeof ssmCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

export type SsmInputs = { [N in SsmCommandName]: SsmInput<N> };

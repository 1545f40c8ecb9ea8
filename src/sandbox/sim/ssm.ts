/**
 * Simulated AWS Systems Manager Parameter Store (standard tier): String, StringList and SecureString
 * parameters with versions and tags, KMS keys for SecureStrings (the AWS managed `alias/aws/ssm` and customer
 * keys that tests register with `addKmsKey`), and SSM's validation and errors (AWS JSON 1.1, like ECS).
 * The ECS simulator reads parameters from here when a task with `secrets` starts. AWS's public parameters
 * (the ECS-optimized AMI metadata) are served read-only beside the account's (ssm-public.ts).
 *
 * Reads are ssm-reads.ts's, KMS keys ssm-kms-keys.ts's, the state they share ssm-state.ts's.
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
  HierarchyTypeMismatchException,
  InvalidAllowedPatternException,
  InvalidResourceId,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResult,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterPatternMismatchException,
  PutParameterCommand,
  type PutParameterCommandInput,
  type PutParameterResult,
  SSMServiceException,
  ThrottlingException,
  TooManyTagsError,
} from "@aws-sdk/client-ssm";
import { clone, createSimContext, type SimContext } from "./core.js";
import { type ModeledExceptionClass, modeledError, type ServiceErrorProfile } from "./errors.js";
import { KmsKeys } from "./ssm-kms-keys.js";
import {
  currentVersion,
  DEFAULT_KEY_ID,
  MAX_VALUE_LENGTH,
  MAX_VERSIONS,
  type ParameterRecord,
  type ParameterVersionRecord,
  type ParameterView,
  ssmMessages,
} from "./ssm-model.js";
import { isPublicParameterName, PublicParameters, publicParameterArn } from "./ssm-public.js";
import { ParameterReads } from "./ssm-reads.js";
import { SsmState } from "./ssm-state.js";

export type { ParameterView } from "./ssm-model.js";

export class SsmSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #state: SsmState;
  /** The KMS keys SecureStrings may be put with (ssm-kms-keys.ts). */
  readonly #keys: KmsKeys;
  /** GetParameter, GetParameters, DescribeParameters (ssm-reads.ts). */
  readonly #reads: ParameterReads;
  /**
   * AWS's public parameters (read-only for the account): `sim.ssm.publicParameters.publishRecommendedEcsAmi(…)`
   * or `.set(name, undefined)` change what AWS publishes.
   */
  readonly publicParameters: PublicParameters;

  constructor(context: SimContext = createSimContext()) {
    this.#state = new SsmState(context);
    this.#keys = new KmsKeys(this.#state);
    this.publicParameters = new PublicParameters(context);
    this.#reads = new ParameterReads(this.#state, this.publicParameters);
    this.errorProfile = {
      service: "SSM",
      iamPrefix: "ssm",
      BaseException: SSMServiceException,
      // Its constructor type demands `Message`; the SDK builds it from the body, as `modeledError` does.
      AccessDeniedException: AccessDeniedException as unknown as ModeledExceptionClass,
      resourceArn: (_command, input) => {
        const name = (input as { Name?: unknown } | undefined)?.Name;
        if (typeof name !== "string") return "*";
        return isPublicParameterName(name) ? publicParameterArn(context.region, name) : this.#state.arn(name);
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
    return this.#keys.add(arnOrId, options);
  }

  /** Seeds a parameter as if PutParameter had been called (same rules, not logged); returns the new version. */
  putParameterDirectly(input: PutParameterCommandInput): number {
    return this.putParameter(input).Version ?? 0;
  }

  /** A parameter (by name or ARN) with its current value decrypted and its history; undefined when there is none. */
  parameter(nameOrArn: string): ParameterView | undefined {
    const record = this.#state.find(nameOrArn);
    return record && this.#view(record);
  }

  /** Every parameter, by name. */
  parameters(): ParameterView[] {
    return [...this.#state.parameters.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((record) => this.#view(record));
  }

  // ===============================================================================================
  // API (the reads: ssm-reads.ts)

  putParameter(input: PutParameterCommandInput): PutParameterResult {
    this.#state.ctx.clock.advance();
    const name = (input.Name ?? "").trim();
    this.#state.checkName(name, "write");
    if (input.Tier !== undefined && input.Tier !== "Standard" && input.Tier !== "Intelligent-Tiering") {
      throw new Error(`simulated SSM supports only the Standard tier (got ${input.Tier})`);
    }
    if (input.Policies !== undefined || (input.DataType !== undefined && input.DataType !== "text")) {
      throw new Error("simulated SSM does not implement parameter policies or data types other than text");
    }
    if (input.Value === undefined || input.Value === null) {
      throw this.#state.validation(
        "1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null",
      );
    }
    if (input.Overwrite && input.Tags !== undefined)
      throw this.#state.validation(ssmMessages.tagsWithOverwrite);
    const existing = this.#state.parameters.get(name);
    if (existing && !input.Overwrite)
      throw this.#state.error(ParameterAlreadyExists, ssmMessages.alreadyExists);
    const type = input.Type ?? (existing ? currentVersion(existing).type : undefined);
    if (!type) throw this.#state.validation(ssmMessages.typeRequired);
    if (existing && type !== currentVersion(existing).type && name.startsWith("/")) {
      throw this.#state.error(HierarchyTypeMismatchException, ssmMessages.typeChangeInHierarchy);
    }
    if (input.KeyId !== undefined && type !== "SecureString")
      throw this.#state.validation(ssmMessages.keyIdForSecureStringOnly);
    if (input.Value.length > MAX_VALUE_LENGTH) throw this.#state.validation(ssmMessages.valueTooLong);
    this.#checkPattern(input.AllowedPattern, input.Value);
    // Overwriting a SecureString without a KeyId puts it under the default key again.
    const keyId = type === "SecureString" ? (input.KeyId ?? DEFAULT_KEY_ID) : undefined;
    const customerKeyArn = keyId === undefined ? undefined : this.#keys.resolve(keyId);
    const previous = existing ? currentVersion(existing) : undefined;
    const version: ParameterVersionRecord = {
      version: (previous?.version ?? 0) + 1,
      type,
      value: input.Value,
      keyId,
      customerKeyArn,
      description: input.Description ?? previous?.description,
      allowedPattern: input.AllowedPattern ?? previous?.allowedPattern,
      lastModifiedDate: this.#state.ctx.clock.date(),
      lastModifiedUser: this.#state.ctx.principalArn,
    };
    const record = existing ?? { name, tags: clone(input.Tags ?? []), versions: [] };
    record.versions.push(version);
    record.versions.splice(0, Math.max(0, record.versions.length - MAX_VERSIONS));
    this.#state.parameters.set(name, record);
    return { Version: version.version, Tier: "Standard" };
  }

  getParameter(input: GetParameterCommandInput): GetParameterResult {
    return this.#reads.getParameter(input);
  }

  getParameters(input: GetParametersCommandInput): GetParametersResult {
    return this.#reads.getParameters(input);
  }

  describeParameters(input: DescribeParametersCommandInput = {}): DescribeParametersResult {
    return this.#reads.describeParameters(input);
  }

  deleteParameter(input: DeleteParameterCommandInput): Record<string, never> {
    this.#state.ctx.clock.advance();
    const name = input.Name ?? "";
    if (!this.#state.parameters.delete(name))
      throw this.#state.error(ParameterNotFound, ssmMessages.noMessage);
    return {};
  }

  deleteParameters(input: DeleteParametersCommandInput): DeleteParametersResult {
    this.#state.ctx.clock.advance();
    const names = this.#state.nameList(input.Names, "names");
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) (this.#state.parameters.delete(name) ? deleted : invalid).push(name);
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  addTagsToResource(input: AddTagsToResourceCommandInput): Record<string, never> {
    this.#state.ctx.clock.advance();
    const record = this.#taggable(input.ResourceType, input.ResourceId);
    const tags = [...record.tags];
    for (const tag of input.Tags ?? []) {
      const index = tags.findIndex((existing) => existing.Key === tag.Key);
      if (index === -1) tags.push({ Key: tag.Key, Value: tag.Value });
      else tags[index] = { Key: tag.Key, Value: tag.Value };
    }
    if (tags.length > 50) throw this.#state.error(TooManyTagsError, ssmMessages.noMessage);
    record.tags = tags;
    return {};
  }

  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResult {
    this.#state.ctx.clock.advance();
    return { TagList: clone(this.#taggable(input.ResourceType, input.ResourceId).tags) };
  }

  // ===============================================================================================
  // Internals

  #checkPattern(pattern: string | undefined, value: string): void {
    if (pattern === undefined) return;
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch {
      throw this.#state.error(InvalidAllowedPatternException, ssmMessages.invalidPattern);
    }
    if (!regex.test(value))
      throw this.#state.error(ParameterPatternMismatchException, ssmMessages.patternMismatch(pattern));
  }

  #taggable(resourceType: string | undefined, resourceId: string | undefined): ParameterRecord {
    if (resourceType !== "Parameter")
      throw new Error(`simulated SSM does not implement tags on ${resourceType}`);
    const record = this.#state.parameters.get(resourceId ?? "");
    if (!record) throw this.#state.error(InvalidResourceId, ssmMessages.noMessage);
    return record;
  }

  #view(record: ParameterRecord): ParameterView {
    const current = currentVersion(record);
    return {
      name: record.name,
      arn: this.#state.arn(record.name),
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

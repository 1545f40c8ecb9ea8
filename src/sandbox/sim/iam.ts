/**
 * Simulated AWS IAM: instance profiles (for EC2 instances) and roles (for ECS task execution), sharing one
 * set of role records. Tests add them (`addInstanceProfile`, `addRole`) or code creates them through the API
 * (`CreateRole`, `AttachRolePolicy`, `PutRolePolicy`, `TagRole`…); answers use IAM's wording, including
 * `NoSuchEntity`, `EntityAlreadyExists` and `MalformedPolicyDocument`, and IAM's URL-encoded policy documents.
 * The EC2 simulator asks this one whether a `RunInstances` profile exists and carries a role; the ECS simulator
 * asks whether a task execution role exists, trusts ECS tasks, and may read a parameter or decrypt with a key.
 */
import {
  AttachRolePolicyCommand,
  type AttachRolePolicyCommandInput,
  CreateRoleCommand,
  type CreateRoleCommandInput,
  type CreateRoleResponse,
  DeleteRoleCommand,
  type DeleteRoleCommandInput,
  DeleteRolePolicyCommand,
  type DeleteRolePolicyCommandInput,
  DetachRolePolicyCommand,
  type DetachRolePolicyCommandInput,
  EntityAlreadyExistsException,
  GetInstanceProfileCommand,
  type GetInstanceProfileCommandInput,
  type GetInstanceProfileResponse,
  GetRoleCommand,
  type GetRoleCommandInput,
  GetRolePolicyCommand,
  type GetRolePolicyCommandInput,
  type GetRolePolicyResponse,
  type GetRoleResponse,
  IAMServiceException,
  type InstanceProfile,
  InvalidInputException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  type ListAttachedRolePoliciesCommandInput,
  type ListAttachedRolePoliciesResponse,
  ListRolePoliciesCommand,
  type ListRolePoliciesCommandInput,
  type ListRolePoliciesResponse,
  ListRoleTagsCommand,
  type ListRoleTagsCommandInput,
  type ListRoleTagsResponse,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  type PutRolePolicyCommandInput,
  type Tag,
  TagRoleCommand,
  type TagRoleCommandInput,
} from "@aws-sdk/client-iam";
import { clone, compact, createSimContext, type SimContext } from "./core.js";
import { queryProtocolFaultError, type ServiceErrorProfile } from "./errors.js";
import { RoleDeletion } from "./iam-delete.js";
import {
  managedPolicies,
  type PolicyDocument,
  parsePolicyDocument,
  serviceTrustPolicy,
} from "./iam-policy.js";
import {
  defaultIamTimings,
  IamPropagation,
  type IamTimings,
  type RoleVisibility,
} from "./iam-propagation.js";
import { IamErrors, NAME_PATTERN, type RoleRecord, RoleStore, type RoleView } from "./iam-roles.js";

export { managedPolicies, type PolicyDocument } from "./iam-policy.js";
export type { IamTimings, RoleVisibility } from "./iam-propagation.js";
export type { RoleView } from "./iam-roles.js";

interface InstanceProfileRecord {
  name: string;
  id: string;
  path: string;
  createDate: Date;
  role: RoleRecord | undefined;
}

export interface AddRoleOptions {
  path?: string;
  /** The AWS service that may assume the role. Default "ecs-tasks.amazonaws.com"; ignored with `trustPolicy`. */
  trustedService?: string;
  trustPolicy?: PolicyDocument;
  /** Managed policy ARNs to attach (ones the simulator knows: `managedPolicies`). */
  attached?: string[];
  /** Inline policies by name. */
  inline?: Record<string, PolicyDocument>;
  tags?: Tag[] | Record<string, string>;
  description?: string;
}

/** IAM's pattern for paths: "/" or "/…/" of printable ASCII. */
const PATH_PATTERN = /^(\/|\/[\u0021-\u007e]+\/)$/;
const EC2_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";

export class IamSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #profiles = new Map<string, InstanceProfileRecord>();
  readonly #roles: RoleStore;
  readonly #errors: IamErrors;
  /** DetachRolePolicy, DeleteRolePolicy, DeleteRole (iam-delete.ts). */
  readonly #deletion: RoleDeletion;
  /** What other services (ECS) see of recent role and policy changes (iam-propagation.ts). */
  readonly #propagation: IamPropagation;
  #timings: IamTimings;

  constructor(context: SimContext = createSimContext(), options: { timings?: Partial<IamTimings> } = {}) {
    this.#ctx = context;
    this.#timings = { ...defaultIamTimings, ...options.timings };
    this.#propagation = new IamPropagation(context.clock, () => this.#timings);
    this.#roles = new RoleStore(context);
    this.#errors = new IamErrors(context);
    this.#deletion = new RoleDeletion({
      roles: this.#roles,
      errors: this.#errors,
      sync: () => this.#ctx.clock.advance(),
      existingRole: (name) => this.#existingRole(name),
      profilesHolding: (role) =>
        [...this.#profiles.values()]
          .filter((profile) => profile.role === role)
          .map((profile) => profile.name),
    });
    const profile = {
      service: "IAM",
      iamPrefix: "iam",
      BaseException: IAMServiceException,
      resourceArn: (_command: string, input: unknown) => {
        const fields = (input ?? {}) as { InstanceProfileName?: string; RoleName?: string };
        if (fields.RoleName) return `arn:aws:iam::${context.accountId}:role/${fields.RoleName}`;
        return fields.InstanceProfileName ? `instance profile ${fields.InstanceProfileName}` : "*";
      },
    };
    this.errorProfile = {
      ...profile,
      faultError: (kind, call, faultContext) => queryProtocolFaultError(profile, kind, call, faultContext),
    };
  }

  /** How long role and policy changes take to reach ECS (`propagationMs`, default 0). */
  get timings(): Readonly<IamTimings> {
    return this.#timings;
  }

  setTimings(timings: Partial<IamTimings>): void {
    this.#timings = { ...this.#timings, ...timings };
  }

  // ===============================================================================================
  // Test setup and inspection: instance profiles

  /**
   * Adds an instance profile, by default holding a role of the same name (as the console's "ecsInstanceRole"
   * does: a role created here trusts EC2 and has AmazonEC2ContainerServiceforEC2Role attached; an existing
   * role of that name is used as it is). Returns it as `GetInstanceProfile` renders it.
   */
  addInstanceProfile(
    name: string,
    roleName?: string | null,
    options: { path?: string } = {},
  ): InstanceProfile {
    this.#ctx.clock.advance();
    if (!NAME_PATTERN.test(name))
      throw new Error(`simulated IAM: "${name}" is not a valid instance profile name`);
    if (this.#profiles.has(name)) throw new Error(`simulated IAM: instance profile ${name} exists already`);
    const path = options.path ?? "/";
    const role = roleName === null ? undefined : this.#instanceRole(roleName ?? name);
    const record: InstanceProfileRecord = {
      name,
      id: `AIPA${this.#ctx.ids.hex(17).toUpperCase()}`,
      path,
      createDate: this.#ctx.clock.date(),
      role,
    };
    this.#profiles.set(name, record);
    return this.#renderProfile(record);
  }

  /**
   * Puts a role (by default one named like the profile) into the profile, or takes its role out (`null`), as
   * `aws iam add-role-to-instance-profile` / `remove-role-from-instance-profile` do.
   */
  setInstanceProfileRole(name: string, roleName?: string | null): InstanceProfile {
    this.#ctx.clock.advance();
    const record = this.#profiles.get(name);
    if (!record) throw new Error(`simulated IAM: no instance profile ${name}`);
    record.role = roleName === null ? undefined : this.#instanceRole(roleName ?? name);
    return this.#renderProfile(record);
  }

  /** Deletes an instance profile (instances launched with it keep running but the ECS agent loses credentials). */
  removeInstanceProfile(name: string): void {
    if (!this.#profiles.delete(name)) throw new Error(`simulated IAM: no instance profile ${name}`);
  }

  /** An instance profile by name or ARN, as `GetInstanceProfile` renders it; undefined when there is none. */
  instanceProfile(nameOrArn: string): InstanceProfile | undefined {
    const arn = /^arn:aws[\w-]*:iam::\d{12}:instance-profile\/(?:.*\/)?([^/]+)$/.exec(nameOrArn);
    const record = this.#profiles.get(arn?.[1] ?? nameOrArn);
    return record && this.#renderProfile(record);
  }

  // ===============================================================================================
  // Test setup and inspection: roles

  /**
   * Adds a role without going through the API, e.g. the task execution role an account already has:
   * `addRole("ecsTaskExecutionRole", { attached: [<AmazonECSTaskExecutionRolePolicy ARN>], inline: { ssm: … } })`.
   * By default it trusts ecs-tasks.amazonaws.com and has no policies.
   */
  addRole(name: string, options: AddRoleOptions = {}): RoleView {
    this.#ctx.clock.advance();
    if (!NAME_PATTERN.test(name) || name.length > 64)
      throw new Error(`simulated IAM: invalid role name "${name}"`);
    if (this.#roles.has(name)) throw new Error(`simulated IAM: role ${name} exists already`);
    for (const arn of options.attached ?? []) {
      if (!managedPolicies[arn]) throw new Error(`simulated IAM: unknown managed policy ${arn}`);
    }
    const trust =
      options.trustPolicy ?? serviceTrustPolicy(options.trustedService ?? "ecs-tasks.amazonaws.com");
    const tags = Array.isArray(options.tags)
      ? options.tags
      : Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const record = this.#roles.create({
      name,
      path: options.path ?? "/",
      trustPolicy: JSON.stringify(trust),
      description: options.description,
      tags,
    });
    record.attached.push(...(options.attached ?? []));
    for (const [policyName, document] of Object.entries(options.inline ?? {})) {
      record.inline.set(policyName, JSON.stringify(document));
    }
    return this.#roles.view(record);
  }

  /** A role by name or ARN with its policies decoded, for assertions; undefined when there is none. */
  role(nameOrArn: string): RoleView | undefined {
    const record = this.#roles.find(nameOrArn);
    return record && this.#roles.view(record);
  }

  /** Deletes a role out of band (e.g. someone removed the execution role); profiles holding it lose it. */
  removeRole(name: string): void {
    const record = this.#roles.delete(name);
    if (!record) throw new Error(`simulated IAM: no role ${name}`);
    for (const profile of this.#profiles.values()) if (profile.role === record) profile.role = undefined;
  }

  /** Whether the role's trust policy lets `service` (e.g. "ecs-tasks.amazonaws.com") assume it. */
  roleTrusts(nameOrArn: string, service: string): boolean {
    const record = this.#roles.find(nameOrArn);
    return record !== undefined && this.#roles.trusts(record, service);
  }

  /**
   * Whether the role's identity policies (inline and attached managed ones) allow `action` on `resource`,
   * e.g. `roleAllows(executionRoleArn, "ssm:GetParameters", parameterArn)`. False for an unknown role.
   * `context` carries condition keys such as "kms:ViaService".
   */
  roleAllows(
    nameOrArn: string,
    action: string,
    resource: string,
    context?: Readonly<Record<string, string>>,
  ): boolean {
    const record = this.#roles.find(nameOrArn);
    return record !== undefined && this.#roles.allows(record, { action, resource, context });
  }

  /**
   * What other services (ECS) see of the role now: "propagating" while a role created through the API less
   * than `propagationMs` ago has not reached them, "missing" when IAM has no such role.
   */
  roleVisibility(nameOrArn: string): RoleVisibility {
    const record = this.#roles.find(nameOrArn);
    if (!record) return "missing";
    return this.#propagation.visible(record) ? "visible" : "propagating";
  }

  /**
   * `roleAllows` as other services judge it now: a policy put or attached less than `propagationMs` ago does
   * not count yet (an inline policy replaced within that time counts as it was before); false while the role
   * itself is propagating.
   */
  roleAllowsAsSeenByServices(
    nameOrArn: string,
    action: string,
    resource: string,
    context?: Readonly<Record<string, string>>,
  ): boolean {
    const record = this.#roles.find(nameOrArn);
    if (!record || !this.#propagation.visible(record)) return false;
    const seen = { ...record, ...this.#propagation.seenPolicies(record) };
    return this.#roles.allows(seen, { action, resource, context });
  }

  // ===============================================================================================
  // API: instance profiles

  getInstanceProfile(input: GetInstanceProfileCommandInput): GetInstanceProfileResponse {
    this.#ctx.clock.advance();
    const name = this.#errors.validName(input.InstanceProfileName, "instanceProfileName", 128);
    const record = this.#profiles.get(name);
    if (!record)
      throw this.#errors.noSuchEntity(NoSuchEntityException, `Instance Profile ${name} cannot be found.`);
    return { InstanceProfile: this.#renderProfile(record) };
  }

  // ===============================================================================================
  // API: roles

  getRole(input: GetRoleCommandInput): GetRoleResponse {
    this.#ctx.clock.advance();
    return { Role: this.#roles.render(this.#existingRole(input.RoleName), true) };
  }

  createRole(input: CreateRoleCommandInput): CreateRoleResponse {
    this.#ctx.clock.advance();
    const name = this.#errors.validName(input.RoleName, "roleName", 64);
    const path = input.Path ?? "/";
    if (!PATH_PATTERN.test(path) || path.length > 512) {
      throw this.#errors.validation(
        `1 validation error detected: Value '${path}' at 'path' failed to satisfy constraint: ` +
          "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
      );
    }
    const trust = parsePolicyDocument(input.AssumeRolePolicyDocument, "trust");
    if (trust.error) throw this.#malformed(trust.error);
    if (this.#roles.has(name)) {
      const message = `Role with name ${name} already exists.`;
      throw this.#errors.modeled(EntityAlreadyExistsException, "EntityAlreadyExists", message, 409);
    }
    const record = this.#roles.create({
      name,
      path,
      trustPolicy: input.AssumeRolePolicyDocument ?? "",
      description: input.Description,
      tags: input.Tags ?? [],
      maxSessionDuration: input.MaxSessionDuration,
    });
    this.#propagation.roleCreated(record);
    return { Role: this.#roles.render(record, true) };
  }

  attachRolePolicy(input: AttachRolePolicyCommandInput): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#existingRole(input.RoleName);
    const arn = input.PolicyArn ?? "";
    if (!/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/.+/.test(arn)) {
      throw this.#errors.modeled(InvalidInputException, "InvalidInput", `ARN ${arn} is not valid.`, 400);
    }
    if (!managedPolicies[arn]) {
      throw this.#errors.noSuchEntity(
        NoSuchEntityException,
        `Policy ${arn} does not exist or is not attachable.`,
      );
    }
    if (record.attached.includes(arn)) return {};
    if (record.attached.length >= 10) {
      const message = "Cannot exceed quota for PoliciesPerRole: 10";
      throw this.#errors.modeled(LimitExceededException, "LimitExceeded", message, 409);
    }
    record.attached.push(arn);
    this.#propagation.policyAttached(record, arn);
    return {};
  }

  listAttachedRolePolicies(input: ListAttachedRolePoliciesCommandInput): ListAttachedRolePoliciesResponse {
    this.#ctx.clock.advance();
    const record = this.#existingRole(input.RoleName);
    const attached = record.attached
      .filter(
        (arn) =>
          input.PathPrefix === undefined || (managedPolicies[arn]?.path ?? "/").startsWith(input.PathPrefix),
      )
      .map((arn) => ({ PolicyName: managedPolicies[arn]?.name, PolicyArn: arn }));
    const { page, marker } = this.#errors.page(attached, input);
    return compact({ AttachedPolicies: page, IsTruncated: marker !== undefined, Marker: marker });
  }

  putRolePolicy(input: PutRolePolicyCommandInput): Record<string, never> {
    this.#ctx.clock.advance();
    const policyName = this.#errors.validName(input.PolicyName, "policyName", 128);
    const record = this.#existingRole(input.RoleName);
    const parsed = parsePolicyDocument(input.PolicyDocument, "identity");
    if (parsed.error) throw this.#malformed(parsed.error);
    const before = record.inline.get(policyName);
    record.inline.set(policyName, input.PolicyDocument ?? "");
    this.#propagation.policyPut(record, policyName, before);
    return {};
  }

  getRolePolicy(input: GetRolePolicyCommandInput): GetRolePolicyResponse {
    this.#ctx.clock.advance();
    const record = this.#existingRole(input.RoleName);
    const name = input.PolicyName ?? "";
    const document = record.inline.get(name);
    if (document === undefined) {
      throw this.#errors.noSuchEntity(
        NoSuchEntityException,
        `The role policy with name ${name} cannot be found.`,
      );
    }
    return { RoleName: record.name, PolicyName: name, PolicyDocument: encodeURIComponent(document) };
  }

  listRolePolicies(input: ListRolePoliciesCommandInput): ListRolePoliciesResponse {
    this.#ctx.clock.advance();
    const record = this.#existingRole(input.RoleName);
    const { page, marker } = this.#errors.page([...record.inline.keys()].sort(), input);
    return compact({ PolicyNames: page, IsTruncated: marker !== undefined, Marker: marker });
  }

  tagRole(input: TagRoleCommandInput): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.#existingRole(input.RoleName);
    const tags = [...record.tags];
    for (const tag of input.Tags ?? []) {
      const index = tags.findIndex((existing) => existing.Key === tag.Key);
      if (index === -1) tags.push({ Key: tag.Key, Value: tag.Value });
      else tags[index] = { Key: tag.Key, Value: tag.Value };
    }
    if (tags.length > 50) {
      const message = "Cannot exceed quota for TagsPerRole: 50.";
      throw this.#errors.modeled(LimitExceededException, "LimitExceeded", message, 409);
    }
    record.tags = tags;
    return {};
  }

  listRoleTags(input: ListRoleTagsCommandInput): ListRoleTagsResponse {
    this.#ctx.clock.advance();
    const record = this.#existingRole(input.RoleName);
    const { page, marker } = this.#errors.page(record.tags, input);
    return compact({ Tags: clone(page), IsTruncated: marker !== undefined, Marker: marker });
  }

  /** NoSuchEntity ("Policy <arn> was not found.") when the policy is not attached. */
  detachRolePolicy(input: DetachRolePolicyCommandInput): Record<string, never> {
    return this.#deletion.detachRolePolicy(input);
  }

  /** NoSuchEntity ("The role policy with name X cannot be found.") for an inline policy the role lacks. */
  deleteRolePolicy(input: DeleteRolePolicyCommandInput): Record<string, never> {
    return this.#deletion.deleteRolePolicy(input);
  }

  /** DeleteConflict while the role is in an instance profile or has managed or inline policies. */
  deleteRole(input: DeleteRoleCommandInput): Record<string, never> {
    return this.#deletion.deleteRole(input);
  }

  // ===============================================================================================
  // Internals

  /** The role an instance profile gets: an existing one of that name, or a new EC2 instance role. */
  #instanceRole(roleName: string): RoleRecord {
    const existing = this.#roles.find(roleName);
    if (existing) return existing;
    const record = this.#roles.create({
      name: roleName,
      path: "/",
      trustPolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
      description: undefined,
      tags: [],
    });
    record.attached.push(EC2_ROLE_POLICY);
    return record;
  }

  #existingRole(name: string | undefined): RoleRecord {
    const valid = this.#errors.validName(name, "roleName", 64);
    const record = this.#roles.find(valid);
    if (!record)
      throw this.#errors.noSuchEntity(NoSuchEntityException, `The role with name ${valid} cannot be found.`);
    return record;
  }

  #malformed(message: string): Error {
    return this.#errors.modeled(MalformedPolicyDocumentException, "MalformedPolicyDocument", message, 400);
  }

  #renderProfile(record: InstanceProfileRecord): InstanceProfile {
    return {
      Path: record.path,
      InstanceProfileName: record.name,
      InstanceProfileId: record.id,
      Arn: `arn:aws:iam::${this.#ctx.accountId}:instance-profile${record.path}${record.name}`,
      CreateDate: record.createDate,
      Roles: record.role ? [this.#roles.render(record.role, false)] : [],
    };
  }
}

/** The IAM commands the simulator answers: operation name → [SDK command class, IamSimulator method]. */
export const iamCommands = {
  GetInstanceProfile: [GetInstanceProfileCommand, "getInstanceProfile"],
  GetRole: [GetRoleCommand, "getRole"],
  CreateRole: [CreateRoleCommand, "createRole"],
  AttachRolePolicy: [AttachRolePolicyCommand, "attachRolePolicy"],
  ListAttachedRolePolicies: [ListAttachedRolePoliciesCommand, "listAttachedRolePolicies"],
  PutRolePolicy: [PutRolePolicyCommand, "putRolePolicy"],
  GetRolePolicy: [GetRolePolicyCommand, "getRolePolicy"],
  ListRolePolicies: [ListRolePoliciesCommand, "listRolePolicies"],
  TagRole: [TagRoleCommand, "tagRole"],
  ListRoleTags: [ListRoleTagsCommand, "listRoleTags"],
  DetachRolePolicy: [DetachRolePolicyCommand, "detachRolePolicy"],
  DeleteRolePolicy: [DeleteRolePolicyCommand, "deleteRolePolicy"],
  DeleteRole: [DeleteRoleCommand, "deleteRole"],
} as const satisfies Record<string, readonly [unknown, keyof IamSimulator]>;

export type IamCommandName = keyof typeof iamCommands;

export type IamInput<N extends IamCommandName> = IamSimulator[(typeof iamCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

export type IamInputs = { [N in IamCommandName]: IamInput<N> };

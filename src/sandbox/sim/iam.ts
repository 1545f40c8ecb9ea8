/**
 * Simulated AWS IAM: instance profiles (for EC2 instances) and roles (for ECS task execution), sharing one
 * set of role records. Tests add them (`addInstanceProfile`, `addRole`) or code creates them through the API
 * (`CreateRole`, `AttachRolePolicy`, `PutRolePolicy`, `TagRole`…); answers use IAM's wording, including
 * `NoSuchEntity`, `EntityAlreadyExists` and `MalformedPolicyDocument`, and IAM's URL-encoded policy documents.
 * The EC2 simulator asks this one whether a `RunInstances` profile exists and carries a role; the ECS simulator
 * asks whether a task execution role exists, trusts ECS tasks, and may read a parameter or decrypt with a key.
 *
 * Instance profiles are iam-instance-profiles.ts's; roles live in a `RoleStore` (iam-roles.ts), changed through
 * the API by iam-role-api.ts and iam-delete.ts, and seen by other services as iam-propagation.ts says.
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
  ListAttachedRolePoliciesCommand,
  type ListAttachedRolePoliciesCommandInput,
  type ListAttachedRolePoliciesResponse,
  ListRolePoliciesCommand,
  type ListRolePoliciesCommandInput,
  type ListRolePoliciesResponse,
  ListRoleTagsCommand,
  type ListRoleTagsCommandInput,
  type ListRoleTagsResponse,
  PutRolePolicyCommand,
  type PutRolePolicyCommandInput,
  type Tag,
  TagRoleCommand,
  type TagRoleCommandInput,
} from "@aws-sdk/client-iam";
import { createSimContext, type SimContext } from "./core.js";
import { queryProtocolFaultError, type ServiceErrorProfile } from "./errors.js";
import { RoleDeletion } from "./iam-delete.js";
import { InstanceProfiles } from "./iam-instance-profiles.js";
import { managedPolicies, type PolicyDocument, serviceTrustPolicy } from "./iam-policy.js";
import {
  defaultIamTimings,
  IamPropagation,
  type IamTimings,
  type RoleVisibility,
} from "./iam-propagation.js";
import { RoleApi } from "./iam-role-api.js";
import { IamErrors, NAME_PATTERN, RoleStore, type RoleView } from "./iam-roles.js";

export { managedPolicies, type PolicyDocument } from "./iam-policy.js";
export type { IamTimings, RoleVisibility } from "./iam-propagation.js";
export type { RoleView } from "./iam-roles.js";

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

export class IamSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #roles: RoleStore;
  readonly #errors: IamErrors;
  /** Instance profiles (iam-instance-profiles.ts). */
  readonly #profiles: InstanceProfiles;
  /** GetRole, CreateRole, the role's policies and tags (iam-role-api.ts). */
  readonly #roleApi: RoleApi;
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
    this.#profiles = new InstanceProfiles(context, this.#roles, this.#errors);
    this.#roleApi = new RoleApi(context, {
      roles: this.#roles,
      errors: this.#errors,
      propagation: this.#propagation,
    });
    this.#deletion = new RoleDeletion({
      roles: this.#roles,
      errors: this.#errors,
      sync: () => this.#ctx.clock.advance(),
      existingRole: (name) => this.#roleApi.existingRole(name),
      profilesHolding: (role) => this.#profiles.holding(role),
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
  // Test setup and inspection: instance profiles (iam-instance-profiles.ts)

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
    return this.#profiles.addInstanceProfile(name, roleName, options);
  }

  /**
   * Puts a role (by default one named like the profile) into the profile, or takes its role out (`null`), as
   * `aws iam add-role-to-instance-profile` / `remove-role-from-instance-profile` do.
   */
  setInstanceProfileRole(name: string, roleName?: string | null): InstanceProfile {
    return this.#profiles.setInstanceProfileRole(name, roleName);
  }

  /** Deletes an instance profile (instances launched with it keep running but the ECS agent loses credentials). */
  removeInstanceProfile(name: string): void {
    this.#profiles.removeInstanceProfile(name);
  }

  /** An instance profile by name or ARN, as `GetInstanceProfile` renders it; undefined when there is none. */
  instanceProfile(nameOrArn: string): InstanceProfile | undefined {
    return this.#profiles.instanceProfile(nameOrArn);
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
    this.#profiles.roleRemoved(record);
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
  // API (iam-instance-profiles.ts, iam-role-api.ts, iam-delete.ts)

  getInstanceProfile(input: GetInstanceProfileCommandInput): GetInstanceProfileResponse {
    return this.#profiles.getInstanceProfile(input);
  }

  getRole(input: GetRoleCommandInput): GetRoleResponse {
    return this.#roleApi.getRole(input);
  }

  createRole(input: CreateRoleCommandInput): CreateRoleResponse {
    return this.#roleApi.createRole(input);
  }

  attachRolePolicy(input: AttachRolePolicyCommandInput): Record<string, never> {
    return this.#roleApi.attachRolePolicy(input);
  }

  listAttachedRolePolicies(input: ListAttachedRolePoliciesCommandInput): ListAttachedRolePoliciesResponse {
    return this.#roleApi.listAttachedRolePolicies(input);
  }

  putRolePolicy(input: PutRolePolicyCommandInput): Record<string, never> {
    return this.#roleApi.putRolePolicy(input);
  }

  getRolePolicy(input: GetRolePolicyCommandInput): GetRolePolicyResponse {
    return this.#roleApi.getRolePolicy(input);
  }

  listRolePolicies(input: ListRolePoliciesCommandInput): ListRolePoliciesResponse {
    return this.#roleApi.listRolePolicies(input);
  }

  tagRole(input: TagRoleCommandInput): Record<string, never> {
    return this.#roleApi.tagRole(input);
  }

  listRoleTags(input: ListRoleTagsCommandInput): ListRoleTagsResponse {
    return this.#roleApi.listRoleTags(input);
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

/**
 * Roles and their policies through the simulated IAM's API: GetRole, CreateRole, AttachRolePolicy,
 * ListAttachedRolePolicies, PutRolePolicy, GetRolePolicy, ListRolePolicies, TagRole and ListRoleTags, in IAM's
 * wording (DetachRolePolicy, DeleteRolePolicy and DeleteRole: iam-delete.ts). Changes are noted for
 * propagation to other services (iam-propagation.ts).
 */
import {
  type AttachRolePolicyCommandInput,
  type CreateRoleCommandInput,
  type CreateRoleResponse,
  EntityAlreadyExistsException,
  type GetRoleCommandInput,
  type GetRolePolicyCommandInput,
  type GetRolePolicyResponse,
  type GetRoleResponse,
  InvalidInputException,
  LimitExceededException,
  type ListAttachedRolePoliciesCommandInput,
  type ListAttachedRolePoliciesResponse,
  type ListRolePoliciesCommandInput,
  type ListRolePoliciesResponse,
  type ListRoleTagsCommandInput,
  type ListRoleTagsResponse,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  type PutRolePolicyCommandInput,
  type TagRoleCommandInput,
} from "@aws-sdk/client-iam";
import { clone, compact, type SimContext } from "./core.js";
import { managedPolicies, parsePolicyDocument } from "./iam-policy.js";
import type { IamPropagation } from "./iam-propagation.js";
import type { IamErrors, RoleRecord, RoleStore } from "./iam-roles.js";

/** IAM's pattern for paths: "/" or "/…/" of printable ASCII. */
const PATH_PATTERN = /^(\/|\/[\u0021-\u007e]+\/)$/;

export class RoleApi {
  readonly #ctx: SimContext;
  readonly #roles: RoleStore;
  readonly #errors: IamErrors;
  readonly #propagation: IamPropagation;

  constructor(
    context: SimContext,
    parts: { roles: RoleStore; errors: IamErrors; propagation: IamPropagation },
  ) {
    this.#ctx = context;
    this.#roles = parts.roles;
    this.#errors = parts.errors;
    this.#propagation = parts.propagation;
  }

  getRole(input: GetRoleCommandInput): GetRoleResponse {
    this.#ctx.clock.advance();
    return { Role: this.#roles.render(this.existingRole(input.RoleName), true) };
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
    const record = this.existingRole(input.RoleName);
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
    const record = this.existingRole(input.RoleName);
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
    const record = this.existingRole(input.RoleName);
    const parsed = parsePolicyDocument(input.PolicyDocument, "identity");
    if (parsed.error) throw this.#malformed(parsed.error);
    const before = record.inline.get(policyName);
    record.inline.set(policyName, input.PolicyDocument ?? "");
    this.#propagation.policyPut(record, policyName, before);
    return {};
  }

  getRolePolicy(input: GetRolePolicyCommandInput): GetRolePolicyResponse {
    this.#ctx.clock.advance();
    const record = this.existingRole(input.RoleName);
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
    const record = this.existingRole(input.RoleName);
    const { page, marker } = this.#errors.page([...record.inline.keys()].sort(), input);
    return compact({ PolicyNames: page, IsTruncated: marker !== undefined, Marker: marker });
  }

  tagRole(input: TagRoleCommandInput): Record<string, never> {
    this.#ctx.clock.advance();
    const record = this.existingRole(input.RoleName);
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
    const record = this.existingRole(input.RoleName);
    const { page, marker } = this.#errors.page(record.tags, input);
    return compact({ Tags: clone(page), IsTruncated: marker !== undefined, Marker: marker });
  }

  /** The role named (validated as IAM validates names), or NoSuchEntity. */
  existingRole(name: string | undefined): RoleRecord {
    const valid = this.#errors.validName(name, "roleName", 64);
    const record = this.#roles.find(valid);
    if (!record)
      throw this.#errors.noSuchEntity(NoSuchEntityException, `The role with name ${valid} cannot be found.`);
    return record;
  }

  #malformed(message: string): Error {
    return this.#errors.modeled(MalformedPolicyDocumentException, "MalformedPolicyDocument", message, 400);
  }
}

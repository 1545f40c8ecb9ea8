/**
 * Instance profiles in the simulated IAM (for EC2 instances): those a test adds, by default holding an EC2
 * instance role of the same name, and GetInstanceProfile. The EC2 simulator asks whether a `RunInstances`
 * profile exists and carries a role.
 */
import {
  type GetInstanceProfileCommandInput,
  type GetInstanceProfileResponse,
  type InstanceProfile,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import type { SimContext } from "./core.js";
import { serviceTrustPolicy } from "./iam-policy.js";
import { type IamErrors, NAME_PATTERN, type RoleRecord, type RoleStore } from "./iam-roles.js";

interface InstanceProfileRecord {
  name: string;
  id: string;
  path: string;
  createDate: Date;
  role: RoleRecord | undefined;
}

const EC2_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";

export class InstanceProfiles {
  readonly #ctx: SimContext;
  readonly #roles: RoleStore;
  readonly #errors: IamErrors;
  readonly #profiles = new Map<string, InstanceProfileRecord>();

  constructor(context: SimContext, roles: RoleStore, errors: IamErrors) {
    this.#ctx = context;
    this.#roles = roles;
    this.#errors = errors;
  }

  /** Adds an instance profile, by default holding an EC2 instance role of the same name. */
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

  /** Puts a role into the profile, or takes its role out (`null`). */
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

  getInstanceProfile(input: GetInstanceProfileCommandInput): GetInstanceProfileResponse {
    this.#ctx.clock.advance();
    const name = this.#errors.validName(input.InstanceProfileName, "instanceProfileName", 128);
    const record = this.#profiles.get(name);
    if (!record)
      throw this.#errors.noSuchEntity(NoSuchEntityException, `Instance Profile ${name} cannot be found.`);
    return { InstanceProfile: this.#renderProfile(record) };
  }

  /** The names of the instance profiles holding the role (DeleteRole refuses while there are any). */
  holding(role: RoleRecord): string[] {
    return [...this.#profiles.values()]
      .filter((profile) => profile.role === role)
      .map((profile) => profile.name);
  }

  /** A role deleted out of band: the profiles holding it lose it. */
  roleRemoved(role: RoleRecord): void {
    for (const profile of this.#profiles.values()) if (profile.role === role) profile.role = undefined;
  }

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

/**
 * Simulated AWS IAM: just the instance profiles that EC2 instances are launched with. Profiles are added by
 * tests (`addInstanceProfile`); `GetInstanceProfile` answers the way IAM does, including `NoSuchEntity`.
 * The EC2 simulator asks this one whether a `RunInstances` profile exists and whether it carries a role
 * (without one, the ECS agent gets no credentials and never registers).
 */
import {
  GetInstanceProfileCommand,
  type GetInstanceProfileCommandInput,
  type GetInstanceProfileResponse,
  IAMServiceException,
  type InstanceProfile,
  NoSuchEntityException,
  type Role,
} from "@aws-sdk/client-iam";
import { clone, createSimContext, type SimContext } from "./core.js";
import {
  queryModeledError,
  queryProtocolFaultError,
  queryUnmodeledError,
  type ServiceErrorProfile,
} from "./errors.js";

interface InstanceProfileRecord {
  name: string;
  id: string;
  path: string;
  createDate: Date;
  role: Role | undefined;
}

/** IAM's pattern for instance profile and role names. */
const NAME_PATTERN = /^[\w+=,.@-]+$/;

/** The trust policy of a role that EC2 instances may assume, URL-encoded as IAM returns it. */
const EC2_TRUST_POLICY = encodeURIComponent(
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  }),
);

export class IamSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #profiles = new Map<string, InstanceProfileRecord>();

  constructor(context: SimContext = createSimContext()) {
    this.#ctx = context;
    const profile = {
      service: "IAM",
      iamPrefix: "iam",
      BaseException: IAMServiceException,
      resourceArn: (_command: string, input: unknown) => {
        const name = (input as { InstanceProfileName?: string } | undefined)?.InstanceProfileName;
        return name ? `instance profile ${name}` : "*";
      },
    };
    this.errorProfile = {
      ...profile,
      faultError: (kind, call, faultContext) => queryProtocolFaultError(profile, kind, call, faultContext),
    };
  }

  // ===============================================================================================
  // Test setup and inspection

  /**
   * Adds an instance profile, by default holding a role of the same name (as the console's "ecsInstanceRole"
   * does). Returns it as `GetInstanceProfile` renders it.
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
    const role = roleName === null ? undefined : this.#role(roleName ?? name);
    const record: InstanceProfileRecord = {
      name,
      id: `AIPA${this.#ctx.ids.hex(17).toUpperCase()}`,
      path,
      createDate: this.#ctx.clock.date(),
      role,
    };
    this.#profiles.set(name, record);
    return this.#render(record);
  }

  /**
   * Puts a role (by default one named like the profile) into the profile, or takes its role out (`null`), as
   * `aws iam add-role-to-instance-profile` / `remove-role-from-instance-profile` do.
   */
  setInstanceProfileRole(name: string, roleName?: string | null): InstanceProfile {
    this.#ctx.clock.advance();
    const record = this.#profiles.get(name);
    if (!record) throw new Error(`simulated IAM: no instance profile ${name}`);
    record.role = roleName === null ? undefined : this.#role(roleName ?? name);
    return this.#render(record);
  }

  /** Deletes an instance profile (instances launched with it keep running but the ECS agent loses credentials). */
  removeInstanceProfile(name: string): void {
    if (!this.#profiles.delete(name)) throw new Error(`simulated IAM: no instance profile ${name}`);
  }

  /** An instance profile by name or ARN, as `GetInstanceProfile` renders it; undefined when there is none. */
  instanceProfile(nameOrArn: string): InstanceProfile | undefined {
    const record = this.#find(nameOrArn);
    return record && this.#render(record);
  }

  // ===============================================================================================
  // API

  getInstanceProfile(input: GetInstanceProfileCommandInput): GetInstanceProfileResponse {
    this.#ctx.clock.advance();
    const name = input.InstanceProfileName ?? "";
    if (!NAME_PATTERN.test(name) || name.length > 128) {
      throw queryUnmodeledError(IAMServiceException, {
        name: "ValidationError",
        message:
          `1 validation error detected: Value '${name}' at 'instanceProfileName' failed to satisfy constraint: ` +
          "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        httpStatusCode: 400,
        ids: this.#ctx.ids,
      });
    }
    const record = this.#profiles.get(name);
    if (!record) {
      throw queryModeledError(NoSuchEntityException, {
        code: "NoSuchEntity",
        message: `Instance Profile ${name} cannot be found.`,
        httpStatusCode: 404,
        ids: this.#ctx.ids,
      });
    }
    return { InstanceProfile: this.#render(record) };
  }

  // ===============================================================================================
  // Internals

  #find(nameOrArn: string): InstanceProfileRecord | undefined {
    const arn = /^arn:aws[\w-]*:iam::\d{12}:instance-profile\/(?:.*\/)?([^/]+)$/.exec(nameOrArn);
    return this.#profiles.get(arn?.[1] ?? nameOrArn);
  }

  #role(roleName: string): Role {
    return {
      Path: "/",
      RoleName: roleName,
      RoleId: `AROA${this.#ctx.ids.hex(17).toUpperCase()}`,
      Arn: `arn:aws:iam::${this.#ctx.accountId}:role/${roleName}`,
      CreateDate: this.#ctx.clock.date(),
      AssumeRolePolicyDocument: EC2_TRUST_POLICY,
    };
  }

  #render(record: InstanceProfileRecord): InstanceProfile {
    return {
      Path: record.path,
      InstanceProfileName: record.name,
      InstanceProfileId: record.id,
      Arn: `arn:aws:iam::${this.#ctx.accountId}:instance-profile${record.path}${record.name}`,
      CreateDate: record.createDate,
      Roles: record.role ? [clone(record.role)] : [],
    };
  }
}

/** The IAM commands the simulator answers: operation name → [SDK command class, IamSimulator method]. */
export const iamCommands = {
  GetInstanceProfile: [GetInstanceProfileCommand, "getInstanceProfile"],
} as const satisfies Record<string, readonly [unknown, keyof IamSimulator]>;

export type IamCommandName = keyof typeof iamCommands;

export type IamInput<N extends IamCommandName> = IamSimulator[(typeof iamCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

export type IamInputs = { [N in IamCommandName]: IamInput<N> };

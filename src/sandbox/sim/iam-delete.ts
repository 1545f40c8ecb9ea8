/**
 * Taking a role apart, as `mcctl destroy` does: DetachRolePolicy, DeleteRolePolicy and DeleteRole.
 * `IamSimulator` (iam.ts) owns one `RoleDeletion` and answers those operations through it.
 *
 * IAM refuses to delete a role that still has managed policies attached, inline policies, or sits in an instance
 * profile (`DeleteConflict`, HTTP 409); each step names what to remove first.
 */
import {
  DeleteConflictException,
  type DeleteRoleCommandInput,
  type DeleteRolePolicyCommandInput,
  type DetachRolePolicyCommandInput,
  InvalidInputException,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import type { IamErrors, RoleRecord, RoleStore } from "./iam-roles.js";

/** What `RoleDeletion` needs of the IAM simulator. */
export interface RoleDeletionHost {
  readonly roles: RoleStore;
  readonly errors: IamErrors;
  /** Runs what is due. */
  sync(): void;
  /** The role, or NoSuchEntity ("The role with name X cannot be found."). */
  existingRole(name: string | undefined): RoleRecord;
  /** Names of the instance profiles holding the role. */
  profilesHolding(role: RoleRecord): string[];
}

export class RoleDeletion {
  readonly #host: RoleDeletionHost;

  constructor(host: RoleDeletionHost) {
    this.#host = host;
  }

  detachRolePolicy(input: DetachRolePolicyCommandInput): Record<string, never> {
    const host = this.#host;
    host.sync();
    const record = host.existingRole(input.RoleName);
    const arn = input.PolicyArn ?? "";
    if (!/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/.+/.test(arn)) {
      throw host.errors.modeled(InvalidInputException, "InvalidInput", `ARN ${arn} is not valid.`, 400);
    }
    const index = record.attached.indexOf(arn);
    if (index === -1) throw host.errors.noSuchEntity(NoSuchEntityException, `Policy ${arn} was not found.`);
    record.attached.splice(index, 1);
    return {};
  }

  deleteRolePolicy(input: DeleteRolePolicyCommandInput): Record<string, never> {
    const host = this.#host;
    host.sync();
    const policyName = host.errors.validName(input.PolicyName, "policyName", 128);
    const record = host.existingRole(input.RoleName);
    if (!record.inline.delete(policyName)) {
      throw host.errors.noSuchEntity(
        NoSuchEntityException,
        `The role policy with name ${policyName} cannot be found.`,
      );
    }
    return {};
  }

  /** Checked in the order moto checks: instance profiles, managed policies, inline policies. */
  deleteRole(input: DeleteRoleCommandInput): Record<string, never> {
    const host = this.#host;
    host.sync();
    const record = host.existingRole(input.RoleName);
    if (host.profilesHolding(record).length > 0) {
      throw this.#conflict("Cannot delete entity, must remove roles from instance profile first.");
    }
    if (record.attached.length > 0)
      throw this.#conflict("Cannot delete entity, must detach all policies first.");
    if (record.inline.size > 0) throw this.#conflict("Cannot delete entity, must delete policies first.");
    host.roles.delete(record.name);
    return {};
  }

  #conflict(message: string): Error {
    return this.#host.errors.modeled(DeleteConflictException, "DeleteConflict", message, 409);
  }
}

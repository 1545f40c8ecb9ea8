/**
 * IAM's eventual consistency as other services see it. IAM answers its own API at once (GetRole finds a role
 * CreateRole just made), but a role created, or a policy put on or attached to a role, less than
 * `propagationMs` ago is not yet seen by ECS: RegisterTaskDefinition may not pass the new role, the service
 * cannot launch a task with it, and a task's ssm:GetParameters is judged by the policies as they were before.
 * Only changes made through the API count; roles added by a test (`addRole`) are seen at once. Deleting a
 * policy or a role takes effect at once (not modelled).
 *
 * IAM User Guide, "Changes that I make are not always immediately visible"; terraform-aws-modules/terraform-
 * aws-ecs#414 (iam:PassRole denied on a role created in the same second); pulumi/pulumi-awsx#927 ("ECS was
 * unable to assume the role", a task started about 30 s later).
 */
import type { SimClock } from "./core.js";
import type { RoleRecord } from "./iam-roles.js";

export interface IamTimings {
  /** How long a role or policy change takes to reach other services. Default 0: at once. */
  propagationMs: number;
}

export const defaultIamTimings: IamTimings = { propagationMs: 0 };

/** What ECS sees of a role now. */
export type RoleVisibility = "visible" | "propagating" | "missing";

interface PendingChanges {
  /** When CreateRole made it. */
  createdAt?: number;
  /** Inline policy name → the document other services see until the put has propagated (none: no policy). */
  inline: Map<string, { seen: string | undefined; at: number }>;
  /** Managed policy ARN → when it was attached. */
  attached: Map<string, number>;
}

export class IamPropagation {
  readonly #clock: SimClock;
  readonly #timings: () => IamTimings;
  readonly #changes = new WeakMap<RoleRecord, PendingChanges>();

  constructor(clock: SimClock, timings: () => IamTimings) {
    this.#clock = clock;
    this.#timings = timings;
  }

  roleCreated(record: RoleRecord): void {
    this.#pending(record).createdAt = this.#clock.now();
  }

  /** PutRolePolicy: `before` is the document the role had (undefined: none). */
  policyPut(record: RoleRecord, policyName: string, before: string | undefined): void {
    const pending = this.#pending(record);
    const earlier = pending.inline.get(policyName);
    // A second put before the first has propagated: others still see what they saw before the first.
    const seen = earlier && this.#propagating(earlier.at) ? earlier.seen : before;
    pending.inline.set(policyName, { seen, at: this.#clock.now() });
  }

  policyAttached(record: RoleRecord, policyArn: string): void {
    this.#pending(record).attached.set(policyArn, this.#clock.now());
  }

  /** Whether the role itself has reached other services (its policies may still be on their way). */
  visible(record: RoleRecord): boolean {
    const createdAt = this.#changes.get(record)?.createdAt;
    return createdAt === undefined || !this.#propagating(createdAt);
  }

  /** The role as other services evaluate it now: inline documents and attached ARNs that have propagated. */
  seenPolicies(record: RoleRecord): { inline: Map<string, string>; attached: string[] } {
    const pending = this.#changes.get(record);
    const inline = new Map(record.inline);
    for (const [name, change] of pending?.inline ?? []) {
      if (!this.#propagating(change.at) || !record.inline.has(name)) continue;
      if (change.seen === undefined) inline.delete(name);
      else inline.set(name, change.seen);
    }
    const attached = record.attached.filter((arn) => {
      const at = pending?.attached.get(arn);
      return at === undefined || !this.#propagating(at);
    });
    return { inline, attached };
  }

  #propagating(at: number): boolean {
    return this.#clock.now() < at + this.#timings().propagationMs;
  }

  #pending(record: RoleRecord): PendingChanges {
    let pending = this.#changes.get(record);
    if (!pending) {
      pending = { inline: new Map(), attached: new Map() };
      this.#changes.set(record, pending);
    }
    return pending;
  }
}

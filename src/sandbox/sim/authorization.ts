/**
 * The simulated IAM's authorization of the caller (opt-in): with caller policies set, every call to every simulated
 * service is first evaluated against them, the way IAM evaluates a principal's identity-based policies, and a
 * request IAM would refuse fails with the service's own access-denied error before the simulator acts on it.
 *
 *   const sim = createSimulatedAws({ callerPolicies: [policyDocument] });   // or sim.setCallerPolicies([...])
 *   sim.authorizations   // every evaluated requirement: { service, command, action, resource, allowed, … }
 *
 * What each command needs is in the authorization tables (authorization-<service>.ts): per command, a function of
 * the input (and of the simulated account's state) giving the requirements, in the order AWS checks them:
 * the command's own action on each resource the Service Authorization Reference lists for it, and the additional
 * authorizations AWS makes (iam:PassRole for a passed role, tagging on creation, a service-linked role).
 * Nothing here knows about a particular service.
 */
import type { SimContext } from "./core.js";
import type { Ec2Simulator } from "./ec2.js";
import type { EcsSimulator } from "./ecs.js";
import { type AccessDenial, faultError, type ServiceErrorProfile } from "./errors.js";
import type { IamSimulator } from "./iam.js";
import { type ConditionValue, decide, type PolicyDecision, type PolicyDocument } from "./iam-evaluation.js";
import { parsePolicyDocument } from "./iam-policy.js";
import type { LogsSimulator } from "./logs.js";
import type { RdsSimulator } from "./rds.js";
import type { S3Simulator } from "./s3.js";
import type { SsmSimulator } from "./ssm.js";

/** Condition keys a request carries, e.g. { "iam:PassedToService": "ecs-tasks.amazonaws.com" }. */
export type ConditionContext = Readonly<Record<string, ConditionValue>>;

/** One authorization IAM makes for a call: an action on a resource, with the request's condition keys. */
export interface Requirement {
  /** e.g. "ecs:CreateService", "iam:PassRole". */
  action: string;
  /** The ARN IAM evaluates, or "*" for actions without resource-level permissions. */
  resource: string;
  context?: ConditionContext;
  /** Other actions any one of which also grants it (CreateLogGroup's tags: logs:TagResource or logs:TagLogGroup). */
  alternatives?: readonly string[];
  /**
   * What a denial does: by default the call fails with the service's access-denied error. "proceed": the call
   * goes on without it (CreateCluster without iam:CreateServiceLinkedRole). A function: the call fails with that
   * error instead (CreateService: "Unable to assume the service linked role…").
   */
  whenDenied?: "proceed" | ((denial: AccessDenial, context: SimContext) => Error);
  /** Runs once the call has succeeded, if this requirement was granted (ECS creates its service-linked role). */
  whenGranted?: () => void;
}

/** The simulated account the tables read (never change) to know what a call involves. */
export interface AuthorizationEnv {
  readonly accountId: string;
  readonly region: string;
  readonly ecs: EcsSimulator;
  readonly ec2: Ec2Simulator;
  readonly iam: IamSimulator;
  readonly rds: RdsSimulator;
  readonly s3: S3Simulator;
  readonly ssm: SsmSimulator;
  readonly logs: LogsSimulator;
}

/** What one command needs: the requirements for this input in this account, in the order AWS checks them. */
export type RequirementsOf<Input> = (input: NonNullable<Input>, env: AuthorizationEnv) => Requirement[];

/** A service's table: operation name → its requirements. A command left out is refused loudly when enforced. */
export type AuthorizationTable<Inputs> = { [N in keyof Inputs]?: RequirementsOf<Inputs[N]> };

/** One evaluated requirement, for analysis (which actions of a policy a scenario actually needed). */
export interface AuthorizationRecord {
  /** SDK service name, as in the call log: "ECS", "EC2", "S3"… */
  service: string;
  /** The operation called, e.g. "RunInstances". */
  command: string;
  /** The action evaluated (the alternative that granted it, when one did). */
  action: string;
  resource: string;
  context?: ConditionContext;
  allowed: boolean;
  decision: PolicyDecision["effect"];
  /** The statement that decided: its document's index in the caller policies, its index there and its Sid. */
  matchedStatement?: { policy: number; statement: number; sid?: string };
  /** A denied requirement the call went on without (whenDenied "proceed"). */
  proceeded?: boolean;
}

/** Caller policies as given: documents, or their JSON text. */
export type CallerPolicies = PolicyDocument | string | ReadonlyArray<PolicyDocument | string>;

export class CallerAuthorization {
  /** Every requirement evaluated while enforcement was on, in order. */
  readonly records: AuthorizationRecord[] = [];

  readonly #context: SimContext;
  readonly #env: AuthorizationEnv;
  readonly #tables: Readonly<Record<string, Record<string, RequirementsOf<never> | undefined>>>;
  readonly #profiles: ReadonlyMap<string, ServiceErrorProfile>;
  #documents: PolicyDocument[] | undefined;

  constructor(options: {
    context: SimContext;
    env: AuthorizationEnv;
    tables: Readonly<Record<string, object>>;
    profiles: ReadonlyMap<string, ServiceErrorProfile>;
  }) {
    this.#context = options.context;
    this.#env = options.env;
    this.#tables = options.tables as Readonly<Record<string, Record<string, RequirementsOf<never>>>>;
    this.#profiles = options.profiles;
  }

  /** Whether calls are authorized against caller policies (false until some are set). */
  get enforced(): boolean {
    return this.#documents !== undefined;
  }

  /**
   * The caller's identity-based policies (documents or JSON text, rejected as IAM would reject them), or
   * undefined for no enforcement. An empty list denies everything.
   */
  setCallerPolicies(policies: CallerPolicies | undefined): void {
    if (policies === undefined) {
      this.#documents = undefined;
      return;
    }
    const list: ReadonlyArray<PolicyDocument | string> =
      typeof policies === "string" || !Array.isArray(policies)
        ? [policies as PolicyDocument | string]
        : policies;
    this.#documents = list.map((policy, index) => {
      const text = typeof policy === "string" ? policy : JSON.stringify(policy);
      const parsed = parsePolicyDocument(text, "identity");
      if (parsed.error !== undefined)
        throw new Error(`simulated IAM: caller policy ${index}: ${parsed.error}`);
      return parsed.document;
    });
  }

  /**
   * Authorizes one call before the simulator acts on it. Throws the error AWS would answer when a requirement is
   * denied, and a loud error when enforcement is on and the table does not know the command. Returns what to run
   * once the call has succeeded (the effects of granted requirements, such as the service-linked role ECS
   * creates). Without enforcement it does nothing at all, so that no existing test sees a new role or id.
   */
  authorize(call: { service: string; command: string; input: unknown }): () => void {
    const needs = this.#tables[call.service]?.[call.command];
    if (!this.#documents) return noEffects;
    if (!needs) throw new Error(`simulated IAM does not know what ${call.service}:${call.command} needs`);
    const granted: Array<() => void> = [];
    for (const requirement of needs((call.input ?? {}) as never, this.#env)) {
      const { decision, action, context } = this.#evaluate(requirement, call.service);
      const allowed = decision.effect === "allow";
      const proceeded = !allowed && requirement.whenDenied === "proceed";
      this.records.push(recordOf(call, requirement, { decision, action, context, allowed, proceeded }));
      if (allowed) {
        if (requirement.whenGranted) granted.push(requirement.whenGranted);
        continue;
      }
      if (proceeded) continue;
      const denial: AccessDenial = {
        action: requirement.action,
        resource: requirement.resource,
        explicitDeny: decision.effect === "explicit-deny",
      };
      if (typeof requirement.whenDenied === "function") throw requirement.whenDenied(denial, this.#context);
      throw this.#denied(call, denial);
    }
    return () => {
      for (const effect of granted) effect();
    };
  }

  #evaluate(
    requirement: Requirement,
    service: string,
  ): { decision: PolicyDecision; action: string; context: ConditionContext } {
    const documents = this.#documents ?? [];
    const context = { ...this.#globalKeys(service), ...requirement.context };
    const request = { resource: requirement.resource, context };
    const first = decide(documents, { ...request, action: requirement.action });
    if (first.effect === "allow") return { decision: first, action: requirement.action, context };
    for (const alternative of requirement.alternatives ?? []) {
      const decision = decide(documents, { ...request, action: alternative });
      if (decision.effect === "allow") return { decision, action: alternative, context };
    }
    return { decision: first, action: requirement.action, context };
  }

  /** Global condition keys every request carries (IAM is global: its calls are made in us-east-1). */
  #globalKeys(service: string): Record<string, string> {
    return {
      "aws:PrincipalArn": this.#context.principalArn,
      "aws:PrincipalAccount": this.#context.accountId,
      "aws:RequestedRegion": service === "IAM" ? "us-east-1" : this.#context.region,
    };
  }

  /** The calling service's own access-denied error (EC2 UnauthorizedOperation, S3 AccessDenied…). */
  #denied(call: { service: string; command: string; input: unknown }, denial: AccessDenial): Error {
    const profile = this.#profiles.get(call.service);
    if (!profile) throw new Error(`simulated AWS: no error profile for ${call.service}`);
    return faultError(
      "access-denied",
      profile,
      { command: call.command, input: call.input, denial },
      this.#context,
    );
  }
}

const noEffects = (): void => {};

function recordOf(
  call: { service: string; command: string },
  requirement: Requirement,
  outcome: {
    decision: PolicyDecision;
    action: string;
    context: ConditionContext;
    allowed: boolean;
    proceeded: boolean;
  },
): AuthorizationRecord {
  const { decision } = outcome;
  return {
    service: call.service,
    command: call.command,
    action: outcome.action,
    resource: requirement.resource,
    ...(requirement.context ? { context: requirement.context } : {}),
    allowed: outcome.allowed,
    decision: decision.effect,
    ...(decision.document !== undefined && decision.statement !== undefined
      ? {
          matchedStatement: {
            policy: decision.document,
            statement: decision.statement,
            ...(decision.sid !== undefined ? { sid: decision.sid } : {}),
          },
        }
      : {}),
    ...(outcome.proceeded ? { proceeded: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers the tables share

/** The requirement of an action without resource-level permissions ("*" in the Service Authorization Reference). */
export function anyResource(action: string, context?: ConditionContext): Requirement {
  return context ? { action, resource: "*", context } : { action, resource: "*" };
}

/**
 * iam:PassRole on the role passed (a name or an ARN), with iam:PassedToService: IAM checks it wherever a caller
 * hands a role to a service (IAM User Guide, "Grant a user permissions to pass a role to an AWS service").
 */
export function passRole(env: AuthorizationEnv, role: string, passedTo: string): Requirement {
  const resource = role.startsWith("arn:")
    ? role
    : (env.iam.role(role)?.arn ?? `arn:aws:iam::${env.accountId}:role/${role}`);
  return { action: "iam:PassRole", resource, context: { "iam:PassedToService": passedTo } };
}

/** aws:RequestTag/<key> and aws:TagKeys for the tags a request carries (none: no keys). */
export function requestTagKeys(
  tags: ReadonlyArray<{ key: string; value: string }>,
): Record<string, ConditionValue> {
  if (tags.length === 0) return {};
  const keys: Record<string, ConditionValue> = { "aws:TagKeys": tags.map((tag) => tag.key) };
  for (const tag of tags) keys[`aws:RequestTag/${tag.key}`] = tag.value;
  return keys;
}

/** The service-linked roles the simulated services create for themselves (IAM User Guide, using-service-linked-roles). */
export const serviceLinkedRoleNames = {
  "ecs.amazonaws.com": "AWSServiceRoleForECS",
  "rds.amazonaws.com": "AWSServiceRoleForRDS",
} as const;

export type LinkedService = keyof typeof serviceLinkedRoleNames;

/** `arn:aws:iam::<account>:role/aws-service-role/<service>/<role name>`. */
export function serviceLinkedRoleArn(accountId: string, service: LinkedService): string {
  return `arn:aws:iam::${accountId}:role/aws-service-role/${service}/${serviceLinkedRoleNames[service]}`;
}

/** Adds a service's service-linked role to the simulated IAM, as the service does (no-op when it exists). */
export function addServiceLinkedRole(
  iam: Pick<IamSimulator, "role" | "addRole">,
  service: LinkedService,
): void {
  const name = serviceLinkedRoleNames[service];
  if (iam.role(name)) return;
  iam.addRole(name, { path: `/aws-service-role/${service}/`, trustedService: service });
}

/**
 * iam:CreateServiceLinkedRole, which the service checks against the caller when its role does not exist yet
 * (iam:AWSServiceName = the service); once granted and the call succeeds, the role exists. None when it exists.
 */
export function serviceLinkedRoleRequirement(
  env: AuthorizationEnv,
  service: LinkedService,
  whenDenied: Requirement["whenDenied"],
): Requirement[] {
  if (env.iam.role(serviceLinkedRoleNames[service])) return [];
  return [
    {
      action: "iam:CreateServiceLinkedRole",
      resource: serviceLinkedRoleArn(env.accountId, service),
      context: { "iam:AWSServiceName": service },
      whenDenied,
      whenGranted: () => addServiceLinkedRole(env.iam, service),
    },
  ];
}

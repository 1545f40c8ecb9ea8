/**
 * Container `secrets` from SSM Parameter Store, as ECS (EC2 launch type) handles them: RegisterTaskDefinition's
 * checks, and what the container agent does when it places a task — assume the task execution role, call
 * ssm:GetParameters (WithDecryption) with it, and either start the containers with the values in their
 * environment or stop the task with the agent's error. Pure functions over narrow views of the IAM and SSM
 * simulators; the ECS simulator calls them (ecs-task-definitions.ts, ecs-scheduler.ts, ecs-task-lifecycle.ts).
 */
import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { TaskFailureScript } from "./ecs-task-scripts.js";
import type { IamSimulator } from "./iam.js";
import type { SsmSimulator } from "./ssm.js";

/** What the ECS simulator needs to know of IAM and SSM (both optional: a standalone ECS simulator has neither). */
export interface SecretsDependencies {
  iam?: Pick<IamSimulator, "role" | "roleTrusts" | "roleVisibility" | "roleAllowsAsSeenByServices">;
  ssm?: Pick<SsmSimulator, "parameter">;
}

/** ECS's RegisterTaskDefinition wording. */
export const secretsMessages = {
  executionRoleRequired:
    "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
  roleNotValid: "Role is not valid",
  secretIncomplete: (container: string) =>
    `Invalid secret for container '${container}'. Both 'name' and 'valueFrom' must be specified.`,
  /** AccessDeniedException for a role IAM has not shown ECS yet (terraform-aws-modules/terraform-aws-ecs#414). */
  passRoleDenied: (principalArn: string, roleArn: string) =>
    `User: ${principalArn} is not authorized to perform: iam:PassRole on resource: ${roleArn}`,
  /** The service event when ECS cannot assume the task's role (pulumi/pulumi-awsx#927, with "(service X)"). */
  unableToAssumeRole: (service: string, roleArn: string) =>
    `(service ${service}) failed to launch a task with (error ECS was unable to assume the role '${roleArn}' that ` +
    "was provided for this task. Please verify that the role being passed has the proper trust relationship and " +
    "permissions and that your IAM user has permissions to pass this role.).",
} as const;

/**
 * The ClientException message RegisterTaskDefinition answers for the definition's secrets and execution role,
 * or undefined when they are fine. Secrets Manager secrets are not simulated: they fail loudly.
 */
export function secretsProblem(
  input: RegisterTaskDefinitionCommandInput,
  dependencies: SecretsDependencies,
): string | undefined {
  const containers = input.containerDefinitions ?? [];
  for (const container of containers) {
    for (const secret of container.secrets ?? []) {
      if (!secret.name || !secret.valueFrom) return secretsMessages.secretIncomplete(container.name ?? "");
      if (/^arn:aws[\w-]*:secretsmanager:/.test(secret.valueFrom)) {
        throw new Error("simulated ECS supports only SSM Parameter Store secrets, not Secrets Manager");
      }
    }
  }
  const hasSecrets = containers.some((container) => (container.secrets ?? []).length > 0);
  if (hasSecrets && !input.executionRoleArn) return secretsMessages.executionRoleRequired;
  if (input.executionRoleArn && dependencies.iam && !dependencies.iam.role(input.executionRoleArn)) {
    return secretsMessages.roleNotValid;
  }
  return undefined;
}

/**
 * RegisterTaskDefinition's iam:PassRole check on `executionRoleArn`, while IAM has not yet shown ECS a role
 * created seconds ago: the AccessDeniedException message, or undefined. (Whether the caller may pass roles
 * at all is not simulated here.)
 */
export function passRoleDenial(
  input: RegisterTaskDefinitionCommandInput,
  dependencies: SecretsDependencies,
  principalArn: string,
): string | undefined {
  const role = input.executionRoleArn;
  if (!role || dependencies.iam?.roleVisibility(role) !== "propagating") return undefined;
  return secretsMessages.passRoleDenied(principalArn, role);
}

/**
 * Whether the service scheduler can launch a task of `definition` now: not while its execution role was
 * created less than the propagation time ago. ECS then reports the failed launch as a service event and tries
 * again later; no task is created.
 */
export function executionRoleUnusable(
  definition: TaskDefinition,
  dependencies: SecretsDependencies,
): string | undefined {
  const role = definition.executionRoleArn;
  if (!role || dependencies.iam?.roleVisibility(role) !== "propagating") return undefined;
  return role;
}

/** Where the task is: the agent calls SSM in the region a secret's ARN names (a bare name: the task's region). */
export interface TaskPlace {
  taskId: string;
  region: string;
  accountId: string;
  /** A fresh request id for each AWS error the agent reports. */
  requestId: () => string;
}

/**
 * What the agent does for a task being started: every container's environment (`environment` plus resolved
 * `secrets`), or the failure that stops the task before RUNNING (TaskFailedToStart) with the agent's reason:
 *
 * - the execution role is gone or does not trust ecs-tasks.amazonaws.com: the agent gets no credentials;
 * - the role may not call ssm:GetParameters on a parameter ARN: SSM's AccessDeniedException;
 * - a SecureString under a customer managed key the role may not kms:Decrypt: KMS's AccessDeniedException;
 * - a parameter does not exist: "invalid parameters: <valueFrom>[,<valueFrom>…]".
 *
 * Without the IAM and SSM simulators, secrets are left out of the environment.
 */
export function resolveTaskSecrets(
  definition: TaskDefinition,
  place: TaskPlace,
  dependencies: SecretsDependencies,
):
  | { environments: Map<string, Record<string, string>>; failure?: undefined }
  | { failure: TaskFailureScript } {
  const containers = definition.containerDefinitions ?? [];
  const secrets = containers.flatMap((container) => container.secrets ?? []);
  const { iam, ssm } = dependencies;
  if (secrets.length === 0 || !iam || !ssm) return { environments: environmentsOf(containers, new Map()) };

  const role = iam.role(definition.executionRoleArn ?? "");
  if (!role || !iam.roleTrusts(role.arn, "ecs-tasks.amazonaws.com")) {
    return { failure: failure("ssm secret resource: unable to find execution role credentials") };
  }
  const values = new Map<string, string>();
  /** By region, in the order the agent meets them. */
  const invalid = new Map<string, string[]>();
  for (const { valueFrom = "" } of secrets) {
    const region = /^arn:aws[\w-]*:ssm:([^:]+):/.exec(valueFrom)?.[1] ?? place.region;
    const prefix = `fetching secret data from SSM Parameter Store in ${region}: `;
    const resource = valueFrom.startsWith("arn:")
      ? valueFrom
      : `arn:aws:ssm:${region}:${place.accountId}:parameter/${valueFrom.replace(/^\//, "")}`;
    // Judged by the role's policies as ECS sees them: one put seconds ago may not count yet.
    if (!iam.roleAllowsAsSeenByServices(role.arn, "ssm:GetParameters", resource)) {
      const user = `arn:aws:sts::${place.accountId}:assumed-role/${role.name}/${place.taskId}`;
      const denied =
        `AccessDeniedException: User: ${user} is not authorized to perform: ssm:GetParameters on resource: ` +
        `${resource} because no identity-based policy allows the ssm:GetParameters action`;
      return { failure: failure(`${prefix}${awsError(denied, place)}`) };
    }
    // A parameter of another region or account is not in the simulated Parameter Store: it does not exist.
    const parameter = region === place.region ? ssm.parameter(valueFrom) : undefined;
    if (!parameter) {
      invalid.set(region, [...(invalid.get(region) ?? []), valueFrom]);
      continue;
    }
    const viaSsm = { "kms:ViaService": `ssm.${region}.amazonaws.com` };
    if (
      parameter.customerKeyArn &&
      !iam.roleAllowsAsSeenByServices(role.arn, "kms:Decrypt", parameter.customerKeyArn, viaSsm)
    ) {
      const denied =
        "AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not " +
        "exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: " +
        `AccessDeniedException; Request ID: ${place.requestId()}; Proxy: null)`;
      return { failure: failure(`${prefix}${awsError(denied, place)}`) };
    }
    values.set(valueFrom, parameter.value);
  }
  for (const [region, names] of invalid) {
    const reason = `fetching secret data from SSM Parameter Store in ${region}: invalid parameters: ${names.join(",")}`;
    return { failure: failure(reason) };
  }
  return { environments: environmentsOf(containers, values) };
}

/** A service error as the agent's AWS SDK for Go (v1) prints it: code and message, then status and request id. */
function awsError(codeAndMessage: string, place: TaskPlace): string {
  return `${codeAndMessage}\n\tstatus code: 400, request id: ${place.requestId()}`;
}

function failure(stoppedReason: string): TaskFailureScript {
  return { stage: "PENDING", stopCode: "TaskFailedToStart", stoppedReason };
}

function environmentsOf(
  containers: readonly ContainerDefinition[],
  values: ReadonlyMap<string, string>,
): Map<string, Record<string, string>> {
  return new Map(
    containers.map((container) => {
      const environment: Record<string, string> = {};
      for (const variable of container.environment ?? [])
        environment[variable.name ?? ""] = variable.value ?? "";
      for (const secret of container.secrets ?? []) {
        const value = values.get(secret.valueFrom ?? "");
        if (value !== undefined) environment[secret.name ?? ""] = value;
      }
      return [container.name ?? "", environment];
    }),
  );
}

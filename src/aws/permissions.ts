import { lineageBase } from "../domain/restore.js";

/**
 * What IAM must allow for each call mcctl makes. Every wrapper of `src/aws/<service>.ts` has its entry in
 * the table of `src/aws/<service>-permissions.ts`, typed against the wrapper's interface, so a wrapper
 * without a declaration does not compile. The tables are plain data (no SDK import): `mcctl permissions`
 * builds the operator's least-privilege policy from them without loading any AWS client.
 */

/** The names that scope a deployment's resources, as `mcctl permissions` resolves them. */
export interface DeploymentScope {
  partition: string;
  /** The region, or "*" when it is not known. */
  region: string;
  /** The account id, or "*" when it is not known. */
  account: string;
  cluster: string;
  service: string;
  family: string;
  /** MC_S3_BUCKET, or "*" before one is chosen. */
  bucket: string;
  /** The RDS instance identifier, or a pattern ("*") before one is chosen. */
  database: string;
  /** The SSM path of the secrets, e.g. /mcctl/model-catalogue. */
  secretsPath: string;
  /** The task execution role's name. */
  executionRole: string;
  /** The instance profile the container instance is launched with. */
  instanceProfile: string;
  /** The role in that profile (passed to EC2 by RunInstances). */
  instanceRole: string;
  logGroup: string;
  /** A customer KMS key ARN for the secrets, when one is configured. */
  kmsKey?: string | undefined;
}

/** An IAM policy condition block: operator → key → value(s). */
export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One authorization a call needs: these actions on these resources (under a condition, if any). */
export interface Permission {
  readonly actions: readonly string[];
  readonly resources: (scope: DeploymentScope) => readonly string[];
  readonly condition?: (scope: DeploymentScope) => PolicyCondition;
  /** Why a dependent authorization is needed, where it is not obvious from the action. */
  readonly why?: string;
}

/** The declarations of one service: one entry per wrapper method, none missing. */
export type PermissionTable<Api> = { readonly [Method in keyof Api]-?: readonly Permission[] };

/**
 * A call that needs no permission at all (sts:GetCallerIdentity): its action names it in errors, and with
 * no resource it never reaches a policy.
 */
export function noPermission(action: string, why: string): readonly Permission[] {
  return [{ actions: [action], resources: () => [], why }];
}

/** Declares one or more actions on the resources the scope names. */
export function allow(
  actions: string | readonly string[],
  resources: (scope: DeploymentScope) => string | readonly string[],
  extra: Pick<Permission, "condition" | "why"> = {},
): Permission {
  return {
    actions: typeof actions === "string" ? [actions] : actions,
    resources: (scope) => {
      const named = resources(scope);
      return typeof named === "string" ? [named] : named;
    },
    ...extra,
  };
}

/** Actions the service authorizes only on every resource ("*"): no resource-level permissions. */
export function allowAnyResource(actions: string | readonly string[], why?: string): Permission {
  return allow(actions, () => "*", why === undefined ? {} : { why });
}

/** The action IAM names when it refuses the call: the wrapper's first declared one. */
export function primaryAction(permissions: readonly Permission[], fallback: string): string {
  return permissions[0]?.actions[0] ?? fallback;
}

/** ARNs of the deployment's resources, in the formats of the Service Authorization Reference. */
export const arns = {
  ecsCluster: (s: DeploymentScope) => `arn:${s.partition}:ecs:${s.region}:${s.account}:cluster/${s.cluster}`,
  ecsService: (s: DeploymentScope) =>
    `arn:${s.partition}:ecs:${s.region}:${s.account}:service/${s.cluster}/${s.service}`,
  ecsContainerInstances: (s: DeploymentScope) =>
    `arn:${s.partition}:ecs:${s.region}:${s.account}:container-instance/${s.cluster}/*`,
  ecsTasks: (s: DeploymentScope) => `arn:${s.partition}:ecs:${s.region}:${s.account}:task/${s.cluster}/*`,
  /** The family's revisions and those of its pre-pull family (src/domain/prepull.ts). */
  ecsTaskDefinitions: (s: DeploymentScope) => [
    `arn:${s.partition}:ecs:${s.region}:${s.account}:task-definition/${s.family}:*`,
    `arn:${s.partition}:ecs:${s.region}:${s.account}:task-definition/${s.family}-prepull:*`,
  ],
  ecsPrepullTaskDefinitions: (s: DeploymentScope) =>
    `arn:${s.partition}:ecs:${s.region}:${s.account}:task-definition/${s.family}-prepull:*`,
  ec2: (s: DeploymentScope, type: string, id = "*") =>
    `arn:${s.partition}:ec2:${s.region}:${s.account}:${type}/${id}`,
  ec2Image: (s: DeploymentScope) => `arn:${s.partition}:ec2:${s.region}::image/*`,
  iamRole: (s: DeploymentScope, name: string) => `arn:${s.partition}:iam::${s.account}:role/${name}`,
  iamInstanceProfile: (s: DeploymentScope) =>
    `arn:${s.partition}:iam::${s.account}:instance-profile/${s.instanceProfile}`,
  /** Both forms CloudWatch Logs uses: without ":*" for some actions, with it (the streams too) for the rest. */
  logGroup: (s: DeploymentScope) => {
    const group = `arn:${s.partition}:logs:${s.region}:${s.account}:log-group:${s.logGroup}`;
    return [group, `${group}:*`];
  },
  /**
   * The deployment's database and the instances a restore makes of it or replaced: `mcctl restore` names
   * them `<db>-from-<snapshot time>` (src/domain/restore.ts), so that one policy covers the whole lineage.
   */
  rdsDatabase: (s: DeploymentScope): readonly string[] => {
    const base = lineageBase(s.database);
    const db = `arn:${s.partition}:rds:${s.region}:${s.account}:db:`;
    return base === "*" ? [`${db}*`] : [`${db}${base}`, `${db}${base}-from-*`];
  },
  rdsDatabases: (s: DeploymentScope) => `arn:${s.partition}:rds:${s.region}:${s.account}:db:*`,
  rdsSnapshots: (s: DeploymentScope) =>
    `arn:${s.partition}:rds:${s.region}:${s.account}:snapshot:mcctl-${lineageBase(s.database)}-*`,
  rdsAnySnapshot: (s: DeploymentScope) => `arn:${s.partition}:rds:${s.region}:${s.account}:snapshot:*`,
  rds: (s: DeploymentScope, type: string, name = "*") =>
    `arn:${s.partition}:rds:${s.region}:${s.account}:${type}:${name}`,
  s3Bucket: (s: DeploymentScope) => `arn:${s.partition}:s3:::${s.bucket}`,
  s3Objects: (s: DeploymentScope) => `arn:${s.partition}:s3:::${s.bucket}/*`,
  /** AWS's public parameters have no account in their ARN. */
  ssmEcsAmis: (s: DeploymentScope) =>
    `arn:${s.partition}:ssm:${s.region}::parameter/aws/service/ecs/optimized-ami/*`,
  /**
   * SSM's tag calls build the ARN from the name as given, so "/mcctl/x" becomes "parameter//mcctl/x"
   * (a public denial shows it): both forms, to be safe.
   */
  ssmSecretsForTags: (s: DeploymentScope) => [
    `arn:${s.partition}:ssm:${s.region}:${s.account}:parameter${s.secretsPath}/*`,
    `arn:${s.partition}:ssm:${s.region}:${s.account}:parameter/${s.secretsPath}/*`,
  ],
  ssmSecrets: (s: DeploymentScope) =>
    `arn:${s.partition}:ssm:${s.region}:${s.account}:parameter${s.secretsPath}/*`,
} as const;

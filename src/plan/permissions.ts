import type { IamApi } from "../aws/iam.js";
import type { DeploymentScope } from "../aws/permissions.js";
import type { StsApi } from "../aws/sts.js";
import { DEFAULT_INSTANCE_PROFILE } from "../config/defaults.js";
import { deploymentBucket, deploymentJdbcUrl } from "../config/deployment.js";
import type { Settings } from "../config/settings.js";
import { resolveTaskSettings } from "../config/task-settings.js";
import { defaultLogGroup } from "../domain/logs.js";
import { defaultExecutionRoleName, defaultSecretPath, kmsKeyArn, partitionOf } from "../domain/secrets.js";
import { jdbcHost } from "../domain/snapshots.js";

export interface ScopeRequest {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  cluster: string;
  service: string;
  family?: string | undefined;
  region: string | undefined;
  /** --account: no STS call. */
  account?: string | undefined;
  /** Whether the role in the instance profile matters (setup passes it to EC2): only then is IAM asked. */
  passesInstanceRole: boolean;
}

export interface ScopeNote {
  /** The service whose statements it is about ("*": all of them). */
  service: string;
  text: string;
}

export interface ResolvedScope {
  scope: DeploymentScope;
  /** What could not be narrowed, and why (warnings where the policy has statements of that service). */
  notes: ScopeNote[];
}

/**
 * The names that scope the operator's policy, from mcctl.json, the environment and the flags, as every
 * command would resolve them. Read-only: STS for the account (GetCallerIdentity needs no permission) and,
 * best effort, IAM for the role in the instance profile.
 */
export async function resolveScope(
  request: ScopeRequest,
  aws: { sts: () => Promise<StsApi>; iam: () => Promise<IamApi> },
): Promise<ResolvedScope> {
  const { settings, env } = request;
  const notes: ScopeNote[] = [];
  let account = request.account;
  let partition = "aws";
  if (account === undefined) {
    const identity = await (await aws.sts()).callerIdentity();
    account = identity.account;
    partition = partitionOf(identity.arn);
  }
  const region = request.region ?? "*";
  if (region === "*") {
    notes.push({
      service: "*",
      text: "no region is set: the ARNs name every region (*); give --region to narrow them",
    });
  }
  const family = resolveTaskSettings(settings, env, request.family).family;
  // An empty name is no name: the statements then cover every bucket.
  const bucket = deploymentBucket(settings, env)?.name || undefined;
  if (bucket === undefined) {
    notes.push({ service: "s3", text: "no MC_S3_BUCKET yet: the S3 statements name every bucket (*)" });
  }
  const database =
    settings.setup?.database?.identifier ?? jdbcHost(deploymentJdbcUrl(settings, env))?.split(".")[0];
  if (database === undefined) {
    notes.push({ service: "rds", text: "no database yet: the RDS statements name every DB instance (*)" });
  }
  const instanceProfile = settings.setup?.instance?.instanceProfile ?? DEFAULT_INSTANCE_PROFILE;
  const instanceRole = request.passesInstanceRole
    ? await instanceRoleOf(instanceProfile, aws.iam, notes)
    : instanceProfile;
  const key = settings.secrets?.kmsKey;
  const keyArn = key === undefined ? undefined : kmsKeyArn(key, { partition, region, account });
  return {
    scope: {
      partition,
      region,
      account,
      cluster: request.cluster,
      service: request.service,
      family,
      bucket: bucket ?? "*",
      database: database ?? "*",
      secretsPath: settings.secrets?.path ?? defaultSecretPath(family),
      executionRole: settings.secrets?.executionRole ?? defaultExecutionRoleName(family),
      instanceProfile,
      instanceRole,
      logGroup: settings.logs?.group ?? defaultLogGroup(family),
      kmsKey: keyArn !== undefined && "arn" in keyArn ? keyArn.arn : undefined,
    },
    notes,
  };
}

/** The role EC2 is passed at launch; the profile's own name (AWS's convention) when IAM cannot say. */
async function instanceRoleOf(
  profile: string,
  iam: () => Promise<IamApi>,
  notes: ScopeNote[],
): Promise<string> {
  try {
    const roles = await (await iam()).instanceProfileRoles(profile);
    if (roles?.[0] !== undefined) return roles[0];
  } catch {
    // Reading the profile is a convenience: the operator asking may not be allowed to yet.
  }
  notes.push({
    service: "iam",
    text: `the role in instance profile ${profile} could not be read: iam:PassRole names role/${profile} (the usual name)`,
  });
  return profile;
}

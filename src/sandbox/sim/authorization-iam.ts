/**
 * What IAM requires for each simulated IAM and STS command. Sources: Service Authorization Reference, "Actions,
 * resources, and condition keys for AWS Identity and Access Management" (role and instance-profile resources,
 * `arn:aws:iam::<account>:role/<path><name>`; iam:PolicyARN for attaching) and "… for AWS Security Token
 * Service"; STS API Reference, GetCallerIdentity ("No permissions are required to perform this operation", even
 * under an explicit Deny); CreateRole with tags needs iam:TagRole (openshift/installer#1073: "Error creating IAM
 * Role …: AccessDenied: … not authorized to perform: iam:TagRole on resource: arn:aws:iam::…:role/…").
 */
import type { AuthorizationEnv, AuthorizationTable, ConditionContext, Requirement } from "./authorization.js";
import { requestTagKeys } from "./authorization.js";
import type { IamInputs } from "./iam.js";
import type { StsInputs } from "./sts.js";

export const iamAuthorization: AuthorizationTable<IamInputs> = {
  GetInstanceProfile: (input, env) => [
    {
      action: "iam:GetInstanceProfile",
      resource:
        env.iam.instanceProfile(input.InstanceProfileName ?? "")?.Arn ??
        `arn:aws:iam::${env.accountId}:instance-profile/${input.InstanceProfileName ?? ""}`,
    },
  ],
  GetRole: (input, env) => [onRole(env, "iam:GetRole", input.RoleName)],
  CreateRole: (input, env) => {
    const resource = `arn:aws:iam::${env.accountId}:role${input.Path ?? "/"}${input.RoleName ?? ""}`;
    const tags = requestTagKeys(
      (input.Tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })),
    );
    const boundary: ConditionContext = input.PermissionsBoundary
      ? { "iam:PermissionsBoundary": input.PermissionsBoundary }
      : {};
    return [
      { action: "iam:CreateRole", resource, context: { ...tags, ...boundary } },
      ...(input.Tags?.length ? [{ action: "iam:TagRole", resource, context: tags }] : []),
    ];
  },
  AttachRolePolicy: (input, env) => [
    onRole(env, "iam:AttachRolePolicy", input.RoleName, { "iam:PolicyARN": input.PolicyArn ?? "" }),
  ],
  ListAttachedRolePolicies: (input, env) => [onRole(env, "iam:ListAttachedRolePolicies", input.RoleName)],
  PutRolePolicy: (input, env) => [onRole(env, "iam:PutRolePolicy", input.RoleName)],
  GetRolePolicy: (input, env) => [onRole(env, "iam:GetRolePolicy", input.RoleName)],
  ListRolePolicies: (input, env) => [onRole(env, "iam:ListRolePolicies", input.RoleName)],
  TagRole: (input, env) => [
    onRole(
      env,
      "iam:TagRole",
      input.RoleName,
      requestTagKeys((input.Tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" }))),
    ),
  ],
  ListRoleTags: (input, env) => [onRole(env, "iam:ListRoleTags", input.RoleName)],
  DetachRolePolicy: (input, env) => [
    onRole(env, "iam:DetachRolePolicy", input.RoleName, { "iam:PolicyARN": input.PolicyArn ?? "" }),
  ],
  DeleteRolePolicy: (input, env) => [onRole(env, "iam:DeleteRolePolicy", input.RoleName)],
  DeleteRole: (input, env) => [onRole(env, "iam:DeleteRole", input.RoleName)],
};

export const stsAuthorization: AuthorizationTable<StsInputs> = {
  // No permission is needed, and none can deny it.
  GetCallerIdentity: () => [],
};

/** The role's ARN with its path when it exists, else with the path "/". */
function onRole(
  env: AuthorizationEnv,
  action: string,
  roleName: string | undefined,
  context?: ConditionContext,
): Requirement {
  const resource =
    env.iam.role(roleName ?? "")?.arn ?? `arn:aws:iam::${env.accountId}:role/${roleName ?? ""}`;
  return context ? { action, resource, context } : { action, resource };
}

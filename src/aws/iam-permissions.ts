import { allow, arns, type DeploymentScope } from "./permissions.js";

const executionRole = (scope: DeploymentScope) => arns.iamRole(scope, scope.executionRole);

/** What IAM must allow for each IAM call (Service Authorization Reference, IAM). */
export const IAM_PERMISSIONS = {
  instanceProfileExists: [allow("iam:GetInstanceProfile", arns.iamInstanceProfile)],
  instanceProfileRoles: [allow("iam:GetInstanceProfile", arns.iamInstanceProfile)],
  findRole: [allow("iam:GetRole", executionRole)],
  attachedPolicyArns: [allow("iam:ListAttachedRolePolicies", executionRole)],
  inlinePolicy: [allow("iam:GetRolePolicy", executionRole)],
  createRole: [
    allow("iam:CreateRole", executionRole),
    allow("iam:TagRole", executionRole, { why: "tags on creation" }),
  ],
  attachPolicy: [allow("iam:AttachRolePolicy", executionRole)],
  putInlinePolicy: [allow("iam:PutRolePolicy", executionRole)],
  deleteRole: [
    allow(["iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:DetachRolePolicy"], executionRole),
    allow(["iam:DeleteRolePolicy", "iam:DeleteRole"], executionRole),
  ],
} as const;

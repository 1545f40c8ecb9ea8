import { allow, allowAnyResource, arns, type DeploymentScope, type Permission } from "./permissions.js";

/**
 * A customer KMS key needs the caller's own kms permission through SSM; the AWS managed key
 * (alias/aws/ssm) needs none (ECS Developer Guide, secrets-envvar-ssm-paramstore).
 */
const withCustomerKey = (actions: readonly string[]): Permission =>
  allow(actions, (scope: DeploymentScope) => (scope.kmsKey === undefined ? [] : [scope.kmsKey]), {
    condition: (scope) => ({ StringEquals: { "kms:ViaService": `ssm.${scope.region}.amazonaws.com` } }),
    why: "SecureStrings under a customer KMS key",
  });

/** What IAM must allow for each SSM call (Service Authorization Reference, AWS Systems Manager). */
export const SSM_PERMISSIONS = {
  describePath: [allowAnyResource("ssm:DescribeParameters", "DescribeParameters takes no resource")],
  readSecureString: [allow("ssm:GetParameter", arns.ssmSecrets), withCustomerKey(["kms:Decrypt"])],
  putSecureString: [
    allow("ssm:PutParameter", arns.ssmSecrets),
    allow("ssm:AddTagsToResource", arns.ssmSecretsForTags, { why: "tags on creation" }),
    withCustomerKey(["kms:Encrypt", "kms:GenerateDataKey"]),
  ],
  deleteParameter: [allow("ssm:DeleteParameter", arns.ssmSecrets)],
  parameterTags: [allow("ssm:ListTagsForResource", arns.ssmSecretsForTags)],
  publicParameter: [allow("ssm:GetParameter", arns.ssmEcsAmis)],
} as const;

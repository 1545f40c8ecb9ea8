/**
 * What IAM requires for each simulated SSM Parameter Store command. Sources: Service Authorization Reference,
 * "Actions, resources, and condition keys for AWS Systems Manager" (parameter resource
 * `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`; DescribeParameters supports no
 * resource-level permissions, also awsdocs aws-systems-manager-user-guide PR #175; the batch actions per name);
 * AWS public parameters (`/aws/service/…`) have ARNs without an account (ECS Developer Guide,
 * retrieve-ecs-optimized_AMI); PutParameter with Tags needs ssm:AddTagsToResource (CloudFormation's
 * AWS::SSM::Parameter page), evaluated on "parameter/" + the name as given, so a name with a leading slash gives
 * "parameter//…" (pepperize/cdk-ssm-parameters-cross-region#442 quotes the denial).
 */
import type { Tag } from "@aws-sdk/client-ssm";
import {
  type AuthorizationEnv,
  type AuthorizationTable,
  anyResource,
  type ConditionContext,
  requestTagKeys,
} from "./authorization.js";
import type { SsmInputs } from "./ssm.js";

export const ssmAuthorization: AuthorizationTable<SsmInputs> = {
  PutParameter: (input, env) => [
    {
      action: "ssm:PutParameter",
      resource: parameterArn(env, input.Name),
      context: {
        ...tagKeys(input.Tags),
        ...(input.Overwrite !== undefined ? { "ssm:Overwrite": String(input.Overwrite) } : {}),
      },
    },
    ...(input.Tags?.length
      ? [
          {
            action: "ssm:AddTagsToResource",
            resource: taggedParameterArn(env, input.Name),
            context: tagKeys(input.Tags),
          },
        ]
      : []),
  ],
  GetParameter: (input, env) => [{ action: "ssm:GetParameter", resource: parameterArn(env, input.Name) }],
  GetParameters: (input, env) =>
    (input.Names ?? []).map((name) => ({ action: "ssm:GetParameters", resource: parameterArn(env, name) })),
  DescribeParameters: () => [anyResource("ssm:DescribeParameters")],
  DeleteParameter: (input, env) => [
    { action: "ssm:DeleteParameter", resource: parameterArn(env, input.Name) },
  ],
  DeleteParameters: (input, env) =>
    (input.Names ?? []).map((name) => ({
      action: "ssm:DeleteParameters",
      resource: parameterArn(env, name),
    })),
  // Assumed: the tagging APIs build the ARN from ResourceId as PutParameter's tags do.
  AddTagsToResource: (input, env) => [
    {
      action: "ssm:AddTagsToResource",
      resource: taggedResourceArn(env, input.ResourceType, input.ResourceId),
      context: tagKeys(input.Tags),
    },
  ],
  ListTagsForResource: (input, env) => [
    {
      action: "ssm:ListTagsForResource",
      resource: taggedResourceArn(env, input.ResourceType, input.ResourceId),
    },
  ],
};

/**
 * A parameter name (with a version or label selector, or an ARN) → its ARN. Names under "/aws/" are AWS public
 * parameters, whose ARNs carry no account.
 */
export function parameterArn(env: AuthorizationEnv, name: string | undefined): string {
  const ref = name ?? "";
  if (ref.startsWith("arn:")) return ref.split(":").slice(0, 6).join(":");
  const bare = ref.split(":")[0] ?? "";
  const path = bare.startsWith("/") ? bare : `/${bare}`;
  const account = path.startsWith("/aws/") ? "" : env.accountId;
  return `arn:aws:ssm:${env.region}:${account}:parameter${path}`;
}

/** The ARN SSM authorizes tags on: "parameter/" followed by the name exactly as given. */
function taggedParameterArn(env: AuthorizationEnv, name: string | undefined): string {
  return `arn:aws:ssm:${env.region}:${env.accountId}:parameter/${name ?? ""}`;
}

function taggedResourceArn(env: AuthorizationEnv, type: string | undefined, id: string | undefined): string {
  if (type === "Parameter") return taggedParameterArn(env, id);
  return `arn:aws:ssm:${env.region}:${env.accountId}:${(type ?? "").toLowerCase()}/${id ?? ""}`;
}

function tagKeys(tags: Tag[] | undefined): ConditionContext {
  return requestTagKeys((tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })));
}

/**
 * What IAM requires for each simulated CloudWatch Logs command. Sources: Service Authorization Reference, "Actions,
 * resources, and condition keys for Amazon CloudWatch Logs" (log-group and log-stream resources; DescribeLogGroups
 * supports none); CloudWatch Logs User Guide, "Overview of managing access permissions" (the group ARN with ":*"
 * for most actions, without it for TagResource, UntagResource and ListTagsForResource); CreateLogGroup's `tags`
 * ("you must have either the logs:TagResource or logs:TagLogGroup permission", SDK model). The resource IAM
 * evaluates, as AccessDenied messages in public repositories quote it: group-level actions (CreateLogGroup,
 * PutRetentionPolicy, DescribeLogStreams, FilterLogEvents) "log-group:<name>:log-stream:", so that a policy's
 * "log-group:<name>:*" matches; DeleteLogGroup "log-group:<name>"; DescribeLogGroups "log-group::log-stream:";
 * stream actions the stream's ARN.
 */
import {
  type AuthorizationEnv,
  type AuthorizationTable,
  type ConditionContext,
  type Requirement,
  requestTagKeys,
} from "./authorization.js";
import type { LogsInputs } from "./logs.js";

export const logsAuthorization: AuthorizationTable<LogsInputs> = {
  CreateLogGroup: (input, env) => {
    const tags = tagKeys(input.tags);
    return [
      { action: "logs:CreateLogGroup", resource: groupLevel(env, input.logGroupName), context: tags },
      // Assumed: the tag check is made on the group's ARN without ":*", as TagResource's is.
      ...(input.tags && Object.keys(input.tags).length > 0
        ? [
            {
              action: "logs:TagResource",
              alternatives: ["logs:TagLogGroup"],
              resource: groupArn(env, input.logGroupName),
              context: tags,
            },
          ]
        : []),
    ];
  },
  DeleteLogGroup: (input, env) => [
    { action: "logs:DeleteLogGroup", resource: groupArn(env, input.logGroupName) },
  ],
  DescribeLogGroups: (_input, env) => [{ action: "logs:DescribeLogGroups", resource: groupLevel(env, "") }],
  PutRetentionPolicy: (input, env) => [onGroup(env, "logs:PutRetentionPolicy", input.logGroupName)],
  DeleteRetentionPolicy: (input, env) => [onGroup(env, "logs:DeleteRetentionPolicy", input.logGroupName)],
  TagResource: (input) => [
    { action: "logs:TagResource", resource: input.resourceArn ?? "", context: tagKeys(input.tags) },
  ],
  UntagResource: (input) => [
    {
      action: "logs:UntagResource",
      resource: input.resourceArn ?? "",
      context: { "aws:TagKeys": input.tagKeys ?? [] },
    },
  ],
  ListTagsForResource: (input) => [{ action: "logs:ListTagsForResource", resource: input.resourceArn ?? "" }],
  CreateLogStream: (input, env) => [
    onStream(env, "logs:CreateLogStream", input.logGroupName, input.logStreamName),
  ],
  DeleteLogStream: (input, env) => [
    onStream(env, "logs:DeleteLogStream", input.logGroupName, input.logStreamName),
  ],
  DescribeLogStreams: (input, env) => [
    onGroup(env, "logs:DescribeLogStreams", input.logGroupName ?? nameOf(input.logGroupIdentifier)),
  ],
  PutLogEvents: (input, env) => [onStream(env, "logs:PutLogEvents", input.logGroupName, input.logStreamName)],
  GetLogEvents: (input, env) => [
    onStream(
      env,
      "logs:GetLogEvents",
      input.logGroupName ?? nameOf(input.logGroupIdentifier),
      input.logStreamName,
    ),
  ],
  FilterLogEvents: (input, env) => [
    onGroup(env, "logs:FilterLogEvents", input.logGroupName ?? nameOf(input.logGroupIdentifier)),
  ],
};

function onGroup(env: AuthorizationEnv, action: string, group: string | undefined): Requirement {
  return { action, resource: groupLevel(env, group) };
}

function onStream(
  env: AuthorizationEnv,
  action: string,
  group: string | undefined,
  stream: string | undefined,
): Requirement {
  return { action, resource: `${groupArn(env, group)}:log-stream:${stream ?? ""}` };
}

/** `arn:aws:logs:<region>:<account>:log-group:<name>` (the tagging APIs' form). */
function groupArn(env: AuthorizationEnv, group: string | undefined): string {
  return `arn:aws:logs:${env.region}:${env.accountId}:log-group:${group ?? ""}`;
}

/** The resource group-level actions are evaluated on: the group's ARN followed by ":log-stream:". */
function groupLevel(env: AuthorizationEnv, group: string | undefined): string {
  return `${groupArn(env, group)}:log-stream:`;
}

/** A logGroupIdentifier (a name, or an ARN with or without ":*") → the group's name. */
function nameOf(identifier: string | undefined): string | undefined {
  if (identifier === undefined || !identifier.startsWith("arn:")) return identifier;
  return /:log-group:([^:]+)(?::\*)?$/.exec(identifier)?.[1] ?? identifier;
}

function tagKeys(tags: Record<string, string> | undefined): ConditionContext {
  return requestTagKeys(Object.entries(tags ?? {}).map(([key, value]) => ({ key, value })));
}

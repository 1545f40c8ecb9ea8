import { allow, allowAnyResource, arns } from "./permissions.js";

/** What IAM must allow for each CloudWatch Logs call (Service Authorization Reference, CloudWatch Logs). */
export const LOGS_PERMISSIONS = {
  findLogGroup: [allowAnyResource("logs:DescribeLogGroups")],
  createLogGroup: [
    allow("logs:CreateLogGroup", arns.logGroup),
    // "Either logs:TagResource or logs:TagLogGroup" (CreateLogGroup API reference); the latter is deprecated.
    allow("logs:TagResource", arns.logGroup, { why: "tags on creation" }),
  ],
  setRetention: [allow("logs:PutRetentionPolicy", arns.logGroup)],
  filterEvents: [allow("logs:FilterLogEvents", arns.logGroup)],
  existingStreams: [allow("logs:DescribeLogStreams", arns.logGroup)],
  deleteLogGroup: [allow("logs:DeleteLogGroup", arns.logGroup)],
} as const;

/**
 * What IAM requires for each simulated RDS command. Sources: Service Authorization Reference, "Actions, resources,
 * and condition keys for Amazon RDS" (db, snapshot, subgrp, pg, og resources `arn:aws:rds:<region>:<account>:
 * <type>:<name>`; DescribeDBEngineVersions and DescribeOrderableDBInstanceOptions support no resource-level
 * permissions; rds:AddTagsToResource a dependent action of the create calls); AWS's notice of 2024 quoted in
 * convox/convox#856 and aws-solutions/instance-scheduler-on-aws#572 (a final snapshot needs rds:CreateDBSnapshot,
 * and rds:AddTagsToResource on the snapshot when the instance has CopyTagsToSnapshot); RDS User Guide, "Using
 * service-linked roles for Amazon RDS" (the role created with the first DB instance; the message when the caller
 * may not create it). DescribeDBInstances without an identifier is evaluated on `db:*` (AccessDenied messages in
 * public repositories).
 */
import { RDSServiceException, type Tag } from "@aws-sdk/client-rds";
import {
  type AuthorizationEnv,
  type AuthorizationTable,
  anyResource,
  type ConditionContext,
  requestTagKeys,
  serviceLinkedRoleRequirement,
} from "./authorization.js";
import { queryUnmodeledError } from "./errors.js";
import type { ConditionValue } from "./iam-evaluation.js";
import type { RdsInputs } from "./rds.js";

export const rdsAuthorization: AuthorizationTable<RdsInputs> = {
  CreateDBInstance: (input, env) => {
    const db = rdsArn(env, "db", input.DBInstanceIdentifier);
    const groups: Array<[string, string | undefined]> = [
      ["subgrp", input.DBSubnetGroupName],
      ["pg", input.DBParameterGroupName],
      ["og", input.OptionGroupName],
    ];
    return [
      {
        action: "rds:CreateDBInstance",
        resource: db,
        context: { ...tagKeys(input.Tags), ...instanceKeys(input) },
      },
      // The groups named in the request are authorized as well (assumed: not the defaults RDS picks).
      ...groups.flatMap(([type, name]) =>
        name ? [{ action: "rds:CreateDBInstance", resource: rdsArn(env, type, name) }] : [],
      ),
      ...(input.Tags?.length
        ? [{ action: "rds:AddTagsToResource", resource: db, context: tagKeys(input.Tags) }]
        : []),
      ...serviceLinkedRoleRequirement(env, "rds.amazonaws.com", (_denial, context) =>
        queryUnmodeledError(RDSServiceException, {
          name: "InvalidParameterValue",
          message:
            "Unable to create the resource. Verify that you have permission to create service linked role. Otherwise wait and try again later.",
          httpStatusCode: 400,
          ids: context.ids,
        }),
      ),
    ];
  },
  DescribeDBInstances: (input, env) => [
    { action: "rds:DescribeDBInstances", resource: rdsArn(env, "db", input.DBInstanceIdentifier ?? "*") },
  ],
  DescribeDBEngineVersions: () => [anyResource("rds:DescribeDBEngineVersions")],
  DescribeOrderableDBInstanceOptions: () => [anyResource("rds:DescribeOrderableDBInstanceOptions")],
  DeleteDBInstance: (input, env) => {
    const db = rdsArn(env, "db", input.DBInstanceIdentifier);
    const finalSnapshot = !input.SkipFinalSnapshot && input.FinalDBSnapshotIdentifier !== undefined;
    if (!finalSnapshot) return [{ action: "rds:DeleteDBInstance", resource: db }];
    const snapshot = rdsArn(env, "snapshot", input.FinalDBSnapshotIdentifier);
    const copiesTags = env.rds.instance(input.DBInstanceIdentifier ?? "")?.CopyTagsToSnapshot === true;
    return [
      { action: "rds:DeleteDBInstance", resource: db },
      { action: "rds:CreateDBSnapshot", resource: db },
      { action: "rds:CreateDBSnapshot", resource: snapshot },
      ...(copiesTags ? [{ action: "rds:AddTagsToResource", resource: snapshot }] : []),
    ];
  },
  CreateDBSnapshot: (input, env) => {
    const snapshot = rdsArn(env, "snapshot", input.DBSnapshotIdentifier);
    return [
      { action: "rds:CreateDBSnapshot", resource: rdsArn(env, "db", input.DBInstanceIdentifier) },
      { action: "rds:CreateDBSnapshot", resource: snapshot, context: tagKeys(input.Tags) },
      ...(input.Tags?.length
        ? [{ action: "rds:AddTagsToResource", resource: snapshot, context: tagKeys(input.Tags) }]
        : []),
    ];
  },
  // Assumed: by snapshot when one is named, else by instance, else every snapshot (as DescribeDBInstances' db:*).
  DescribeDBSnapshots: (input, env) => [
    {
      action: "rds:DescribeDBSnapshots",
      resource:
        input.DBSnapshotIdentifier !== undefined
          ? rdsArn(env, "snapshot", input.DBSnapshotIdentifier)
          : input.DBInstanceIdentifier !== undefined
            ? rdsArn(env, "db", input.DBInstanceIdentifier)
            : rdsArn(env, "snapshot", "*"),
    },
  ],
  // Service Authorization Reference: RestoreDBInstanceFromDBSnapshot on the db and snapshot (and the subnet, option
  // and parameter groups named), rds:AddTagsToResource a dependent action for the request's tags.
  RestoreDBInstanceFromDBSnapshot: (input, env) => {
    const db = rdsArn(env, "db", input.DBInstanceIdentifier);
    return [
      {
        action: "rds:RestoreDBInstanceFromDBSnapshot",
        resource: db,
        context: { ...tagKeys(input.Tags), ...instanceKeys(input) },
      },
      {
        action: "rds:RestoreDBInstanceFromDBSnapshot",
        resource: rdsArn(env, "snapshot", input.DBSnapshotIdentifier),
      },
      ...(input.DBSubnetGroupName
        ? [
            {
              action: "rds:RestoreDBInstanceFromDBSnapshot",
              resource: rdsArn(env, "subgrp", input.DBSubnetGroupName),
            },
          ]
        : []),
      ...(input.Tags?.length
        ? [{ action: "rds:AddTagsToResource", resource: db, context: tagKeys(input.Tags) }]
        : []),
    ];
  },
  ModifyDBInstance: (input, env) => [
    { action: "rds:ModifyDBInstance", resource: rdsArn(env, "db", input.DBInstanceIdentifier) },
  ],
  DeleteDBSnapshot: (input, env) => [
    { action: "rds:DeleteDBSnapshot", resource: rdsArn(env, "snapshot", input.DBSnapshotIdentifier) },
  ],
};

/** `arn:aws:rds:<region>:<account>:<type>:<name>`; an ARN given as the name is used as it is. */
function rdsArn(env: AuthorizationEnv, type: string, name: string | undefined): string {
  if (name?.startsWith("arn:")) return name;
  return `arn:aws:rds:${env.region}:${env.accountId}:${type}:${name ?? ""}`;
}

function tagKeys(tags: Tag[] | undefined): ConditionContext {
  const list = (tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" }));
  const keys: Record<string, ConditionValue> = { ...requestTagKeys(list) };
  for (const tag of list) keys[`rds:req-tag/${tag.key}`] = tag.value;
  return keys;
}

/** CreateDBInstance's own condition keys, for what the request says. */
function instanceKeys(input: {
  DBInstanceClass?: string | undefined;
  Engine?: string | undefined;
  PubliclyAccessible?: boolean | undefined;
}): ConditionContext {
  return {
    ...(input.DBInstanceClass ? { "rds:DatabaseClass": input.DBInstanceClass } : {}),
    ...(input.Engine ? { "rds:DatabaseEngine": input.Engine } : {}),
    ...(input.PubliclyAccessible !== undefined
      ? { "rds:PubliclyAccessible": String(input.PubliclyAccessible) }
      : {}),
  };
}

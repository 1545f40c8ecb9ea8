import { allow, allowAnyResource, arns } from "./permissions.js";

/** What IAM must allow for each RDS call (Service Authorization Reference, Amazon RDS). */
export const RDS_PERMISSIONS = {
  findInstance: [allow("rds:DescribeDBInstances", arns.rdsDatabase)],
  listMysqlInstances: [allow("rds:DescribeDBInstances", arns.rdsDatabases)],
  mysqlVersions: [allowAnyResource("rds:DescribeDBEngineVersions")],
  mysqlClasses: [allowAnyResource("rds:DescribeOrderableDBInstanceOptions")],
  createInstance: [
    allow("rds:CreateDBInstance", (s) => [
      ...arns.rdsDatabase(s),
      arns.rds(s, "subgrp", "default"),
      arns.rds(s, "og", "default:*"),
      arns.rds(s, "pg", "default.*"),
    ]),
    allow("rds:AddTagsToResource", arns.rdsDatabase, { why: "tags on creation" }),
    allow(
      "iam:CreateServiceLinkedRole",
      (s) =>
        `arn:${s.partition}:iam::${s.account}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`,
      {
        condition: () => ({ StringLike: { "iam:AWSServiceName": "rds.amazonaws.com" } }),
        why: "an account's first DB instance creates the RDS service-linked role",
      },
    ),
  ],
  listInstances: [allow("rds:DescribeDBInstances", arns.rdsDatabases)],
  createSnapshot: [
    allow("rds:CreateDBSnapshot", (s) => [...arns.rdsDatabase(s), arns.rdsSnapshots(s)]),
    allow("rds:AddTagsToResource", arns.rdsSnapshots, { why: "tags on creation" }),
  ],
  findSnapshot: [allow("rds:DescribeDBSnapshots", (s) => [...arns.rdsDatabase(s), arns.rdsSnapshots(s)])],
  listManualSnapshots: [
    allow("rds:DescribeDBSnapshots", (s) => [...arns.rdsDatabase(s), arns.rdsAnySnapshot(s)]),
  ],
  deleteInstance: [
    allow("rds:DeleteDBInstance", arns.rdsDatabase),
    allow(
      ["rds:CreateDBSnapshot", "rds:AddTagsToResource"],
      (s) => [...arns.rdsDatabase(s), arns.rdsSnapshots(s)],
      {
        why: "the final snapshot, which copies the instance's tags",
      },
    ),
  ],
  restoreFromSnapshot: [
    // The restored instance is named <db>-from-<time>, and may come from a snapshot of an instance an earlier
    // restore replaced: every snapshot mcctl made.
    allow("rds:RestoreDBInstanceFromDBSnapshot", (s) => [
      ...arns.rdsDatabase(s),
      arns.rds(s, "snapshot", "mcctl-*"),
      arns.rds(s, "subgrp", "*"),
      arns.rds(s, "og", "default:*"),
      arns.rds(s, "pg", "default.*"),
    ]),
    allow("rds:AddTagsToResource", arns.rdsDatabase, { why: "tags on creation" }),
  ],
  setMasterPassword: [allow("rds:ModifyDBInstance", arns.rdsDatabase)],
  listRegionSnapshots: [allow("rds:DescribeDBSnapshots", arns.rdsAnySnapshot)],
} as const;

// Every RDS, IAM and STS operation the simulator answers, through real SDK clients and the sandbox's HTTP
// server (awsQuery: form-encoded requests, `<OpResult>` answers), against the same call made straight to a
// twin simulator.
import { describe, it } from "vitest";
import { iamCommands } from "../../../src/sandbox/sim/iam.js";
import { rdsCommands } from "../../../src/sandbox/sim/rds.js";
import { stsCommands } from "../../../src/sandbox/sim/sts.js";
import type { SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";
import { expectRoundTrip, type Scenario, useServedPair } from "./round-trip.js";

const pair = useServedPair();

const MINUTE = 60_000;
const account = (sim: SimulatedAws) => seedEmptyAccount(sim);
const database = (sim: SimulatedAws) =>
  sim.rds.addInstance({
    DBInstanceIdentifier: "mc-db",
    DBInstanceClass: "db.t3.medium",
    EngineVersion: "8.0.35",
    AllocatedStorage: 50,
    MasterUsername: "mc",
    MasterUserPassword: "first-password",
    DBName: "metadata",
    StorageEncrypted: true,
    Tags: [{ Key: "managed-by", Value: "mcctl" }],
    CopyTagsToSnapshot: true,
  });
const snapshot = (sim: SimulatedAws) =>
  sim.rds.addSnapshot({ DBSnapshotIdentifier: "mc-db-backup-1", DBInstanceIdentifier: "mc-db" });

const rds: Record<keyof typeof rdsCommands, Scenario> = {
  CreateDBInstance: {
    arrange: [account],
    input: () => ({
      DBInstanceIdentifier: "mc-db",
      DBInstanceClass: "db.t3.small",
      Engine: "mysql",
      EngineVersion: "8.0.39",
      AllocatedStorage: 20,
      MasterUsername: "mc",
      MasterUserPassword: "s3cret-Passw0rd",
      DBName: "mc",
      PubliclyAccessible: false,
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      Tags: [{ Key: "app", Value: "mc" }],
    }),
  },
  DescribeDBInstances: {
    arrange: [account, database, snapshot, MINUTE],
    input: () => ({ DBInstanceIdentifier: "mc-db" }),
  },
  DescribeDBEngineVersions: { input: () => ({ Engine: "mysql", DefaultOnly: false }) },
  DescribeOrderableDBInstanceOptions: {
    input: () => ({ Engine: "mysql", EngineVersion: "8.0.39", DBInstanceClass: "db.t3.small" }),
  },
  DeleteDBInstance: {
    arrange: [account, database],
    input: () => ({
      DBInstanceIdentifier: "mc-db",
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: "mc-db-final",
      DeleteAutomatedBackups: true,
    }),
  },
  CreateDBSnapshot: {
    arrange: [account, database],
    input: () => ({
      DBSnapshotIdentifier: "mc-db-backup-2",
      DBInstanceIdentifier: "mc-db",
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    }),
  },
  DescribeDBSnapshots: {
    arrange: [account, database, snapshot, 5 * MINUTE],
    input: () => ({ DBInstanceIdentifier: "mc-db", SnapshotType: "manual" }),
  },
  DeleteDBSnapshot: {
    arrange: [account, database, snapshot],
    input: () => ({ DBSnapshotIdentifier: "mc-db-backup-1" }),
  },
  RestoreDBInstanceFromDBSnapshot: {
    arrange: [account, database, snapshot],
    input: () => ({
      DBInstanceIdentifier: "mc-db-restored",
      DBSnapshotIdentifier: "mc-db-backup-1",
      DBInstanceClass: "db.t3.medium",
      Tags: [{ Key: "restored", Value: "yes" }],
    }),
  },
  ModifyDBInstance: {
    arrange: [account, database],
    input: () => ({
      DBInstanceIdentifier: "mc-db",
      ApplyImmediately: true,
      MasterUserPassword: "second-password",
    }),
  },
};

const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});
const readParameters = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:*:*:parameter/mc/*" }],
});
const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const role = (sim: SimulatedAws) =>
  sim.iam.addRole("mc-execution", {
    attached: [EXECUTION_POLICY],
    inline: { parameters: JSON.parse(readParameters) },
    tags: [{ Key: "app", Value: "mc" }],
    description: "Model Catalogue tasks",
  });

const iam: Record<keyof typeof iamCommands, Scenario> = {
  GetInstanceProfile: {
    arrange: [(sim) => sim.iam.addInstanceProfile("ecsInstanceRole")],
    input: () => ({ InstanceProfileName: "ecsInstanceRole" }),
  },
  GetRole: { arrange: [role], input: () => ({ RoleName: "mc-execution" }) },
  CreateRole: {
    input: () => ({
      RoleName: "mc-new",
      Path: "/mc/",
      AssumeRolePolicyDocument: trust,
      Description: "new role",
      MaxSessionDuration: 7200,
      Tags: [{ Key: "app", Value: "mc" }],
    }),
  },
  AttachRolePolicy: {
    arrange: [role],
    input: () => ({ RoleName: "mc-execution", PolicyArn: EXECUTION_POLICY }),
  },
  ListAttachedRolePolicies: { arrange: [role], input: () => ({ RoleName: "mc-execution" }) },
  PutRolePolicy: {
    arrange: [role],
    input: () => ({ RoleName: "mc-execution", PolicyName: "more", PolicyDocument: readParameters }),
  },
  GetRolePolicy: { arrange: [role], input: () => ({ RoleName: "mc-execution", PolicyName: "parameters" }) },
  ListRolePolicies: { arrange: [role], input: () => ({ RoleName: "mc-execution" }) },
  TagRole: {
    arrange: [role],
    input: () => ({ RoleName: "mc-execution", Tags: [{ Key: "team", Value: "data & models <ml>" }] }),
  },
  ListRoleTags: { arrange: [role], input: () => ({ RoleName: "mc-execution" }) },
  DetachRolePolicy: {
    arrange: [role],
    input: () => ({ RoleName: "mc-execution", PolicyArn: EXECUTION_POLICY }),
  },
  DeleteRolePolicy: {
    arrange: [role],
    input: () => ({ RoleName: "mc-execution", PolicyName: "parameters" }),
  },
  DeleteRole: {
    arrange: [(sim) => sim.iam.addRole("bare")],
    input: () => ({ RoleName: "bare" }),
  },
};

const sts: Record<keyof typeof stsCommands, Scenario> = {
  GetCallerIdentity: { input: () => ({}) },
};

describe("RDS over HTTP (awsQuery)", () => {
  it.each(Object.entries(rds))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = rdsCommands[operation as keyof typeof rdsCommands];
    await expectRoundTrip(pair, "RDS", operation, Command, scenario);
  });
});

describe("IAM over HTTP (awsQuery)", () => {
  it.each(Object.entries(iam))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = iamCommands[operation as keyof typeof iamCommands];
    await expectRoundTrip(pair, "IAM", operation, Command, scenario);
  });
});

describe("STS over HTTP (awsQuery)", () => {
  it.each(Object.entries(sts))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = stsCommands[operation as keyof typeof stsCommands];
    await expectRoundTrip(pair, "STS", operation, Command, scenario);
  });
});

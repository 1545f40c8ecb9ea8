import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { createDatabase, waitForDatabase } from "../../../src/operations/setup/database.js";
import { addDatabaseAccess } from "../../../src/operations/setup/database-access.js";
import type { ComputePlan } from "../../../src/plan/setup/compute.js";
import { planDatabase } from "../../../src/plan/setup/database.js";
import { type AccessRule, planDatabaseAccess } from "../../../src/plan/setup/database-access.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { setupAwsFor, testApplyIo, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { runUntilSettled } from "../../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const PASSWORD = "Str0ng-and-l0ng!";

let sim: SimulatedAws;
let aws: SetupAws;
let vpcId: string;
let defaultGroupId: string;
let dbGroup: string;
let instanceGroup: string;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws();
  sim.install();
  const vpc = sim.ec2.addDefaultVpc();
  vpcId = vpc.vpcId;
  defaultGroupId = vpc.securityGroupId;
  dbGroup = group("model-catalogue-db");
  instanceGroup = group("model-catalogue-ecs-instances");
  aws = setupAwsFor(config);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

/** A security group made straight in the simulator (not through the API: not in sim.calls). */
function group(name: string): string {
  const { GroupId } = sim.ec2.createSecurityGroup({ GroupName: name, Description: name, VpcId: vpcId });
  if (!GroupId) throw new Error("no group id");
  return GroupId;
}

/** The ingress rules of a group that reference another group, as [protocol, from, to, source]. */
function groupRules(groupId: string) {
  return (sim.ec2.securityGroup(groupId)?.IpPermissions ?? []).flatMap((permission) =>
    (permission.UserIdGroupPairs ?? []).map((pair) => [
      permission.IpProtocol,
      permission.FromPort,
      permission.ToPort,
      pair.GroupId,
    ]),
  );
}

const authorizations = () => sim.callsOf("AuthorizeSecurityGroupIngress");

const rule = (into = dbGroup, from = instanceGroup): AccessRule => ({
  into: { id: into },
  from: { id: from },
  port: 3306,
});

/** What planCompute found: a registered instance in the instances' group. */
const ready = (securityGroupIds: string[]): ComputePlan => ({
  cluster: "default",
  createCluster: false,
  status: "ready",
  securityGroupIds,
  lines: [],
});

describe("addDatabaseAccess", () => {
  it("adds the planned rule, TCP 3306 from the instances' group by reference, reported in one line", async () => {
    const { io, captured, saved } = testApplyIo();

    await addDatabaseAccess(io, aws, [rule()], {});

    expect(authorizations()).toHaveLength(1);
    expect(authorizations()[0]?.input).toEqual({
      GroupId: dbGroup,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 3306,
          ToPort: 3306,
          UserIdGroupPairs: [
            { GroupId: instanceGroup, Description: "Model Catalogue container instances (mcctl)" },
          ],
        },
      ],
    });
    expect(JSON.stringify(authorizations()[0]?.input)).not.toContain("0.0.0.0/0");
    expect(groupRules(dbGroup)).toEqual([["tcp", 3306, 3306, instanceGroup]]);
    expect(captured.stderr()).toBe(`✔ MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: allowed\n`);
    expect(saved).toEqual([]);
  });

  it("adds nothing on a re-run: the plan finds the rule, and apply is given none", async () => {
    await addDatabaseAccess(testApplyIo().io, aws, [rule()], {});
    sim.clearCalls();

    const access = await planDatabaseAccess(
      aws,
      { action: "use", ...facts(), securityGroupIds: [dbGroup] },
      ready([instanceGroup]),
    );
    const { io, captured } = testApplyIo();
    await addDatabaseAccess(io, aws, access.rules, {});

    expect(access.rules).toEqual([]);
    expect(authorizations()).toHaveLength(0);
    expect(sim.calls.map((call) => call.command)).toEqual(["DescribeSecurityGroups"]);
    expect(captured.all()).toBe("");
    expect(groupRules(dbGroup)).toHaveLength(1);
  });

  it("takes InvalidPermission.Duplicate (the rule appeared since the plan) as success", async () => {
    sim.faults.inject({
      service: "EC2",
      command: "AuthorizeSecurityGroupIngress",
      error: new EC2ServiceException({
        name: "InvalidPermission.Duplicate",
        $fault: "client",
        message: "the specified rule already exists",
        $metadata: { httpStatusCode: 400 },
      }),
    });
    const { io, captured } = testApplyIo();

    await addDatabaseAccess(io, aws, [rule()], {});

    expect(authorizations()).toHaveLength(1);
    expect(captured.stderr()).toBe(
      `✔ MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: allowed already\n`,
    );
  });

  it("passes any other failure on", async () => {
    sim.faults.inject({ service: "EC2", command: "AuthorizeSecurityGroupIngress", error: "access-denied" });

    const error = await addDatabaseAccess(testApplyIo().io, aws, [rule()], {}).catch(
      (caught: unknown) => caught,
    );

    expect((error as Error).message).toMatch(/^AWS denied ec2:AuthorizeSecurityGroupIngress/);
    expect(groupRules(dbGroup)).toEqual([]);
  });

  it("adds one rule a group, in the order planned", async () => {
    const second = group("more-instances");

    await addDatabaseAccess(testApplyIo().io, aws, [rule(), rule(dbGroup, second)], {});

    expect(
      authorizations().map((call) => call.input.IpPermissions?.[0]?.UserIdGroupPairs?.[0]?.GroupId),
    ).toEqual([instanceGroup, second]);
  });

  it("resolves the groups this run created in place of those the plan could only name", async () => {
    const newDb = group("model-catalogue-db-2");
    const newInstances = group("instances-2");
    const { io, captured } = testApplyIo();

    await addDatabaseAccess(
      io,
      aws,
      [{ into: { planned: "database" }, from: { planned: "instances" }, port: 3306 }],
      { database: newDb, instances: newInstances },
    );

    expect(groupRules(newDb)).toEqual([["tcp", 3306, 3306, newInstances]]);
    expect(captured.stderr()).toBe(`✔ MySQL (TCP 3306) into ${newDb} from ${newInstances}: allowed\n`);
  });

  it("refuses a rule naming a group this run did not create, before any call", async () => {
    const error = await addDatabaseAccess(
      testApplyIo().io,
      aws,
      [{ into: { id: dbGroup }, from: { planned: "instances" }, port: 3306 }],
      {},
    ).catch((caught: unknown) => caught);

    expect((error as Error).message).toBe("setup plan names the new instances' group, which was not created");
    expect(authorizations()).toHaveLength(0);
  });
});

/** An available instance's facts, without the security groups. */
function facts() {
  return {
    identifier: "model-catalogue",
    created: true,
    status: "available",
    endpoint: { host: "model-catalogue.abc.eu-west-1.rds.amazonaws.com", port: 3306 },
    masterUsername: "mcadmin",
    databaseName: "mc",
    engineVersion: "5.7.44",
  };
}

describe("database access from plan to apply", () => {
  it("opens the database setup creates to the instances, once, in its own group", async () => {
    // beforeEach made model-catalogue-db already (as a setup that stopped after it would have).
    const database = await planDatabase(testPlanIo({ env: { METADATA_PASSWORD: PASSWORD } }).io, aws);
    if (database.database.action !== "create") throw new Error("expected a new instance");
    expect(database.database.securityGroupId).toBe(dbGroup);
    const access = await planDatabaseAccess(aws, database.database, ready([instanceGroup]));
    const { io } = testApplyIo();

    const created = await createDatabase(
      io,
      aws,
      { ...database.database, securityGroupId: dbGroup },
      database.password,
    );
    await addDatabaseAccess(io, aws, access.rules, { database: dbGroup });
    const available = await runUntilSettled(waitForDatabase(io, aws, created));
    expect(available.securityGroupIds).toEqual([dbGroup]);
    // A re-run plans nothing more.
    const again = await planDatabaseAccess(aws, { action: "use", ...available }, ready([instanceGroup]));
    await addDatabaseAccess(io, aws, again.rules, {});

    expect(again.rules).toEqual([]);
    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(0);
    expect(authorizations()).toHaveLength(1);
    expect(groupRules(dbGroup)).toEqual([["tcp", 3306, 3306, instanceGroup]]);
    // The default VPC's shared default group is left as it was.
    expect(groupRules(defaultGroupId)).not.toContainEqual(["tcp", 3306, 3306, instanceGroup]);
  });

  it("opens an existing database the operator chose through its own group", async () => {
    const legacyGroup = group("legacy-db");
    sim.rds.addInstance({
      DBInstanceIdentifier: "legacy-mysql",
      EngineVersion: "5.7.44",
      DBName: "catalogue",
      VpcSecurityGroupIds: [legacyGroup],
    });
    const database = await planDatabase(
      testPlanIo({
        env: { METADATA_PASSWORD: "legacy-secret" },
        settings: { setup: { database: { identifier: "legacy-mysql" } } },
      }).io,
      aws,
    );
    const access = await planDatabaseAccess(aws, database.database, ready([instanceGroup]));

    await addDatabaseAccess(testApplyIo().io, aws, access.rules, {});

    expect(groupRules(legacyGroup)).toEqual([["tcp", 3306, 3306, instanceGroup]]);
    expect(groupRules(dbGroup)).toEqual([]);
  });
});

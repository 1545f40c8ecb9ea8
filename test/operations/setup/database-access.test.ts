import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { McctlError } from "../../../src/errors.js";
import type { DatabaseResult } from "../../../src/operations/setup/database.js";
import { ensureDatabase, waitForDatabase } from "../../../src/operations/setup/database.js";
import { ensureDatabaseAccess } from "../../../src/operations/setup/database-access.js";
import type { SetupAws } from "../../../src/operations/setup/types.js";
import { setupAwsFor, testSetupIo } from "../../helpers/setup-io.js";
import { runUntilSettled } from "../../helpers/time.js";
import { createSimulatedAws, type SimulatedAws } from "../../sim/index.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const MUTATING = /^(Create|Put|Authorize|Delete|Modify|Run|Register|Update|Revoke)/;

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

function database(overrides: Partial<DatabaseResult> = {}): DatabaseResult {
  return {
    identifier: "model-catalogue",
    created: true,
    status: "available",
    endpoint: { host: "model-catalogue.abc.eu-west-1.rds.amazonaws.com", port: 3306 },
    masterUsername: "mcadmin",
    databaseName: "mc",
    securityGroupIds: [dbGroup],
    engineVersion: "5.7.44",
    ...overrides,
  };
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

describe("ensureDatabaseAccess", () => {
  it("adds one rule, TCP 3306 from the instances' group by reference, reported in one line", async () => {
    const { io, captured, lines } = testSetupIo();

    await ensureDatabaseAccess(io, aws, database(), [instanceGroup]);

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
    expect(lines).toEqual([
      {
        step: "Database access",
        state: "create",
        detail: `MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: added`,
      },
    ]);
    expect(captured.all()).toBe("");
  });

  it("adds nothing on a re-run: the rule it finds is success", async () => {
    await ensureDatabaseAccess(testSetupIo().io, aws, database(), [instanceGroup]);
    sim.clearCalls();
    const { io, lines, captured } = testSetupIo();

    await ensureDatabaseAccess(io, aws, database(), [instanceGroup]);

    expect(authorizations()).toHaveLength(0);
    expect(sim.calls.map((call) => call.command)).toEqual(["DescribeSecurityGroups"]);
    expect(lines).toEqual([
      {
        step: "Database access",
        state: "exists",
        detail: `MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: allowed already`,
      },
    ]);
    expect(captured.all()).toBe("");
    expect(groupRules(dbGroup)).toHaveLength(1);
  });

  it("counts a broader rule from that group (all traffic, a port range) as present", async () => {
    // The default group lets its own members reach every port.
    await ensureDatabaseAccess(testSetupIo().io, aws, database({ securityGroupIds: [defaultGroupId] }), [
      defaultGroupId,
    ]);
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: dbGroup,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3000, ToPort: 3999, UserIdGroupPairs: [{ GroupId: instanceGroup }] },
      ],
    });
    await ensureDatabaseAccess(testSetupIo().io, aws, database(), [instanceGroup]);

    expect(authorizations()).toHaveLength(0);
  });

  it("does not count a rule for another port or another source", async () => {
    const other = group("something-else");
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: dbGroup,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: instanceGroup }] },
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: other }] },
      ],
    });

    await ensureDatabaseAccess(testSetupIo().io, aws, database(), [instanceGroup]);

    expect(authorizations()).toHaveLength(1);
  });

  it("takes InvalidPermission.Duplicate (the rule appeared meanwhile) as success", async () => {
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
    const { io, lines, captured } = testSetupIo();

    await ensureDatabaseAccess(io, aws, database(), [instanceGroup]);

    expect(authorizations()).toHaveLength(1);
    expect(lines).toEqual([
      expect.objectContaining({ state: "exists", detail: expect.stringMatching(/: allowed already$/) }),
    ]);
    expect(captured.all()).toBe("");
  });

  it("allows each container-instance group once", async () => {
    const second = group("more-instances");

    await ensureDatabaseAccess(testSetupIo().io, aws, database(), [instanceGroup, second, instanceGroup]);

    expect(
      authorizations().map((call) => call.input.IpPermissions?.[0]?.UserIdGroupPairs?.[0]?.GroupId),
    ).toEqual([instanceGroup, second]);
  });

  it("only looks in a dry run", async () => {
    const { io, lines } = testSetupIo({ dryRun: true });

    await ensureDatabaseAccess(io, aws, database(), [instanceGroup]);

    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
    expect(lines).toEqual([
      {
        step: "Database access",
        state: "create",
        detail: `MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: would be added`,
      },
    ]);
    expect(groupRules(dbGroup)).toEqual([]);
  });

  it("plans without looking when the database or the instances' group does not exist yet (dry run)", async () => {
    const { io, lines } = testSetupIo({ dryRun: true });

    await ensureDatabaseAccess(io, aws, database({ status: "planned", securityGroupIds: [] }), []);

    expect(sim.calls).toEqual([]);
    expect(lines).toEqual([
      {
        step: "Database access",
        state: "create",
        detail:
          "MySQL (TCP 3306) into the security group of model-catalogue from the container instances' security group: would be added",
      },
    ]);
  });

  it("names the security group a new database would get when it does not exist yet (dry run)", async () => {
    const { io, lines } = testSetupIo({ dryRun: true });

    await ensureDatabaseAccess(
      io,
      aws,
      database({ status: "planned", securityGroupIds: [], plannedSecurityGroup: "model-catalogue-db" }),
      [],
    );

    expect(lines).toEqual([
      expect.objectContaining({
        detail:
          "MySQL (TCP 3306) into model-catalogue-db from the container instances' security group: would be added",
      }),
    ]);
  });

  it("fails clearly when the database's security group does not exist", async () => {
    const { io } = testSetupIo();

    const error = await ensureDatabaseAccess(
      io,
      aws,
      database({ securityGroupIds: ["sg-0123456789abcdef0"] }),
      [instanceGroup],
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(/sg-0123456789abcdef0/);
    expect(authorizations()).toHaveLength(0);
  });

  it("opens the database that ensureDatabase created to the instances, once, in its own group", async () => {
    // beforeEach made model-catalogue-db already (as a setup that stopped after it would have).
    const { io } = testSetupIo({ env: { METADATA_PASSWORD: "Str0ng-and-l0ng!" } });
    const { database: created } = await ensureDatabase(io, aws);
    const ready = await runUntilSettled(waitForDatabase(io, aws, created));
    expect(ready.securityGroupIds).toEqual([dbGroup]);

    await ensureDatabaseAccess(io, aws, ready, [instanceGroup]);
    await ensureDatabaseAccess(io, aws, ready, [instanceGroup]);

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
    const { io } = testSetupIo({
      env: { METADATA_PASSWORD: "legacy-secret" },
      settings: { setup: { database: { identifier: "legacy-mysql" } } },
    });
    const { database: existing } = await ensureDatabase(io, aws);

    await ensureDatabaseAccess(io, aws, existing, [instanceGroup]);

    expect(groupRules(legacyGroup)).toEqual([["tcp", 3306, 3306, instanceGroup]]);
    expect(groupRules(dbGroup)).toEqual([]);
  });
});

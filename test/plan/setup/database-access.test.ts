import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { DatabaseFacts } from "../../../src/domain/rds-rules.js";
import { McctlError } from "../../../src/errors.js";
import type { ComputePlan } from "../../../src/plan/setup/compute.js";
import type { CreateDatabase, DatabaseChoice } from "../../../src/plan/setup/database.js";
import { planDatabaseAccess } from "../../../src/plan/setup/database-access.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { setupAwsFor } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

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

/** An available MySQL instance that exists, as planDatabase describes it. */
function existing(overrides: Partial<DatabaseFacts> = {}): DatabaseChoice {
  return {
    action: "use",
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

/** A new instance planDatabase plans; `securityGroupId` when model-catalogue-db exists already. */
function planned(securityGroupId?: string): CreateDatabase {
  return {
    action: "create",
    identifier: "model-catalogue",
    engineVersion: "5.7.44",
    instanceClass: "db.t2.small",
    storageGiB: 20,
    masterUsername: "mcadmin",
    databaseName: "mc",
    vpcId,
    securityGroupId,
  };
}

/** What planCompute found: the container instances' groups (none: apply creates the group). */
function compute(securityGroupIds: string[]): ComputePlan {
  return {
    cluster: "default",
    createCluster: false,
    status: securityGroupIds.length > 0 ? "ready" : "launch",
    securityGroupIds,
    lines: [],
  };
}

const mutating = () => sim.calls.filter((call) => MUTATING.test(call.command));

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("planDatabaseAccess", () => {
  it("plans one rule, TCP 3306 from the instances' group by reference, in one line; only looks", async () => {
    const access = await planDatabaseAccess(aws, existing(), compute([instanceGroup]));

    expect(access).toEqual({
      rules: [{ into: { id: dbGroup }, from: { id: instanceGroup }, port: 3306 }],
      lines: [
        {
          step: "Database access",
          state: "create",
          detail: `MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}`,
        },
      ],
    });
    expect(sim.calls.map((call) => call.command)).toEqual(["DescribeSecurityGroups"]);
    expect(mutating()).toEqual([]);
    expect(sim.ec2.securityGroup(dbGroup)?.IpPermissions).toEqual([]);
  });

  it("plans nothing when the rule exists: the rule it finds is success", async () => {
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: dbGroup,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: instanceGroup }] },
      ],
    });

    const access = await planDatabaseAccess(aws, existing(), compute([instanceGroup]));

    expect(access).toEqual({
      rules: [],
      lines: [
        {
          step: "Database access",
          state: "exists",
          detail: `MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: allowed already`,
        },
      ],
    });
    expect(sim.calls.map((call) => call.command)).toEqual(["DescribeSecurityGroups"]);
  });

  it("counts a broader rule from that group (all traffic, a port range) as present, in any of the database's groups", async () => {
    // The default group lets its own members reach every port.
    const selfReferenced = await planDatabaseAccess(
      aws,
      existing({ securityGroupIds: [defaultGroupId] }),
      compute([defaultGroupId]),
    );
    expect(selfReferenced.rules).toEqual([]);

    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: dbGroup,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3000, ToPort: 3999, UserIdGroupPairs: [{ GroupId: instanceGroup }] },
      ],
    });
    const range = await planDatabaseAccess(
      aws,
      existing({ securityGroupIds: [defaultGroupId, dbGroup] }),
      compute([instanceGroup]),
    );
    expect(range.rules).toEqual([]);
    expect(range.lines).toEqual([
      expect.objectContaining({
        state: "exists",
        detail: `MySQL (TCP 3306) into ${dbGroup} from ${instanceGroup}: allowed already`,
      }),
    ]);
  });

  it("does not count a rule for another port, another source or an address range", async () => {
    const other = group("something-else");
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId: dbGroup,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: instanceGroup }] },
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: other }] },
        { IpProtocol: "udp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: instanceGroup }] },
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    });

    const access = await planDatabaseAccess(aws, existing(), compute([instanceGroup]));

    expect(access.rules).toEqual([{ into: { id: dbGroup }, from: { id: instanceGroup }, port: 3306 }]);
  });

  it("allows each container-instance group, into the database's first group, on the port of its endpoint", async () => {
    const second = group("more-instances");
    const legacy = group("legacy-db");

    const access = await planDatabaseAccess(
      aws,
      existing({ securityGroupIds: [legacy, dbGroup], endpoint: { host: "db.example", port: 3307 } }),
      compute([instanceGroup, second]),
    );

    expect(access.rules).toEqual([
      { into: { id: legacy }, from: { id: instanceGroup }, port: 3307 },
      { into: { id: legacy }, from: { id: second }, port: 3307 },
    ]);
    expect(access.lines.map((line) => line.detail)).toEqual([
      `MySQL (TCP 3307) into ${legacy} from ${instanceGroup}`,
      `MySQL (TCP 3307) into ${legacy} from ${second}`,
    ]);
  });

  it("plans without looking when neither the database's group nor the instances' group exists yet", async () => {
    const access = await planDatabaseAccess(aws, planned(), compute([]));

    expect(sim.calls).toEqual([]);
    expect(access).toEqual({
      rules: [{ into: { planned: "database" }, from: { planned: "instances" }, port: 3306 }],
      lines: [
        {
          step: "Database access",
          state: "create",
          detail: "MySQL (TCP 3306) into the new database group from the new instances' group",
        },
      ],
    });
  });

  it("names the group a new database gets when model-catalogue-db exists already", async () => {
    const access = await planDatabaseAccess(aws, planned(dbGroup), compute([]));

    expect(access.rules).toEqual([{ into: { id: dbGroup }, from: { planned: "instances" }, port: 3306 }]);
    expect(access.lines).toEqual([
      {
        step: "Database access",
        state: "create",
        detail: `MySQL (TCP 3306) into ${dbGroup} from the new instances' group`,
      },
    ]);
    expect(mutating()).toEqual([]);
  });

  it("plans nothing for a database that is no RDS instance here", async () => {
    const access = await planDatabaseAccess(
      aws,
      { action: "external", host: "db.example.org", databaseName: "mc" },
      compute([instanceGroup]),
    );

    expect(access).toEqual({ rules: [], lines: [] });
    expect(sim.calls).toEqual([]);
  });

  it("fails clearly when the database's security group does not exist", async () => {
    const error = await failure(
      planDatabaseAccess(
        aws,
        existing({ securityGroupIds: ["sg-0123456789abcdef0"] }),
        compute([instanceGroup]),
      ),
    );

    expect(error.message).toBe("security group sg-0123456789abcdef0 of the MySQL instance was not found");
    expect(mutating()).toEqual([]);
  });

  it("fails clearly when an existing database has no VPC security group", async () => {
    const error = await failure(
      planDatabaseAccess(aws, existing({ securityGroupIds: [] }), compute([instanceGroup])),
    );

    expect(error.message).toBe("MySQL instance model-catalogue has no VPC security group");
    expect(error.suggestion).toContain("RDS console");
  });
});

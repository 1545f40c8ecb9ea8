import {
  AccessDeniedException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallerAuthorization } from "../../../src/sandbox/sim/authorization.js";
import { ec2Authorization } from "../../../src/sandbox/sim/authorization-ec2.js";
import { ecsAuthorization } from "../../../src/sandbox/sim/authorization-ecs.js";
import { iamAuthorization, stsAuthorization } from "../../../src/sandbox/sim/authorization-iam.js";
import { logsAuthorization } from "../../../src/sandbox/sim/authorization-logs.js";
import { rdsAuthorization } from "../../../src/sandbox/sim/authorization-rds.js";
import { s3Authorization } from "../../../src/sandbox/sim/authorization-s3.js";
import { ssmAuthorization } from "../../../src/sandbox/sim/authorization-ssm.js";
import { ec2Commands } from "../../../src/sandbox/sim/ec2.js";
import { ecsCommands } from "../../../src/sandbox/sim/ecs-commands.js";
import { iamCommands } from "../../../src/sandbox/sim/iam.js";
import { logsCommands } from "../../../src/sandbox/sim/logs.js";
import { rdsCommands } from "../../../src/sandbox/sim/rds.js";
import { s3Commands } from "../../../src/sandbox/sim/s3.js";
import { ssmCommands } from "../../../src/sandbox/sim/ssm.js";
import { stsCommands } from "../../../src/sandbox/sim/sts.js";
import { allow, policy, refusal } from "../../helpers/policies.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import {
  mcServiceInput,
  mcTaskDefinition,
  seedEmptyAccount,
  seedMcCluster,
} from "../../helpers/sim-fixtures.js";

const ACCOUNT = "123456789012";
const USER = `arn:aws:iam::${ACCOUNT}:user/test`;
const CLUSTER_MC = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/mc`;
const ECS_LINKED_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;

let sim: SimulatedAws;
let ecs: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws();
  sim.install();
  ecs = new ECSClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

describe("enforcement", () => {
  it("is off by default: every call is answered as before and nothing is recorded", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "mc", tags: [{ key: "app", value: "mc" }] }));
    await ecs.send(new DeleteClusterCommand({ cluster: "mc" }));
    expect(sim.authorizations).toEqual([]);
    expect(sim.iam.role("AWSServiceRoleForECS")).toBeUndefined();
  });

  it("authorizes every call once policies are set, and stops when they are taken away", async () => {
    sim.setCallerPolicies([policy(allow("ecs:DescribeClusters", CLUSTER_MC))]);
    await ecs.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    const denied = await refusal(ecs.send(new DescribeClustersCommand({ clusters: ["other"] })));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    sim.setCallerPolicies(undefined);
    await ecs.send(new DescribeClustersCommand({ clusters: ["other"] }));
    expect(sim.authorizations.map((record) => [record.resource, record.allowed])).toEqual([
      [CLUSTER_MC, true],
      [`arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/other`, false],
    ]);
  });

  it("takes the policies at creation, as JSON text too, and rejects what IAM rejects", async () => {
    const text = JSON.stringify(policy(allow("ecs:CreateCluster"), allow("iam:CreateServiceLinkedRole")));
    const enforced = createSimulatedAws({ callerPolicies: text });
    sim.restore();
    enforced.install();
    try {
      await ecs.send(new CreateClusterCommand({ clusterName: "mc" }));
      await expect(ecs.send(new DeleteClusterCommand({ cluster: "mc" }))).rejects.toBeInstanceOf(
        AccessDeniedException,
      );
    } finally {
      enforced.restore();
    }
    expect(() => sim.setCallerPolicies("{not json")).toThrow("This policy contains invalid Json");
    const withPrincipal = { Statement: [{ ...allow("ecs:*"), Principal: "*" }] };
    expect(() => sim.setCallerPolicies([withPrincipal])).toThrow(
      "Policy document should not specify a principal.",
    );
  });

  it("refuses before the simulator acts: a denied CreateCluster creates nothing", async () => {
    sim.setCallerPolicies([policy(allow("ecs:DescribeClusters"))]);
    const denied = await refusal(ecs.send(new CreateClusterCommand({ clusterName: "mc" })));
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: ecs:CreateCluster on resource: ${CLUSTER_MC} because no identity-based policy allows the ecs:CreateCluster action`,
    );
    const { clusters = [] } = await ecs.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    expect(clusters).toEqual([]);
  });

  it("refuses before faults: a denied call leaves an injected fault for the next allowed call", async () => {
    sim.setCallerPolicies([policy(allow("ecs:DescribeClusters", CLUSTER_MC))]);
    sim.faults.inject({ service: "ECS", command: "DescribeClusters", error: "throttling" });
    const denied = await refusal(ecs.send(new DescribeClustersCommand({ clusters: ["other"] })));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    const throttled = await refusal(ecs.send(new DescribeClustersCommand({ clusters: ["mc"] })));
    expect(throttled.name).toBe("ThrottlingException");
  });

  it("is loud about a command its table does not know", () => {
    const authorization = new CallerAuthorization({
      context: { accountId: ACCOUNT, region: "eu-west-1", principalArn: USER } as never,
      env: {} as never,
      tables: { ECS: {} },
      profiles: new Map(),
    });
    expect(authorization.authorize({ service: "ECS", command: "RunTask", input: {} })).toBeTypeOf("function");
    authorization.setCallerPolicies([policy(allow("*"))]);
    expect(() => authorization.authorize({ service: "ECS", command: "RunTask", input: {} })).toThrow(
      "simulated IAM does not know what ECS:RunTask needs",
    );
  });

  it("knows what every command the simulator implements needs", () => {
    const services = [
      ["ECS", ecsCommands, ecsAuthorization],
      ["EC2", ec2Commands, ec2Authorization],
      ["S3", s3Commands, s3Authorization],
      ["RDS", rdsCommands, rdsAuthorization],
      ["STS", stsCommands, stsAuthorization],
      ["IAM", iamCommands, iamAuthorization],
      ["SSM", ssmCommands, ssmAuthorization],
      ["CloudWatchLogs", logsCommands, logsAuthorization],
    ] as const;
    const missing = services.flatMap(([service, commands, table]) =>
      Object.keys(commands)
        .filter((command) => !(command in table))
        .map((command) => `${service}:${command}`),
    );
    expect(missing).toEqual([]);
  });
});

describe("IAM's evaluation", () => {
  it("lets an explicit Deny win over any Allow, in its own wording", async () => {
    sim.ecs.addCluster("mc");
    sim.setCallerPolicies([
      policy(allow("ecs:*")),
      policy({ Sid: "NoDeletes", Effect: "Deny", Action: "ecs:Delete*", Resource: "*" }),
    ]);
    await ecs.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    const denied = await refusal(ecs.send(new DeleteClusterCommand({ cluster: "mc" })));
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: ecs:DeleteCluster on resource: ${CLUSTER_MC} with an explicit deny in an identity-based policy`,
    );
    expect(sim.authorizations.at(-1)).toMatchObject({
      action: "ecs:DeleteCluster",
      allowed: false,
      decision: "explicit-deny",
      matchedStatement: { policy: 1, statement: 0, sid: "NoDeletes" },
    });
  });

  it("understands NotAction and NotResource", async () => {
    sim.ecs.addCluster("mc");
    sim.ecs.addCluster("prod");
    sim.setCallerPolicies([
      policy(
        { Effect: "Allow", NotAction: "ecs:Delete*", Resource: "*" },
        { Effect: "Allow", Action: "ecs:DeleteCluster", NotResource: `arn:aws:ecs:*:*:cluster/prod` },
      ),
    ]);
    await ecs.send(new DescribeClustersCommand({ clusters: ["prod"] }));
    await ecs.send(new DeleteClusterCommand({ cluster: "mc" }));
    const denied = await refusal(ecs.send(new DeleteClusterCommand({ cluster: "prod" })));
    expect(denied.message).toContain(
      "ecs:DeleteCluster on resource: arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
    );
  });
});

describe("ECS", () => {
  const createAndLinkedRole = [
    allow("ecs:CreateCluster"),
    allow("iam:CreateServiceLinkedRole", ECS_LINKED_ROLE),
  ];

  it("needs ecs:TagResource, for that create action, when a cluster is created with tags", async () => {
    const tags = [{ key: "app", value: "mc" }];
    sim.setCallerPolicies([policy(...createAndLinkedRole)]);
    const denied = await refusal(ecs.send(new CreateClusterCommand({ clusterName: "mc", tags })));
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: ecs:TagResource on resource: ${CLUSTER_MC} because no identity-based policy allows the ecs:TagResource action`,
    );
    const tagOnCreate = (action: string) =>
      allow("ecs:TagResource", "*", { StringEquals: { "ecs:CreateAction": action } });
    sim.setCallerPolicies([policy(...createAndLinkedRole, tagOnCreate("CreateService"))]);
    await expect(ecs.send(new CreateClusterCommand({ clusterName: "mc", tags }))).rejects.toBeInstanceOf(
      AccessDeniedException,
    );
    sim.setCallerPolicies([policy(...createAndLinkedRole, tagOnCreate("CreateCluster"))]);
    await ecs.send(new CreateClusterCommand({ clusterName: "mc", tags }));
    // Without tags, ecs:TagResource is not evaluated at all.
    sim.setCallerPolicies([policy(...createAndLinkedRole)]);
    await ecs.send(new CreateClusterCommand({ clusterName: "other" }));
  });

  it("creates its service-linked role on the account's first cluster only, when the caller may", async () => {
    seedEmptyAccount(sim);
    sim.setCallerPolicies([
      policy(
        allow("ecs:CreateCluster"),
        allow("iam:CreateServiceLinkedRole", "arn:aws:iam::*:role/aws-service-role/ecs.amazonaws.com/*", {
          StringEquals: { "iam:AWSServiceName": "ecs.amazonaws.com" },
        }),
      ),
    ]);
    await ecs.send(new CreateClusterCommand({ clusterName: "mc" }));
    await ecs.send(new CreateClusterCommand({ clusterName: "other" }));
    expect(sim.authorizations.map((record) => [record.command, record.action, record.allowed])).toEqual([
      ["CreateCluster", "ecs:CreateCluster", true],
      ["CreateCluster", "iam:CreateServiceLinkedRole", true],
      ["CreateCluster", "ecs:CreateCluster", true],
    ]);
    expect(sim.iam.role("AWSServiceRoleForECS")?.arn).toBe(ECS_LINKED_ROLE);
  });

  it("without iam:CreateServiceLinkedRole: the cluster is created, the first service is refused as ECS refuses it", async () => {
    seedMcCluster(sim, { cluster: "seeded" });
    sim.setCallerPolicies([policy(allow(["ecs:CreateCluster", "ecs:CreateService"]))]);
    await ecs.send(new CreateClusterCommand({ clusterName: "mc" }));
    expect(sim.authorizations.at(-1)).toMatchObject({
      action: "iam:CreateServiceLinkedRole",
      resource: ECS_LINKED_ROLE,
      allowed: false,
      proceeded: true,
    });
    const refused = await refusal(ecs.send(new CreateServiceCommand(mcServiceInput({ cluster: "seeded" }))));
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect(refused.message).toBe(
      "Unable to assume the service linked role. Please verify that the ECS service linked role exists.",
    );
    expect(sim.ecs.tasks()).toEqual([]);
  });

  it("needs iam:PassRole, passed to ecs-tasks.amazonaws.com, for the execution role of a task definition", async () => {
    const role = sim.iam.addRole("mc-execution");
    const definition = { ...mcTaskDefinition(), executionRoleArn: role.arn };
    sim.setCallerPolicies([policy(allow("ecs:RegisterTaskDefinition"))]);
    const denied = await refusal(ecs.send(new RegisterTaskDefinitionCommand(definition)));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toBe(
      `User: ${USER} is not authorized to perform: iam:PassRole on resource: ${role.arn} because no identity-based policy allows the iam:PassRole action`,
    );
    const passTo = (service: string) =>
      allow("iam:PassRole", role.arn, { StringEquals: { "iam:PassedToService": service } });
    sim.setCallerPolicies([policy(allow("ecs:RegisterTaskDefinition"), passTo("ec2.amazonaws.com"))]);
    await expect(ecs.send(new RegisterTaskDefinitionCommand(definition))).rejects.toBeInstanceOf(
      AccessDeniedException,
    );
    sim.setCallerPolicies([
      policy(
        allow("ecs:RegisterTaskDefinition", `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/mc:*`),
        passTo("ecs-tasks.amazonaws.com"),
      ),
    ]);
    const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(definition));
    expect(taskDefinition?.revision).toBe(1);
    expect(sim.authorizations.at(-2)?.resource).toBe(`arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/mc:1`);
  });

  it("scopes a service's actions to the service's ARN and names the cluster in ecs:cluster", async () => {
    seedMcCluster(sim);
    sim.iam.addRole("AWSServiceRoleForECS", {
      path: "/aws-service-role/ecs.amazonaws.com/",
      trustedService: "ecs.amazonaws.com",
    });
    sim.setCallerPolicies([
      policy(allow("ecs:CreateService", "*", { ArnEquals: { "ecs:cluster": CLUSTER_MC } })),
    ]);
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    expect(sim.authorizations).toEqual([
      expect.objectContaining({
        action: "ecs:CreateService",
        resource: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/mc/mc`,
        context: { "ecs:cluster": CLUSTER_MC },
        allowed: true,
      }),
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { buildTaskDefinition, DEFAULT_TASK_SETTINGS } from "../../src/domain/task-definition.js";
import { McctlError } from "../../src/errors.js";
import { checkRevisionPlacement } from "../../src/plan/placement.js";
import { addMcHost } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const EXECUTION_ROLE_AWSLOGS = "ecs.capability.execution-role-awslogs";
const revision = buildTaskDefinition(
  DEFAULT_TASK_SETTINGS,
  { METADATA_HOST: "mc.example.org", METADATA_PASSWORD: "x" },
  {
    executionRoleArn: "arn:aws:iam::123456789012:role/exec",
    valueFrom: (name) => `arn:aws:ssm:eu-west-1:123456789012:parameter/mc/${name}`,
  },
);
const request = { cluster: "mc", what: "the new revision" };

const sim = useSimulatedAws();

describe("checkRevisionPlacement", () => {
  it("nothing to judge before setup: no cluster, or no ACTIVE instance in it", async () => {
    const ecs = createEcsApi(config);
    expect(await checkRevisionPlacement(ecs, revision, request)).toEqual([]);
    sim.ecs.addCluster("mc");
    expect(await checkRevisionPlacement(ecs, revision, request)).toEqual([]);
    addMcHost(sim, "mc", { status: "DRAINING", withoutAttributes: [EXECUTION_ROLE_AWSLOGS] });
    expect(await checkRevisionPlacement(ecs, revision, request)).toEqual([]);
  });

  it("refuses when every ACTIVE instance lacks something, naming each and the fixes once", async () => {
    sim.ecs.addCluster("mc");
    const small = addMcHost(sim, "mc", { instanceType: "t3.medium", cpu: 2048, memoryMiB: 3800 }).instance;
    const own = addMcHost(sim, "mc", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] }).instance;

    const error = await checkRevisionPlacement(createEcsApi(config), revision, request).catch(
      (caught: unknown) => caught as McctlError,
    );

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      `no container instance in cluster mc could ever run the new revision: ${small.InstanceId} (t3.medium): 2048 of 3072 CPU units registered, 3800 of 14336 MiB memory registered; ${own.InstanceId} (m5.xlarge): lacks the attribute ${EXECUTION_ROLE_AWSLOGS} (awslogs through the execution role)`,
    );
    expect((error as McctlError).suggestion).toBe(
      "Set ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true in /etc/ecs/ecs.config and restart the ECS agent (ecs-init on the ECS-optimized AMI sets it); " +
        "add a larger container instance to mc (such as m5.xlarge: 4 vCPUs, 16 GiB) or give the containers less CPU or memory in mcctl.json, then run the command again; nothing was changed.",
    );
  });

  it("the instances given (setup's reused one) are judged, not the whole cluster", async () => {
    sim.ecs.addCluster("mc");
    addMcHost(sim, "mc", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] });
    const good = addMcHost(sim, "mc").containerInstance;
    expect(
      await checkRevisionPlacement(createEcsApi(config), revision, { ...request, instances: [good] }),
    ).toEqual([]);
  });
});

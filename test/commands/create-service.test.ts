import { describe, expect, it, vi } from "vitest";
import { CreateServiceOptionsSchema, runCreateService } from "../../src/commands/create-service.js";
import { McctlError, MissingInputError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();

function readyAccount() {
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0123456789abcdef0" });
  sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
}

const yes = () => testContext({ options: { yes: true } });

async function expectFailure(promise: Promise<unknown>, pattern: RegExp): Promise<McctlError> {
  const error = await runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  expect((error as McctlError).message).toMatch(pattern);
  expect(sim.callsOf("CreateService")).toHaveLength(0);
  return error as McctlError;
}

describe("create-service", () => {
  it("creates the service from the latest revision with min 0% / max 100% and waits until steady", async () => {
    readyAccount();
    sim.ecs.registerTaskDefinition(
      mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.1" }),
    );
    const context = yes();
    const result = await runUntilSettled(runCreateService(context, CreateServiceOptionsSchema.parse({})));

    expect(result).toMatchObject({ steady: true, service: "mc", taskDefinition: "model-catalogue:2" });
    const [call] = sim.callsOf("CreateService");
    expect(call?.input).toMatchObject({
      cluster: "default",
      serviceName: "mc",
      desiredCount: 1,
      launchType: "EC2",
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
    expect(call?.input.taskDefinition).toMatch(/model-catalogue:2$/);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
    // New service events are shown as they arrive.
    expect(context.captured.stderr()).toMatch(/event: \(service mc\) has started 1 tasks/);
    expect(context.captured.stdout()).toContain("(steady)");
  });

  it("uses --task-definition when given", async () => {
    readyAccount();
    sim.ecs.registerTaskDefinition(
      mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.1" }),
    );
    await runUntilSettled(
      runCreateService(
        yes(),
        CreateServiceOptionsSchema.parse({ taskDefinition: "model-catalogue:1", wait: false }),
      ),
    );
    expect(sim.callsOf("CreateService")[0]?.input.taskDefinition).toMatch(/model-catalogue:1$/);
  });

  it("with --dry-run checks everything but creates nothing", async () => {
    readyAccount();
    const context = testContext({ json: true });
    const result = await runUntilSettled(
      runCreateService(context, CreateServiceOptionsSchema.parse({ dryRun: true })),
    );
    expect(result).toMatchObject({ dryRun: true });
    expect(sim.callsOf("CreateService")).toHaveLength(0);
    // The dry run's --json result holds the service ECS would be asked for.
    expect(JSON.parse(context.captured.stdout())).toMatchObject({
      dryRun: true,
      createService: { serviceName: "mc", desiredCount: 1 },
    });
  });

  it("with --dry-run prints the numbered steps and says once that nothing changed", async () => {
    readyAccount();
    const context = testContext();
    await runUntilSettled(runCreateService(context, CreateServiceOptionsSchema.parse({ dryRun: true })));
    expect(context.captured.stderr()).toMatch(/1\. create service mc from model-catalogue:1, then wait/);
    expect(context.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    expect(sim.callsOf("CreateService")).toHaveLength(0);
  });

  it("refuses to run without a terminal or --yes, before calling AWS", async () => {
    readyAccount();
    await expect(
      runCreateService(testContext(), CreateServiceOptionsSchema.parse({})),
    ).rejects.toBeInstanceOf(MissingInputError);
    expect(sim.calls).toHaveLength(0);
  });

  describe("preflight", () => {
    it("fails when the cluster does not exist", async () => {
      await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /ECS cluster default does not exist/,
      );
    });

    it("fails when the cluster is INACTIVE", async () => {
      sim.ecs.addCluster("default", { status: "INACTIVE" });
      await expectFailure(runCreateService(yes(), CreateServiceOptionsSchema.parse({})), /is INACTIVE/);
    });

    it("fails when the family has no revision, pointing to register-task", async () => {
      sim.ecs.addCluster("default");
      sim.ecs.addContainerInstance("default");
      const error = await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /model-catalogue has no ACTIVE revision/,
      );
      expect(error.suggestion).toContain("mcctl register-task");
    });

    it("fails when no container instance is registered", async () => {
      sim.ecs.addCluster("default");
      sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
      await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /no container instance is registered in cluster default/,
      );
    });

    it("fails when no instance could ever hold the task, naming what each registered", async () => {
      sim.ecs.addCluster("default");
      sim.ecs.addContainerInstance("default", {
        ec2InstanceId: "i-small",
        instanceType: "m5.large",
        memoryMiB: 7680,
        cpu: 2048,
      });
      sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
      const error = await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /^no container instance in cluster default could ever run model-catalogue:1: /,
      );
      expect(error.message).toContain(
        "i-small (m5.large): 2048 of 3072 CPU units registered, 7680 of 14336 MiB memory registered",
      );
      expect(error.suggestion).toMatch(/^Add a larger container instance to default \(such as m5\.xlarge/);
      expect(sim.callsOf("CreateService")).toHaveLength(0);
    });

    it("fails when the instance itself reserves port 80", async () => {
      sim.ecs.addCluster("default");
      sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-busy", reservedPorts: [22, 80] });
      sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
      await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /i-busy \(m5\.xlarge\): port 80 reserved by the instance/,
      );
    });

    it("fails when another task holds what the instance has now, naming what is free", async () => {
      readyAccount();
      sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "other", hostPort: 8080 }));
      sim.ecs.createService(
        mcServiceInput({ cluster: "default", serviceName: "other", taskDefinition: "other" }),
      );
      await vi.advanceTimersByTimeAsync(12_000);
      await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /no container instance in default can run the task .*: \S+: 1024 of 3072 CPU units free/,
      );
    });

    it("fails when no instance registered an attribute the revision requires, naming it and the fix", async () => {
      sim.ecs.addCluster("default");
      sim.ecs.addContainerInstance("default", {
        ec2InstanceId: "i-own",
        withoutAttributes: ["ecs.capability.execution-role-awslogs"],
      });
      sim.iam.addRole("exec");
      sim.ecs.registerTaskDefinition({
        ...mcTaskDefinition({ family: "model-catalogue" }),
        executionRoleArn: "arn:aws:iam::123456789012:role/exec",
        containerDefinitions: mcTaskDefinition().containerDefinitions?.map((container) => ({
          ...container,
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/model-catalogue" } },
        })),
      });
      const error = await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /could ever run model-catalogue:1: i-own \(m5\.xlarge\): lacks the attribute ecs\.capability\.execution-role-awslogs \(awslogs through the execution role\)$/,
      );
      expect(error.suggestion).toContain("ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true");
      expect(sim.callsOf("CreateService")).toHaveLength(0);
    });

    it("fails when the service already exists, pointing to upgrade and restart", async () => {
      readyAccount();
      sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
      const error = await expectFailure(
        runCreateService(yes(), CreateServiceOptionsSchema.parse({})),
        /service mc already exists in cluster default/,
      );
      expect(error.suggestion).toMatch(/mcctl upgrade.*mcctl restart/);
    });
  });

  it("stops waiting when tasks keep failing to start, with the reason and advice", async () => {
    readyAccount();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      times: Number.POSITIVE_INFINITY,
    });
    const error = await runUntilSettled(runCreateService(yes(), CreateServiceOptionsSchema.parse({}))).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(/deployment of mc is failing: CannotPullContainerError/);
    expect((error as McctlError).suggestion).toMatch(/image could not be pulled/);
  });

  it("times out with the state it saw and exit code 1", async () => {
    readyAccount();
    sim.ecs.setTimings({ pendingMs: 30 * 60_000 });
    const error = await runUntilSettled(
      runCreateService(yes(), CreateServiceOptionsSchema.parse({ timeout: "2m" })),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(
      /timed out after 2m 00s waiting for service mc to become steady \(last seen: 1 task starting \(PENDING\), 0 of 1 running/,
    );
    expect((error as McctlError).exitCode).toBe(1);
  });

  it("rides out throttling while waiting", async () => {
    readyAccount();
    // The first DescribeServices is the preflight; the next ones are the wait.
    sim.faults.inject({
      service: "ECS",
      command: "DescribeServices",
      error: "throttling",
      times: 3,
      after: 1,
    });
    sim.faults.inject({ service: "ECS", command: "ListTasks", error: "connection-reset", after: 2 });
    const result = await runUntilSettled(runCreateService(yes(), CreateServiceOptionsSchema.parse({})));
    expect(result).toMatchObject({ steady: true });
  });
});

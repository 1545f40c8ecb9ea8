import { describe, expect, it, vi } from "vitest";
import { runStatus } from "../../src/commands/status.js";
import { McctlError } from "../../src/errors.js";
import type { StatusReport } from "../../src/queries/status.js";
import { imageIdFor } from "../../src/sandbox/sim/ec2-model.js";
import { testContext } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const INSTANCE = "i-0123456789abcdef0";
const PUBLIC_DNS = "ec2-54-170-1-10.eu-west-1.compute.amazonaws.com";
const PASSWORD = "db-pass-do-not-print";

const sim = useSimulatedAws();

function modelCatalogue(image = "metadata/registry:2") {
  const definition = mcTaskDefinition({ family: "model-catalogue", image });
  const mc = definition.containerDefinitions?.[0];
  if (mc) {
    mc.environment = [
      { name: "METADATA_HOST", value: "catalogue.example.com" },
      { name: "METADATA_SCHEME", value: "https" },
      { name: "METADATA_USERNAME", value: "mc" },
      { name: "METADATA_PASSWORD", value: PASSWORD },
    ];
  }
  return sim.ecs.registerTaskDefinition(definition);
}

/** Cluster `default` with one instance on EC2, the service running one task for `settleMs`. */
async function runningService(settleMs = 60_000) {
  sim.ecs.addCluster("default");
  addMcHost(sim, "default", {
    instanceId: INSTANCE,
    publicDnsName: PUBLIC_DNS,
    privateIpAddress: "10.0.1.10",
  });
  modelCatalogue();
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(settleMs);
  sim.clearCalls();
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("status", () => {
  it("prints cluster, service, revision and images, URLs, deployments, tasks, instances and events", async () => {
    await runningService();
    const context = testContext();
    await runStatus(context, {});
    expect(context.captured.stdout()).toMatchInlineSnapshot(`
      "Cluster      default (ACTIVE, 1 container instance)
      Service      mc ACTIVE: desired 1, running 1, pending 0
      Revision     model-catalogue:1
                   mc     metadata/registry:2
                   mc-es  metadata/registry-elasticsearch:2
      App URL      https://catalogue.example.com/
      On instance  http://ec2-54-170-1-10.eu-west-1.compute.amazonaws.com/
      Secrets      PLAIN TEXT in the task definition: METADATA_PASSWORD (\`mcctl register-task\` moves them to SSM)
      Logs         on the instance (syslog / json-file): ssh to it; \`mcctl register-task\` moves them to CloudWatch Logs
      Health       OK

      Deployments
        PRIMARY  model-catalogue:1  COMPLETED  running 1/1, pending 0, failed 0  since 2026-11-25T03:00:00Z (1m 00s ago)

      Tasks
        84f67a80419f3e07f12b63e80365dfd4  RUNNING  model-catalogue:1  started 2026-11-25T03:00:11Z (49s ago)
          on i-0123456789abcdef0 (ec2-54-170-1-10.eu-west-1.compute.amazonaws.com), container instance 1a0ced8360dfbc3aa773616f506dfcfb
          containers: mc RUNNING, mc-es RUNNING

      Container instances
        i-0123456789abcdef0  ACTIVE, agent connected, m5.xlarge  ec2-54-170-1-10.eu-west-1.compute.amazonaws.com
          free 1024 of 4096 CPU units, 1024 of 15360 MiB; 1 running, 0 pending; container instance 1a0ced8360dfbc3aa773616f506dfcfb

      Events (last 3, newest first)
        2026-11-25T03:00:11Z  (service mc) has reached a steady state.
        2026-11-25T03:00:11Z  (service mc) (deployment ecs-svc/2679953086728023325) deployment completed.
        2026-11-25T03:00:01Z  (service mc) has started 1 tasks: (task 84f67a80419f3e07f12b63e80365dfd4).
      "
    `);
    // The only warning: the fixture's revision holds the password in plain text, as older mcctl did.
    expect(context.captured.stderr()).toBe(
      "⚠ model-catalogue:1 holds METADATA_PASSWORD in plain text, readable by anyone allowed ecs:DescribeTaskDefinition: `mcctl register-task` moves them to SSM\n",
    );
  });

  it("--json prints the same facts for machines", async () => {
    await runningService();
    const context = testContext({ json: true });
    await runStatus(context, {});
    const report = JSON.parse(context.captured.stdout()) as StatusReport;
    const [task] = sim.ecs.tasks({ serviceName: "mc" });
    expect(report).toMatchObject({
      checkedAt: "2026-11-25T03:01:00.000Z",
      cluster: { name: "default", status: "ACTIVE", containerInstances: 1 },
      service: {
        name: "mc",
        status: "ACTIVE",
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        taskDefinition: "model-catalogue:1",
      },
      containers: [
        { name: "mc", image: "metadata/registry:2" },
        { name: "mc-es", image: "metadata/registry-elasticsearch:2" },
      ],
      deployments: [{ status: "PRIMARY", taskDefinition: "model-catalogue:1", rolloutState: "COMPLETED" }],
      tasks: [
        {
          taskArn: task?.taskArn,
          lastStatus: "RUNNING",
          ec2InstanceId: INSTANCE,
          publicDnsName: PUBLIC_DNS,
          privateIpAddress: "10.0.1.10",
        },
      ],
      containerInstances: [
        {
          ec2InstanceId: INSTANCE,
          cpu: { free: 1024, registered: 4096 },
          memoryMiB: { free: 1024, registered: 15360 },
          runningTasks: 1,
          publicDnsName: PUBLIC_DNS,
        },
      ],
      urls: { app: "https://catalogue.example.com/", instances: [`http://${PUBLIC_DNS}/`] },
      problems: [],
      healthy: true,
      secrets: { ssm: [], plain: ["METADATA_PASSWORD"] },
      // The fixture's revision is one an older mcctl registered, its password in plain text.
      warnings: [expect.stringContaining("model-catalogue:1 holds METADATA_PASSWORD in plain text")],
    });
    expect(report.events.map((event) => event.message)).toEqual([
      "(service mc) has reached a steady state.",
      expect.stringMatching(/deployment completed/),
      expect.stringMatching(/has started 1 tasks/),
    ]);
    expect(report.events[0]?.at).toBe("2026-11-25T03:00:11.000Z");
  });

  it("shows at most the last 10 events", async () => {
    await runningService();
    for (let i = 0; i < 6; i++) {
      sim.ecs.updateService({ cluster: "default", service: "mc", forceNewDeployment: true });
      await vi.advanceTimersByTimeAsync(60_000);
    }
    const context = testContext({ json: true });
    const report = await runStatus(context, {});
    expect(report.events).toHaveLength(10);
    expect(report.events[0]?.message).toBe("(service mc) has reached a steady state.");
  });

  it("never prints environment values other than the host and scheme of the URL", async () => {
    await runningService();
    for (const json of [false, true]) {
      const context = testContext({ json });
      await runStatus(context, {});
      expect(context.captured.all()).toContain("catalogue.example.com");
      expect(context.captured.all()).not.toContain(PASSWORD);
      expect(context.captured.all()).not.toContain("METADATA_USERNAME");
    }
  });

  it("reads and changes nothing: only Describe and List calls", async () => {
    await runningService();
    await runStatus(testContext(), { check: true });
    const commands = new Set(sim.calls.map((call) => `${call.service}:${call.command}`));
    expect([...commands].sort()).toEqual([
      "EC2:DescribeImages",
      "EC2:DescribeInstances",
      "ECS:DescribeClusters",
      "ECS:DescribeContainerInstances",
      "ECS:DescribeServices",
      "ECS:DescribeTaskDefinition",
      "ECS:DescribeTasks",
      "ECS:ListContainerInstances",
      "ECS:ListTasks",
    ]);
  });

  describe("--check", () => {
    it("returns normally when every desired task runs and one deployment is left", async () => {
      await runningService();
      const context = testContext();
      await expect(runStatus(context, { check: true })).resolves.toMatchObject({ healthy: true });
      expect(context.captured.stdout()).toContain("Health       OK");
    });

    it("prints the status, then fails with exit 1 when fewer tasks run than desired", async () => {
      sim.ecs.scriptTaskFailure({
        ...taskFailures.cannotPullImage("metadata/registry:2"),
        times: Number.POSITIVE_INFINITY,
      });
      await runningService(30_000);
      const context = testContext();
      const error = await failure(runStatus(context, { check: true }));
      expect(error.exitCode).toBe(1);
      expect(error.message).toMatch(
        /^mc is not healthy: running 0 of 1 tasks \(last failed task: CannotPullContainerError/,
      );
      expect(error.suggestion).toMatch(/events and the last failed task/);
      expect(context.captured.stdout()).toMatch(/Health {7}NOT OK: running 0 of 1 tasks/);
      expect(context.captured.stdout()).toMatch(
        /last failed: [0-9a-f]{32} stopped .*CannotPullContainerError/,
      );
    });

    it("fails while more than one deployment is active, also with --json", async () => {
      await runningService();
      sim.ecs.setTimings({ stoppingMs: 5 * 60_000 });
      const revision2 = modelCatalogue("metadata/registry:2.1");
      sim.ecs.updateService({
        cluster: "default",
        service: "mc",
        taskDefinition: revision2.taskDefinition?.taskDefinitionArn,
      });
      await vi.advanceTimersByTimeAsync(10_000);
      const context = testContext({ json: true });
      const error = await failure(runStatus(context, { check: true }));
      expect(error.message).toContain("2 deployments active");
      const report = JSON.parse(context.captured.stdout()) as StatusReport;
      expect(report.healthy).toBe(false);
      expect(report.problems).toEqual([
        "running 0 of 1 tasks",
        "2 deployments active: a deployment has not finished",
      ]);
      expect(report.deployments.map((d) => [d.status, d.taskDefinition])).toEqual([
        ["PRIMARY", "model-catalogue:2"],
        ["ACTIVE", "model-catalogue:1"],
      ]);
      expect(report.tasks).toEqual([
        expect.objectContaining({
          lastStatus: "STOPPING",
          desiredStatus: "STOPPED",
          taskDefinition: "model-catalogue:1",
        }),
      ]);
    });

    it("without --check an unhealthy service is only reported", async () => {
      await runningService();
      sim.ecs.updateService({ cluster: "default", service: "mc", desiredCount: 2 });
      await vi.advanceTimersByTimeAsync(60_000);
      const report = await runStatus(testContext(), {});
      expect(report.problems).toEqual(["running 1 of 2 tasks"]);
    });
  });

  it("says when the service does not exist, and how to create it", async () => {
    sim.ecs.addCluster("default");
    const error = await failure(runStatus(testContext(), {}));
    expect(error.message).toBe("service mc does not exist in cluster default in eu-west-1");
    expect(error.suggestion).toMatch(/mcctl create-service/);
    expect(error.exitCode).toBe(1);
  });

  it("says when the cluster does not exist", async () => {
    const error = await failure(runStatus(testContext({ options: { cluster: "prod" } }), {}));
    expect(error.message).toBe("ECS cluster prod does not exist in eu-west-1");
    expect(error.suggestion).toMatch(/--cluster/);
  });

  it("shows the private IP of an instance without a public DNS name, and no instance URL", async () => {
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", {
      instanceId: INSTANCE,
      publicDnsName: null,
      publicIpAddress: null,
      privateIpAddress: "10.0.7.7",
    });
    modelCatalogue();
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await vi.advanceTimersByTimeAsync(60_000);
    const context = testContext();
    const report = await runStatus(context, {});
    expect(report.urls.instances).toEqual([]);
    expect(report.tasks[0]).toMatchObject({ privateIpAddress: "10.0.7.7" });
    expect(report.tasks[0]?.publicDnsName).toBeUndefined();
    expect(context.captured.stdout()).toContain(`on ${INSTANCE} (10.0.7.7), container instance`);
  });

  it("names each container instance's OS and warns about one on Amazon Linux 2, past its end of support", async () => {
    const al2 = imageIdFor("amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs", "eu-west-1");
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { instanceId: INSTANCE, publicDnsName: PUBLIC_DNS, imageId: al2 });
    modelCatalogue();
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await vi.advanceTimersByTimeAsync(60_000);
    const context = testContext();
    const report = await runStatus(context, { check: true });
    expect(report.healthy).toBe(true);
    expect(context.captured.stdout()).toContain(
      `  ${INSTANCE}  ACTIVE, agent connected, m5.xlarge, Amazon Linux 2  ${PUBLIC_DNS}`,
    );
    expect(context.captured.stderr()).toContain(
      `⚠ ${INSTANCE} runs Amazon Linux 2 (${al2}), whose support ended on 2026-06-30: move to Amazon Linux 2023`,
    );
  });

  it("does not warn about a container instance on Amazon Linux 2023", async () => {
    const al2023 = imageIdFor("al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64", "eu-west-1");
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { instanceId: INSTANCE, publicDnsName: PUBLIC_DNS, imageId: al2023 });
    modelCatalogue();
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await vi.advanceTimersByTimeAsync(60_000);
    const context = testContext();
    await runStatus(context, {});
    expect(context.captured.stdout()).toContain("m5.xlarge, Amazon Linux 2023");
    expect(context.captured.stderr()).not.toMatch(/support ended/);
  });

  it("still reports when EC2 may not be asked, with a warning", async () => {
    await runningService();
    sim.faults.inject({ service: "EC2", error: "access-denied" });
    const context = testContext();
    const report = await runStatus(context, { check: true });
    expect(report.healthy).toBe(true);
    expect(report.tasks[0]?.ec2InstanceId).toBe(INSTANCE);
    expect(report.tasks[0]?.publicDnsName).toBeUndefined();
    expect(context.captured.stderr()).toMatch(
      /no EC2 details \(public DNS names\): AWS denied ec2:DescribeInstances/,
    );
  });

  it("still reports when EC2 may not describe the AMIs, with a warning", async () => {
    await runningService();
    sim.faults.inject({ service: "EC2", command: "DescribeImages", error: "access-denied" });
    const context = testContext();
    const report = await runStatus(context, { check: true });
    expect(report.healthy).toBe(true);
    expect(report.tasks[0]?.publicDnsName).toBe(PUBLIC_DNS);
    expect(context.captured.stderr()).toMatch(
      /no AMI details \(operating systems\): AWS denied ec2:DescribeImages/,
    );
  });
});

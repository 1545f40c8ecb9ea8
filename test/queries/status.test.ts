import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import type { McctlError } from "../../src/errors.js";
import { buildStatusReport, gatherStatus, problemsOf, type StatusInputs } from "../../src/queries/status.js";
import { mcServiceInput, seedMcCluster } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const T0 = Date.parse("2026-11-25T03:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const ARN = "arn:aws:ecs:eu-west-1:123456789012";
const INSTANCE_ARN = `${ARN}:container-instance/default/ci1`;

const taskDefinition: TaskDefinition = {
  taskDefinitionArn: `${ARN}:task-definition/model-catalogue:4`,
  containerDefinitions: [
    {
      name: "mc",
      image: "metadata/registry:2",
      portMappings: [{ hostPort: 8080, containerPort: 8080 }],
      environment: [
        { name: "METADATA_HOST", value: "mc.example.org" },
        { name: "MC_S3_SECRET", value: "s3-secret-value" },
      ],
    },
    { name: "mc-es", image: "metadata/registry-elasticsearch:2" },
  ],
};

const service: Service = {
  serviceName: "mc",
  status: "ACTIVE",
  desiredCount: 1,
  runningCount: 1,
  pendingCount: 0,
  taskDefinition: taskDefinition.taskDefinitionArn,
  deployments: [{ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: taskDefinition.taskDefinitionArn }],
  events: Array.from({ length: 12 }, (_, i) => ({ id: `e${i}`, createdAt: at(i), message: `event ${i}` })),
};

const task = (id: string, fields: Partial<Task>): Task => ({
  taskArn: `${ARN}:task/default/${id}`,
  taskDefinitionArn: taskDefinition.taskDefinitionArn,
  containerInstanceArn: INSTANCE_ARN,
  createdAt: at(0),
  ...fields,
});

const containerInstance: ContainerInstance = {
  containerInstanceArn: INSTANCE_ARN,
  ec2InstanceId: "i-0aaaaaaaaaaaaaaa1",
  status: "ACTIVE",
  agentConnected: true,
  remainingResources: [
    { name: "CPU", integerValue: 1024 },
    { name: "MEMORY", integerValue: 1024 },
  ],
  registeredResources: [
    { name: "CPU", integerValue: 4096 },
    { name: "MEMORY", integerValue: 15360 },
  ],
};

function inputs(overrides: Partial<StatusInputs> = {}): StatusInputs {
  return {
    now: T0 + 60_000,
    cluster: { name: "default", status: "ACTIVE" },
    service,
    taskDefinition,
    tasks: [task("running", { lastStatus: "RUNNING", desiredStatus: "RUNNING", startedAt: at(12) })],
    containerInstances: [containerInstance],
    ec2Instances: [
      {
        InstanceId: "i-0aaaaaaaaaaaaaaa1",
        PublicDnsName: "ec2-1-2-3-4.example.com",
        PrivateIpAddress: "10.0.0.5",
      },
    ],
    ...overrides,
  };
}

describe("buildStatusReport", () => {
  it("keeps the 10 newest events, newest first", () => {
    const report = buildStatusReport(inputs());
    expect(report.events.map((event) => event.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `event ${11 - i}`),
    );
    expect(report.events[0]?.at).toBe("2026-11-25T03:00:11.000Z");
  });

  it("builds the instance URL with the mc container's host port, and the app URL from the environment", () => {
    expect(buildStatusReport(inputs()).urls).toEqual({
      app: "http://mc.example.org/",
      instances: ["http://ec2-1-2-3-4.example.com:8080/"],
    });
  });

  it("never carries environment values other than the URL's; names the secrets held in plain text, and warns", () => {
    const report = buildStatusReport(inputs());
    expect(JSON.stringify(report)).not.toContain("s3-secret-value");
    expect(report.secrets).toEqual({ ssm: [], plain: ["MC_S3_SECRET"] });
    expect(report.warnings).toContainEqual(
      expect.stringMatching(/holds MC_S3_SECRET in plain text.*mcctl register-task/),
    );
  });

  it("names the SSM parameters a revision reads its secrets from", () => {
    const report = buildStatusReport(
      inputs({
        taskDefinition: {
          containerDefinitions: [
            {
              name: "mc",
              secrets: [
                {
                  name: "METADATA_PASSWORD",
                  valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/mc/METADATA_PASSWORD",
                },
              ],
            },
          ],
        },
      }),
    );
    expect(report.secrets).toEqual({ ssm: ["/mcctl/mc/METADATA_PASSWORD"], plain: [] });
    expect(report.warnings).toEqual([]);
  });

  it("lists tasks that have not stopped, and the newest task that failed rather than was stopped", () => {
    const report = buildStatusReport(
      inputs({
        tasks: [
          task("running", { lastStatus: "RUNNING", desiredStatus: "RUNNING" }),
          task("scaled", {
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            stoppedAt: at(50),
            stopCode: "ServiceSchedulerInitiated",
            stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)",
          }),
          task("old-failure", {
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            stoppedAt: at(10),
            stopCode: "EssentialContainerExited",
            stoppedReason: "Essential container in task exited",
          }),
          task("oom", {
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            stoppedAt: at(40),
            // As ECS shows an OOM kill: the task says an essential container exited, the container says why.
            stopCode: "EssentialContainerExited",
            stoppedReason: "Essential container in task exited",
            containers: [
              {
                name: "mc",
                exitCode: 137,
                lastStatus: "STOPPED",
                reason: "OutOfMemoryError: Container killed due to memory usage",
              },
            ],
          }),
        ],
      }),
    );
    expect(report.tasks.map((t) => t.taskId)).toEqual(["running"]);
    expect(report.lastFailedTask).toEqual({
      taskId: "oom",
      stoppedAt: "2026-11-25T03:00:40.000Z",
      reason:
        "Essential container in task exited; mc exited 137 (OutOfMemoryError: Container killed due to memory usage)",
    });
  });

  it('treats EC2\'s PublicDnsName "" as no public DNS name', () => {
    const report = buildStatusReport(
      inputs({
        ec2Instances: [
          { InstanceId: "i-0aaaaaaaaaaaaaaa1", PublicDnsName: "", PrivateIpAddress: "10.0.0.5" },
        ],
      }),
    );
    expect(report.tasks[0]).toMatchObject({ privateIpAddress: "10.0.0.5" });
    expect(report.tasks[0]?.publicDnsName).toBeUndefined();
    expect(report.containerInstances[0]?.publicDnsName).toBeUndefined();
    expect(report.urls.instances).toEqual([]);
  });
});

describe("problemsOf", () => {
  const base = buildStatusReport(inputs());

  it("is empty for a healthy service, including one scaled to 0", () => {
    expect(problemsOf(base)).toEqual([]);
    expect(problemsOf({ ...base, service: { ...base.service, desiredCount: 0, runningCount: 0 } })).toEqual(
      [],
    );
  });

  it("names every problem: not ACTIVE, too few tasks (with the last failure), several deployments", () => {
    expect(
      problemsOf({
        service: { ...base.service, status: "DRAINING", desiredCount: 2, runningCount: 1 },
        deployments: [base.deployments[0], base.deployments[0]].flatMap((d) => (d ? [d] : [])),
        lastFailedTask: { taskId: "t", reason: "CannotPullContainerError: not found" },
      }),
    ).toEqual([
      "service mc is DRAINING",
      "running 1 of 2 tasks (last failed task: CannotPullContainerError: not found)",
      "2 deployments active: a deployment has not finished",
    ]);
  });
});

describe("buildStatusReport, from what ECS reported", () => {
  it("lists live tasks oldest first, and links only running tasks to their instance's URL", () => {
    const report = buildStatusReport(
      inputs({
        tasks: [
          task("new", { lastStatus: "PENDING", desiredStatus: "RUNNING", createdAt: at(30) }),
          task("old", { lastStatus: "RUNNING", desiredStatus: "STOPPED", createdAt: at(1) }),
          task("mid", { lastStatus: "RUNNING", desiredStatus: "RUNNING", createdAt: at(20) }),
        ],
      }),
    );
    expect(report.tasks.map((t) => [t.taskId, t.lastStatus, t.desiredStatus])).toEqual([
      ["old", "RUNNING", "STOPPED"],
      ["mid", "RUNNING", "RUNNING"],
      ["new", "PENDING", "RUNNING"],
    ]);
    expect(report.urls.instances).toEqual(["http://ec2-1-2-3-4.example.com:8080/"]);
    const stoppingOnly = buildStatusReport(
      inputs({ tasks: [task("old", { lastStatus: "RUNNING", desiredStatus: "STOPPED" })] }),
    );
    expect(stoppingOnly.urls.instances).toEqual([]);
    const pendingOnly = buildStatusReport(
      inputs({ tasks: [task("new", { lastStatus: "PENDING", desiredStatus: "RUNNING" })] }),
    );
    expect(pendingOnly.urls.instances).toEqual([]);
  });

  it("takes the URL's port and the app URL from the mc container wherever it is listed, port 80 left out", () => {
    const esFirst: TaskDefinition = {
      ...taskDefinition,
      containerDefinitions: [
        { name: "mc-es", image: "metadata/registry-elasticsearch:2", portMappings: [{ hostPort: 9200 }] },
        {
          name: "mc",
          image: "metadata/registry:2",
          portMappings: [{ containerPort: 8080 }, { hostPort: 80, containerPort: 8080 }],
          environment: [{ name: "METADATA_HOST", value: "mc.example.org" }],
        },
      ],
    };
    expect(buildStatusReport(inputs({ taskDefinition: esFirst })).urls).toEqual({
      app: "http://mc.example.org/",
      instances: ["http://ec2-1-2-3-4.example.com/"],
    });
    const withoutPorts: TaskDefinition = {
      containerDefinitions: [{ name: "mc", image: "metadata/registry:2" }],
    };
    expect(buildStatusReport(inputs({ taskDefinition: withoutPorts })).urls).toEqual({
      instances: ["http://ec2-1-2-3-4.example.com/"],
    });
    const noMc: TaskDefinition = { containerDefinitions: [{ name: "web", image: "nginx" }] };
    expect(buildStatusReport(inputs({ taskDefinition: noMc })).urls).toEqual({
      instances: ["http://ec2-1-2-3-4.example.com/"],
    });
  });

  it("carries the counts ECS reported for the service, each deployment and each instance", () => {
    const report = buildStatusReport(
      inputs({
        service: {
          ...service,
          desiredCount: 2,
          runningCount: 1,
          pendingCount: 1,
          deployments: [
            {
              id: "ecs-svc/2",
              status: "PRIMARY",
              taskDefinition: taskDefinition.taskDefinitionArn,
              desiredCount: 2,
              runningCount: 1,
              pendingCount: 1,
              failedTasks: 3,
              rolloutState: "IN_PROGRESS",
            },
          ],
        },
        containerInstances: [
          {
            ...containerInstance,
            runningTasksCount: 1,
            pendingTasksCount: 1,
            attributes: [{ name: "ecs.instance-type", value: "m5.xlarge" }],
          },
        ],
        ec2Instances: [],
      }),
    );
    expect(report.service).toMatchObject({ desiredCount: 2, runningCount: 1, pendingCount: 1 });
    expect(report.service.taskDefinitionArn).toBe(taskDefinition.taskDefinitionArn);
    expect(report.deployments).toEqual([
      {
        id: "ecs-svc/2",
        status: "PRIMARY",
        taskDefinition: "model-catalogue:4",
        desiredCount: 2,
        runningCount: 1,
        pendingCount: 1,
        failedTasks: 3,
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: undefined,
        createdAt: undefined,
        updatedAt: undefined,
      },
    ]);
    // Without EC2's answer the instance type still comes from the ECS agent's attribute.
    expect(report.containerInstances[0]).toMatchObject({
      containerInstanceArn: INSTANCE_ARN,
      runningTasks: 1,
      pendingTasks: 1,
      instanceType: "m5.xlarge",
      cpu: { free: 1024, registered: 4096 },
    });
    expect(report.containerInstances[0]?.instanceState).toBeUndefined();
  });

  it("prefers EC2's instance type and state to the agent's attribute", () => {
    const report = buildStatusReport(
      inputs({
        containerInstances: [{ ...containerInstance, attributes: [{ name: "ecs.os-type", value: "linux" }] }],
        ec2Instances: [
          { InstanceId: "i-0aaaaaaaaaaaaaaa1", InstanceType: "m5.large", State: { Name: "running" } },
        ],
      }),
    );
    expect(report.containerInstances[0]).toMatchObject({
      instanceType: "m5.large",
      instanceState: "running",
    });
    const other = buildStatusReport(
      inputs({
        containerInstances: [{ ...containerInstance, attributes: [{ name: "ecs.os-type", value: "linux" }] }],
        ec2Instances: [],
      }),
    );
    expect(other.containerInstances[0]?.instanceType).toBeUndefined();
  });

  it("copes with what ECS leaves out: no revision, no events' times, no containers, no resources, no warnings", () => {
    const report = buildStatusReport(
      inputs({
        service: {
          serviceName: "mc",
          status: "ACTIVE",
          events: [
            { id: "e", message: "x" },
            { id: "f", message: "y" },
          ],
        },
        taskDefinition: undefined,
        tasks: [
          {
            taskArn: `${ARN}:task/default/t1`,
            lastStatus: "RUNNING",
            desiredStatus: "RUNNING",
            containerInstanceArn: "gone",
          },
        ],
        containerInstances: [{ containerInstanceArn: INSTANCE_ARN, status: "ACTIVE" }],
        ec2Instances: [],
      }),
    );
    expect(report.service.taskDefinition).toBe("(unknown)");
    expect(report.events.map((event) => event.message)).toEqual(["x", "y"]);
    expect(report.tasks[0]).toMatchObject({ taskId: "t1", containers: [], ec2InstanceId: undefined });
    expect(report.containerInstances[0]).toMatchObject({
      cpu: { free: 0, registered: 0 },
      agentConnected: false,
    });
    expect(report.warnings).toEqual([]);
  });
});

describe("gatherStatus", () => {
  const sim = useSimulatedAws();
  const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
  const gather = (
    request = { cluster: "mc", service: "mc", region: "eu-west-1" },
    ec2 = async () => createEc2Api(config),
  ) => gatherStatus(createEcsApi(config), ec2, request);
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (caught: unknown) => caught as McctlError,
    );

  it("says a deleted cluster or service is gone, not what it last was", async () => {
    seedMcCluster(sim);
    sim.ecs.createService(mcServiceInput());
    await vi.advanceTimersByTimeAsync(60_000);
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    sim.ecs.deleteService({ cluster: "mc", service: "mc" });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect((await failure(gather()))?.message).toBe("service mc does not exist in cluster mc in eu-west-1");

    sim.ecs.addCluster("old", { status: "INACTIVE" });
    const error = await failure(gather({ cluster: "old", service: "mc", region: "eu-west-1" }));
    expect(error?.message).toBe("ECS cluster old is INACTIVE (deleted) in eu-west-1");
  });

  it("names the cluster by its name when it was given as an ARN", async () => {
    seedMcCluster(sim);
    sim.ecs.createService(mcServiceInput());
    await vi.advanceTimersByTimeAsync(60_000);
    const arn = sim.ecs.describeClusters({ clusters: ["mc"] }).clusters?.[0]?.clusterArn as string;
    const report = await gather({ cluster: arn, service: "mc", region: "eu-west-1" });
    expect(report.cluster).toEqual({ name: "mc", status: "ACTIVE", containerInstances: 1 });
  });

  it("asks neither for tasks nor for EC2 instances when there are none", async () => {
    sim.ecs.addCluster("mc");
    seedMcCluster(sim, { cluster: "other" });
    sim.ecs.createService(mcServiceInput({ desiredCount: 0, taskDefinition: "mc" }));
    const ec2 = vi.fn(async () => createEc2Api(config));
    const report = await gather(undefined, ec2);
    expect(report.tasks).toEqual([]);
    expect(report.containerInstances).toEqual([]);
    expect(sim.callsOf("DescribeTasks")).toHaveLength(0);
    expect(ec2).not.toHaveBeenCalled();
    expect(sim.callsOf("DescribeInstances")).toHaveLength(0);
  });

  it("shows the last restart's outage from the tasks' timestamps: the old task's stop to the new one's start", async () => {
    seedMcCluster(sim);
    sim.ecs.createService(mcServiceInput());
    await vi.advanceTimersByTimeAsync(60_000);
    const stopAt = Date.now();
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 1 });
    await vi.advanceTimersByTimeAsync(60_000);
    const report = await gather();
    const [old] = sim.ecs.tasks({ lastStatus: "STOPPED" });
    const [next] = sim.ecs.tasks({ lastStatus: "RUNNING" });
    // The scheduler stops the task 1 s after the call; STOPPING is when it stopped answering.
    expect(old?.stoppingAt?.getTime()).toBe(stopAt + 1_000);
    expect(report.lastOutage).toEqual({
      stoppedAt: old?.stoppingAt?.toISOString(),
      stoppedRevision: "mc:1",
      endedAt: next?.startedAt?.toISOString(),
      startedRevision: "mc:1",
      durationMs: (next?.startedAt?.getTime() ?? 0) - (old?.stoppingAt?.getTime() ?? 0),
    });
    expect(report.lastOutage?.durationMs).toBe(60_000 - 1_000 + 1_000 + 10_000);
  });

  it("reports a fault in mcctl itself instead of hiding it as a missing EC2 detail", async () => {
    seedMcCluster(sim);
    sim.ecs.createService(mcServiceInput());
    await vi.advanceTimersByTimeAsync(60_000);
    const bug = new TypeError("cannot read properties of undefined");
    const error = await gather(undefined, async () => {
      throw bug;
    }).catch((caught: unknown) => caught);
    expect(error).toBe(bug);
  });
});

describe("buildStatusReport and the container instances' operating systems", () => {
  const al2 = { ImageId: "ami-0aaaabbbbccccdddd", Name: "amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs" };
  const al2023 = {
    ImageId: "ami-0eeeeffff00001111",
    Name: "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64",
  };
  const onAmi = (imageId: string): ContainerInstance => ({
    ...containerInstance,
    attributes: [{ name: "ecs.ami-id", value: imageId }],
  });
  const endOfSupport = (warnings: string[]) => warnings.filter((warning) => /support ended/.test(warning));

  it("names each instance's AMI and OS, and warns about one on Amazon Linux 2 once its support has ended", () => {
    const report = buildStatusReport(
      inputs({ containerInstances: [onAmi(al2.ImageId)], images: [al2, al2023] }),
    );
    expect(report.containerInstances[0]).toMatchObject({
      imageId: al2.ImageId,
      imageName: al2.Name,
      operatingSystem: "Amazon Linux 2",
    });
    expect(endOfSupport(report.warnings)).toEqual([
      expect.stringMatching(
        /^i-0aaaaaaaaaaaaaaa1 runs Amazon Linux 2 \(ami-0aaaabbbbccccdddd\), whose support ended on 2026-06-30: .*terminate-instances --instance-ids i-0aaaaaaaaaaaaaaa1/,
      ),
    ]);
    // Only a warning: status stays healthy.
    expect(report.healthy).toBe(true);
  });

  it("takes EC2's ImageId when the agent registered no ecs.ami-id", () => {
    const report = buildStatusReport(
      inputs({
        ec2Instances: [{ InstanceId: "i-0aaaaaaaaaaaaaaa1", ImageId: al2.ImageId }],
        images: [al2],
      }),
    );
    expect(report.containerInstances[0]?.operatingSystem).toBe("Amazon Linux 2");
    expect(endOfSupport(report.warnings)).toHaveLength(1);
  });

  it("says nothing before the end of support, on Amazon Linux 2023, or when EC2 no longer describes the AMI", () => {
    const beforeEnd = inputs({
      now: Date.parse("2026-06-30T12:00:00Z"),
      containerInstances: [onAmi(al2.ImageId)],
      images: [al2],
    });
    expect(endOfSupport(buildStatusReport(beforeEnd).warnings)).toEqual([]);
    const current = buildStatusReport(
      inputs({ containerInstances: [onAmi(al2023.ImageId)], images: [al2023] }),
    );
    expect(current.containerInstances[0]?.operatingSystem).toBe("Amazon Linux 2023");
    expect(endOfSupport(current.warnings)).toEqual([]);
    const unknown = buildStatusReport(inputs({ containerInstances: [onAmi(al2.ImageId)], images: [] }));
    expect(unknown.containerInstances[0]).toMatchObject({ imageId: al2.ImageId, operatingSystem: undefined });
    expect(endOfSupport(unknown.warnings)).toEqual([]);
  });
});

import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { buildStatusReport, problemsOf, type StatusInputs } from "../../src/operations/status.js";

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

  it("never carries environment values other than the URL's", () => {
    const json = JSON.stringify(buildStatusReport(inputs()));
    expect(json).not.toContain("s3-secret-value");
    expect(json).not.toContain("MC_S3_SECRET");
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
            stopCode: "EssentialContainerExited",
            stoppedReason: "OutOfMemoryError: Container killed due to memory usage",
            containers: [{ name: "mc", exitCode: 137, lastStatus: "STOPPED" }],
          }),
        ],
      }),
    );
    expect(report.tasks.map((t) => t.taskId)).toEqual(["running"]);
    expect(report.lastFailedTask).toEqual({
      taskId: "oom",
      stoppedAt: "2026-11-25T03:00:40.000Z",
      reason: "OutOfMemoryError: Container killed due to memory usage; mc exited 137",
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

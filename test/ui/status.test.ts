import { describe, expect, it } from "vitest";
import type { StatusReport } from "../../src/queries/status.js";
import { renderStatus } from "../../src/ui/status.js";

const report: StatusReport = {
  checkedAt: "2026-11-25T03:10:00.000Z",
  cluster: { name: "prod", status: "ACTIVE", containerInstances: 2 },
  service: {
    name: "mc",
    status: "ACTIVE",
    desiredCount: 1,
    runningCount: 0,
    pendingCount: 1,
    taskDefinition: "model-catalogue:5",
    taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:5",
  },
  containers: [{ name: "mc", image: "metadata/registry:2.1" }],
  secrets: { ssm: ["/mcctl/model-catalogue/METADATA_PASSWORD"], plain: [] },
  deployments: [
    {
      id: "ecs-svc/2",
      status: "PRIMARY",
      taskDefinition: "model-catalogue:5",
      desiredCount: 1,
      runningCount: 0,
      pendingCount: 1,
      failedTasks: 1,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: "ECS deployment ecs-svc/2 in progress.",
      createdAt: "2026-11-25T03:05:00.000Z",
    },
    {
      id: "ecs-svc/1",
      status: "ACTIVE",
      taskDefinition: "model-catalogue:4",
      desiredCount: 0,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: "COMPLETED",
      createdAt: "2026-11-24T09:00:00.000Z",
    },
  ],
  events: [{ at: "2026-11-25T03:05:01.000Z", message: "(service mc) has stopped 1 running tasks." }],
  tasks: [
    {
      taskId: "old",
      taskArn: "arn:…/old",
      lastStatus: "RUNNING",
      desiredStatus: "STOPPED",
      taskDefinition: "model-catalogue:4",
      startedAt: "2026-11-24T09:00:12.000Z",
      containers: [
        { name: "mc", lastStatus: "RUNNING" },
        { name: "mc-es", lastStatus: "STOPPED", exitCode: 143 },
      ],
      containerInstanceId: "ci1",
      ec2InstanceId: "i-0aaaaaaaaaaaaaaa1",
    },
  ],
  lastFailedTask: {
    taskId: "new1",
    stoppedAt: "2026-11-25T03:07:30.000Z",
    reason: "CannotPullContainerError",
  },
  containerInstances: [
    {
      containerInstanceId: "ci1",
      containerInstanceArn: "arn:…/ci1",
      ec2InstanceId: "i-0aaaaaaaaaaaaaaa1",
      status: "ACTIVE",
      agentConnected: true,
      cpu: { free: 1024, registered: 4096 },
      memoryMiB: { free: 1024, registered: 15360 },
      runningTasks: 1,
      pendingTasks: 0,
      privateIpAddress: "10.0.0.5",
    },
    {
      containerInstanceId: "ci2",
      containerInstanceArn: "arn:…/ci2",
      status: "DRAINING",
      agentConnected: false,
      cpu: { free: 4096, registered: 4096 },
      memoryMiB: { free: 15360, registered: 15360 },
      runningTasks: 0,
      pendingTasks: 0,
      instanceState: "stopped",
    },
  ],
  urls: { instances: [] },
  problems: ["running 0 of 1 tasks", "2 deployments active: a deployment has not finished"],
  healthy: false,
  warnings: [],
};

describe("renderStatus", () => {
  it("shows a deployment under way: stopping task, rollout reason, last failure, disconnected agent", () => {
    expect(renderStatus(report)).toMatchInlineSnapshot(`
      "Cluster      prod (ACTIVE, 2 container instances)
      Service      mc ACTIVE: desired 1, running 0, pending 1
      Revision     model-catalogue:5
                   mc  metadata/registry:2.1
      App URL      (METADATA_HOST is not set in the task definition)
      Secrets      SSM Parameter Store /mcctl/model-catalogue/ (METADATA_PASSWORD); \`mcctl secrets list\`
      Logs         on the instance (syslog / json-file): ssh to it; \`mcctl register-task\` moves them to CloudWatch Logs
      Health       NOT OK: running 0 of 1 tasks; 2 deployments active: a deployment has not finished

      Deployments
        PRIMARY  model-catalogue:5  IN_PROGRESS  running 0/1, pending 1, failed 1  since 2026-11-25T03:05:00Z (5m 00s ago)
                 ECS deployment ecs-svc/2 in progress.
        ACTIVE   model-catalogue:4  COMPLETED  running 0/0, pending 0, failed 0  since 2026-11-24T09:00:00Z (18h 10m ago)

      Tasks
        old  RUNNING (stopping)  model-catalogue:4  started 2026-11-24T09:00:12Z (18h 9m ago)
          on i-0aaaaaaaaaaaaaaa1, container instance ci1
          containers: mc RUNNING, mc-es STOPPED (exit 143)
        last failed: new1 stopped 2026-11-25T03:07:30Z (2m 30s ago): CannotPullContainerError

      Container instances
        i-0aaaaaaaaaaaaaaa1  ACTIVE, agent connected  10.0.0.5
          free 1024 of 4096 CPU units, 1024 of 15360 MiB; 1 running, 0 pending; container instance ci1
        (no EC2 instance id)  DRAINING, AGENT DISCONNECTED, EC2 stopped
          free 4096 of 4096 CPU units, 15360 of 15360 MiB; 0 running, 0 pending; container instance ci2

      Events (last 1, newest first)
        2026-11-25T03:05:01Z  (service mc) has stopped 1 running tasks."
    `);
  });

  it("shows the last outage, and one under way", () => {
    const outage = {
      stoppedAt: "2026-11-25T03:04:05.000Z",
      stoppedRevision: "model-catalogue:3",
      endedAt: "2026-11-25T03:06:19.000Z",
      startedRevision: "model-catalogue:4",
      durationMs: 134_000,
    };
    expect(renderStatus({ ...report, lastOutage: outage })).toContain(
      "\nLast outage  2m 14s (model-catalogue:3 stopped 03:04:05Z → model-catalogue:4 running 03:06:19Z)\n",
    );
    const underWay = { stoppedAt: outage.stoppedAt, stoppedRevision: outage.stoppedRevision };
    expect(renderStatus({ ...report, lastOutage: underWay })).toContain(
      "\nLast outage  under way (model-catalogue:3 stopped 03:04:05Z; no task has started since)\n",
    );
    expect(renderStatus(report)).not.toContain("Last outage");
  });

  it("says when there is nothing to show", () => {
    const empty = renderStatus({
      ...report,
      deployments: [],
      tasks: [],
      lastFailedTask: undefined,
      containerInstances: [],
      events: [],
    });
    expect(empty).toContain("Deployments\n  (none)");
    expect(empty).toContain("Tasks\n  (none)");
    expect(empty).toContain("Container instances\n  (none registered)");
    expect(empty).toContain("Events (last 0, newest first)\n  (none)");
  });

  it("says where the secrets are stored, and shouts when the revision holds them in plain text", () => {
    expect(renderStatus(report)).toMatch(
      /Secrets {6}SSM Parameter Store \/mcctl\/model-catalogue\/ \(METADATA_PASSWORD\)/,
    );
    const plain = renderStatus({
      ...report,
      secrets: { ssm: [], plain: ["MC_MAIL_PASSWORD", "METADATA_PASSWORD"] },
    });
    expect(plain).toContain("PLAIN TEXT in the task definition: MC_MAIL_PASSWORD, METADATA_PASSWORD");
    expect(renderStatus({ ...report, secrets: { ssm: [], plain: [] } })).toMatch(/Secrets {6}\(none\)/);
  });
});

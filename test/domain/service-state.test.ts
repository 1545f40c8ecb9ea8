import type { Service, Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  adviceForEvent,
  adviceForFailure,
  describeStoppedTask,
  isFailedTask,
  isSteady,
  taskId,
} from "../../src/domain/service-state.js";

const ARN = "arn:aws:ecs:eu-west-1:123456789012";
const REVISION_1 = `${ARN}:task-definition/model-catalogue:1`;
const REVISION_2 = `${ARN}:task-definition/model-catalogue:2`;

/** A service that has settled on revision 2 with one task, and that task. */
function settled(overrides: Partial<Service> = {}) {
  const service: Service = {
    serviceName: "mc",
    status: "ACTIVE",
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    taskDefinition: REVISION_2,
    deployments: [{ id: "ecs-svc/2", status: "PRIMARY", taskDefinition: REVISION_2 }],
    ...overrides,
  };
  const task: Task = {
    taskArn: `${ARN}:task/default/new`,
    taskDefinitionArn: REVISION_2,
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
  };
  return { service, task };
}

describe("isSteady", () => {
  it("holds for one task running on the service's revision, one deployment, nothing pending", () => {
    const { service, task } = settled();
    expect(isSteady(service, [task])).toBe(true);
  });

  it("is false while the running task is still on the revision the service left", () => {
    // What an upgrade must never call done: the counts are right but the old image still serves.
    const { service, task } = settled();
    expect(isSteady(service, [{ ...task, taskDefinitionArn: REVISION_1 }])).toBe(false);
  });

  it("is false while an old task is still stopping beside the new one (it holds host port 80)", () => {
    const { service, task } = settled();
    const stopping: Task = {
      taskArn: `${ARN}:task/default/old`,
      taskDefinitionArn: REVISION_2,
      lastStatus: "RUNNING",
      desiredStatus: "STOPPED",
    };
    expect(isSteady(service, [task, stopping])).toBe(false);
  });

  it("is false while ECS's counts already say 1 but the task has not reached RUNNING", () => {
    const { service, task } = settled();
    expect(isSteady(service, [{ ...task, lastStatus: "PENDING" }])).toBe(false);
    expect(isSteady(service, [])).toBe(false);
  });

  it("is false while a running task has been asked to stop and nothing replaced it yet", () => {
    const { service, task } = settled();
    expect(isSteady(service, [{ ...task, desiredStatus: "STOPPED" }])).toBe(false);
  });

  it("is false while ECS's counts lag behind the tasks", () => {
    const { service, task } = settled();
    expect(isSteady({ ...service, runningCount: 0 }, [task])).toBe(false);
    expect(isSteady({ ...service, pendingCount: 1 }, [task])).toBe(false);
  });

  it("is false while two deployments are live, and for a service that is being deleted", () => {
    const { service, task } = settled();
    const two = [
      { id: "ecs-svc/2", status: "PRIMARY", taskDefinition: REVISION_2 },
      { id: "ecs-svc/1", status: "ACTIVE", taskDefinition: REVISION_1 },
    ];
    expect(isSteady({ ...service, deployments: two }, [task])).toBe(false);
    expect(isSteady({ ...service, status: "DRAINING" }, [task])).toBe(false);
  });

  it("holds for a service at 0 with no task", () => {
    const { service } = settled({ desiredCount: 0, runningCount: 0 });
    expect(isSteady(service, [])).toBe(true);
  });
});

describe("isFailedTask", () => {
  const stopped = (fields: Partial<Task>): Task => ({
    taskArn: `${ARN}:task/default/t`,
    lastStatus: "STOPPED",
    ...fields,
  });

  it("a task that has not stopped has not failed", () => {
    expect(isFailedTask({ lastStatus: "RUNNING", stoppedReason: "Essential container in task exited" })).toBe(
      false,
    );
  });

  it("a crash or a failed start is a failure", () => {
    expect(
      isFailedTask(
        stopped({
          stopCode: "EssentialContainerExited",
          stoppedReason: "Essential container in task exited",
        }),
      ),
    ).toBe(true);
    expect(
      isFailedTask(stopped({ stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: x" })),
    ).toBe(true);
  });

  it.each(["ServiceSchedulerInitiated", "UserInitiated", "SpotInterruption"] as const)(
    "a stop ECS or an operator asked for (%s) is not a failure",
    (stopCode) => {
      expect(isFailedTask(stopped({ stopCode, stoppedReason: "anything" }))).toBe(false);
    },
  );

  it.each([
    "Scaling activity initiated by (deployment ecs-svc/1)",
    "Task stopped by user",
    "Service mc: replaced by a new deployment",
  ])("a deliberate stop known only by its reason (%s) is not a failure", (stoppedReason) => {
    // Older agents and some API paths leave stopCode empty.
    expect(isFailedTask(stopped({ stoppedReason }))).toBe(false);
  });

  it("a stop with no reason and no code counts as a failure", () => {
    expect(isFailedTask(stopped({}))).toBe(true);
  });
});

describe("describeStoppedTask", () => {
  it("gives the task's reason, then each container that exited or has a reason", () => {
    expect(
      describeStoppedTask({
        stoppedReason: "Essential container in task exited",
        containers: [
          { name: "mc", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
          { name: "mc-es", exitCode: 143 },
          { name: "sidecar" },
        ],
      }),
    ).toBe(
      "Essential container in task exited; mc exited 137 (OutOfMemoryError: Container killed due to memory usage); mc-es exited 143",
    );
  });

  it("shows a container that never started by its reason alone", () => {
    expect(
      describeStoppedTask({
        stoppedReason: "CannotPullContainerError: not found",
        containers: [{ name: "mc", reason: "CannotPullContainerError: not found" }],
      }),
    ).toBe("CannotPullContainerError: not found; mc (CannotPullContainerError: not found)");
  });

  it("falls back to the stop code, then to 'stopped', when ECS gave no reason", () => {
    expect(describeStoppedTask({ stopCode: "TaskFailedToStart" })).toBe("TaskFailedToStart");
    expect(describeStoppedTask({})).toBe("stopped");
  });
});

describe("adviceForFailure", () => {
  it("says to check the image when it could not be pulled", () => {
    expect(
      adviceForFailure(
        "CannotPullContainerError: Error response from daemon: manifest for metadata/registry:nope not found: manifest unknown",
      ),
    ).toMatch(/image could not be pulled/);
    expect(adviceForFailure("Error: manifest for metadata/registry:nope not found")).toMatch(
      /image could not be pulled/,
    );
  });

  it("says to lower -Xmx when a container ran out of memory", () => {
    expect(adviceForFailure("Essential container in task exited; mc exited 137")).toMatch(/lower -Xmx/);
  });

  it("says to read the logs when an essential container exited otherwise", () => {
    expect(adviceForFailure("Essential container in task exited; mc exited 1")).toMatch(/docker logs/);
    expect(adviceForFailure("mc exited 42")).toMatch(/docker logs/);
  });

  it("has no advice for what it does not recognise", () => {
    expect(adviceForFailure("Timeout waiting for network interface provisioning")).toBeUndefined();
  });
});

describe("adviceForEvent", () => {
  const unableToPlace = (detail: string) =>
    `(service mc) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 1a2b) ${detail}. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`;

  it("names the cause of each placement failure ECS reports", () => {
    expect(adviceForEvent(unableToPlace("is already using a port required by your task"))).toMatch(
      /Host port 80 is taken/,
    );
    expect(adviceForEvent(unableToPlace("has insufficient memory available"))).toMatch(/enough free memory/);
    expect(adviceForEvent(unableToPlace("has insufficient CPU units available"))).toMatch(/enough free CPU/);
    expect(
      adviceForEvent(
        "(service mc) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
      ),
    ).toMatch(/No container instance meets the task's requirements/);
  });

  it("has nothing to add to other events", () => {
    expect(adviceForEvent("(service mc) has reached a steady state.")).toBeUndefined();
  });
});

describe("taskId", () => {
  it("is the last part of the task's ARN, or says it is unknown", () => {
    expect(taskId(`${ARN}:task/default/0123abcd`)).toBe("0123abcd");
    expect(taskId(undefined)).toBe("(unknown)");
  });
});

import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { lastOutage, stoppedAnsweringAt } from "../../src/domain/outage.js";

const T0 = Date.parse("2026-11-25T03:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const ARN = "arn:aws:ecs:eu-west-1:123456789012";

const task = (id: string, revision: number, fields: Partial<Task>): Task => ({
  taskArn: `${ARN}:task/default/${id}`,
  taskDefinitionArn: `${ARN}:task-definition/model-catalogue:${revision}`,
  ...fields,
});

const stopped = (id: string, revision: number, startedAt: number, stoppingAt: number) =>
  task(id, revision, {
    lastStatus: "STOPPED",
    startedAt: at(startedAt),
    stoppingAt: at(stoppingAt),
    executionStoppedAt: at(stoppingAt + 20),
    stoppedAt: at(stoppingAt + 21),
  });

describe("stoppedAnsweringAt", () => {
  it("is the RUNNING → STOPPING transition, not STOPPED after the containers and the clean-up", () => {
    expect(stoppedAnsweringAt(stopped("a", 3, 0, 100))).toBe(at(100).getTime());
  });

  it("is the containers' exit when they died before ECS moved the task to STOPPING (a crash)", () => {
    const crashed = task("a", 3, { stoppingAt: at(101), executionStoppedAt: at(100), stoppedAt: at(102) });
    expect(stoppedAnsweringAt(crashed)).toBe(at(100).getTime());
  });

  it("falls back to stoppedAt when ECS gave neither of the others", () => {
    expect(stoppedAnsweringAt(task("a", 3, { stoppedAt: at(7) }))).toBe(at(7).getTime());
  });
});

describe("lastOutage", () => {
  it("runs from the old task's stop to the new task's start", () => {
    const outage = lastOutage([
      stopped("old", 3, 0, 245),
      task("new", 4, { lastStatus: "RUNNING", startedAt: at(379) }),
    ]);
    expect(outage).toEqual({
      stoppedAt: "2026-11-25T03:04:05.000Z",
      stoppedRevision: "model-catalogue:3",
      endedAt: "2026-11-25T03:06:19.000Z",
      startedRevision: "model-catalogue:4",
      durationMs: 134_000,
    });
  });

  it("takes the newest stop and the first task started after it", () => {
    const outage = lastOutage([
      stopped("first", 2, 0, 100),
      stopped("second", 3, 150, 300),
      task("later", 4, { lastStatus: "RUNNING", startedAt: at(500) }),
      task("next", 4, { lastStatus: "RUNNING", startedAt: at(400) }),
    ]);
    expect(outage).toMatchObject({ stoppedRevision: "model-catalogue:3", durationMs: 100_000 });
  });

  it("is under way while no task has started since", () => {
    const outage = lastOutage([stopped("old", 3, 0, 100), task("new", 4, { lastStatus: "PENDING" })]);
    expect(outage).toMatchObject({ stoppedRevision: "model-catalogue:3", endedAt: undefined });
    expect(outage?.durationMs).toBeUndefined();
  });

  it("skips a stop while another task kept answering (a rolling replacement)", () => {
    const outage = lastOutage([
      stopped("crash", 2, 0, 100),
      task("between", 3, { lastStatus: "STOPPED", startedAt: at(130), stoppingAt: at(400) }),
      stopped("replaced", 3, 200, 300),
      task("running", 4, { lastStatus: "RUNNING", startedAt: at(290) }),
    ]);
    expect(outage).toMatchObject({
      stoppedRevision: "model-catalogue:2",
      startedRevision: "model-catalogue:3",
    });
    expect(outage?.durationMs).toBe(30_000);
  });

  it("is no outage when the only other task was still answering then, though it is stopping now", () => {
    const outage = lastOutage([
      stopped("old", 2, 0, 100),
      task("stopping", 3, { lastStatus: "STOPPING", startedAt: at(50), stoppingAt: at(150) }),
    ]);
    expect(outage).toBeUndefined();
  });

  it("is undefined when no task stopped", () => {
    expect(lastOutage([task("a", 3, { lastStatus: "RUNNING", startedAt: at(1) })])).toBeUndefined();
  });
});

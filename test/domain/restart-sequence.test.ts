import { describe, expect, it } from "vitest";
import { restartPhases, restartSteps } from "../../src/domain/restart-sequence.js";

describe("the restart sequence", () => {
  it("is four phases, and a fifth with a health URL", () => {
    expect(restartPhases(undefined)).toEqual([
      "scaling-down",
      "waiting-for-stop",
      "scaling-up",
      "waiting-for-steady",
    ]);
    expect(restartPhases("http://mc.example.org/")).toEqual([
      "scaling-down",
      "waiting-for-stop",
      "scaling-up",
      "waiting-for-steady",
      "checking-health",
    ]);
  });

  it("says each phase as the plan prints it", () => {
    expect(restartSteps({ service: "mc", from: 2, to: 2 })).toEqual([
      "set the desired count of mc from 2 to 0",
      "wait until every task is STOPPED (a stopping task still holds port 80)",
      "set the desired count back to 2",
      "wait until the service is steady",
    ]);
  });

  it("names the revision the service is pointed at, and the health URL", () => {
    expect(
      restartSteps({
        service: "mc",
        from: 0,
        to: 1,
        revision: "model-catalogue:4",
        healthUrl: "http://mc.example.org/",
      }),
    ).toEqual([
      "set the desired count of mc from 0 to 0 and point it at model-catalogue:4",
      "wait until every task is STOPPED (a stopping task still holds port 80)",
      "set the desired count back to 1",
      "wait until the service is steady",
      "wait until http://mc.example.org/ answers HTTP 200",
    ]);
  });
});

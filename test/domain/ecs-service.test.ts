import { describe, expect, it } from "vitest";
import { buildCreateServiceInput } from "../../src/domain/ecs-service.js";

describe("buildCreateServiceInput", () => {
  it("one task on EC2, the old task stopped before a new one starts (host port 80), tagged as mcctl's", () => {
    expect(buildCreateServiceInput("prod", "mc", "arn:td/mc:3")).toEqual({
      cluster: "prod",
      serviceName: "mc",
      taskDefinition: "arn:td/mc:3",
      desiredCount: 1,
      launchType: "EC2",
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
      tags: [{ key: "managed-by", value: "mcctl" }],
    });
  });
});

import { describe, expect, it } from "vitest";
import { prepullFailures, prepullMemoryMiB, prepullTaskDefinition } from "../../src/domain/prepull.js";
import { mcTaskDefinition } from "../helpers/sim-fixtures.js";

describe("prepullTaskDefinition", () => {
  const revision = {
    ...mcTaskDefinition({ family: "model-catalogue" }),
    executionRoleArn: "arn:aws:iam::123456789012:role/mc-execution",
  };

  it("keeps only each container's image and the execution role: no port, no environment, little memory", () => {
    const input = prepullTaskDefinition(revision);
    expect(input.family).toBe("model-catalogue-prepull");
    expect(input.executionRoleArn).toBe("arn:aws:iam::123456789012:role/mc-execution");
    expect(input.tags).toContainEqual({ key: "managed-by", value: "mcctl" });
    for (const container of input.containerDefinitions ?? []) {
      expect(Object.keys(container).sort()).toEqual(
        [
          "command",
          "entryPoint",
          "essential",
          "image",
          "memory",
          "name",
          ...(container.name === "mc" ? ["dependsOn"] : []),
        ].sort(),
      );
    }
    expect(prepullMemoryMiB(input)).toBe(64);
  });

  it("runs Model Catalogue's container once Elasticsearch's exited 0, so neither stops the other's pull", () => {
    const [mc, es] = prepullTaskDefinition(revision).containerDefinitions ?? [];
    expect(mc).toMatchObject({
      name: "mc",
      essential: true,
      dependsOn: [{ containerName: "mc-es", condition: "SUCCESS" }],
    });
    expect(es).toMatchObject({ name: "mc-es", essential: false });
  });
});

describe("prepullFailures", () => {
  it("is empty when every container exited 0", () => {
    expect(
      prepullFailures({
        containers: [
          { name: "mc", exitCode: 0 },
          { name: "mc-es", exitCode: 0 },
        ],
      }),
    ).toEqual([]);
  });

  it("names the image the agent could not pull, not the container that never ran because of it", () => {
    const reason = "CannotPullContainerError: … not found";
    const failures = prepullFailures({
      stoppedReason: reason,
      containers: [
        { name: "mc", image: "metadata/registry:nope", reason },
        { name: "mc-es", image: "metadata/registry-elasticsearch:2" },
      ],
    });
    expect(failures).toEqual([{ image: "metadata/registry:nope", reason }]);
  });

  it("says a non-zero exit code when the container gave no reason", () => {
    expect(prepullFailures({ containers: [{ name: "mc", image: "m:1", exitCode: 127 }] })).toEqual([
      { image: "m:1", reason: "exited with code 127" },
    ]);
  });
});

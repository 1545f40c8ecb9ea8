import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  containerImage,
  reviseTaskDefinition,
  UPGRADE_SNAPSHOT_TAG,
} from "../../src/domain/task-revision.js";
import { McctlError } from "../../src/errors.js";

const described: TaskDefinition = {
  taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:4",
  family: "model-catalogue",
  revision: 4,
  status: "ACTIVE",
  taskRoleArn: "arn:aws:iam::123456789012:role/mc-task",
  executionRoleArn: "arn:aws:iam::123456789012:role/mc-exec",
  networkMode: "bridge",
  requiresAttributes: [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" }],
  compatibilities: ["EC2"],
  registeredAt: new Date(0),
  registeredBy: "arn:aws:iam::123456789012:user/ops",
  placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type == m5.xlarge" }],
  volumes: [{ name: "mc-es-data", host: { sourcePath: "/opt/docker-volumes/mc-es-data" } }],
  containerDefinitions: [
    {
      name: "mc",
      image: "metadata/registry:2.0.0-beta-10",
      memory: 10240,
      environment: [{ name: "METADATA_PASSWORD", value: "secret" }],
    },
    { name: "mc-es", image: "metadata/registry-elasticsearch:2", memory: 4096 },
  ],
};

describe("reviseTaskDefinition", () => {
  it("does not copy the tag naming the snapshot an upgrade took: it belongs to the revision that upgrade made", () => {
    const input = reviseTaskDefinition(
      described,
      [
        { key: "team", value: "data" },
        { key: UPGRADE_SNAPSHOT_TAG, value: "mcctl-mc-before-2-20261201t030405z" },
      ],
      [],
    );
    expect(input.tags).toEqual([{ key: "team", value: "data" }]);
  });

  it("changes only the named container's image and keeps every writable field", () => {
    const input = reviseTaskDefinition(
      described,
      [{ key: "team", value: "data" }],
      [{ container: "mc", image: "metadata/registry:2.0.0-beta-11" }],
    );
    expect(input).toEqual({
      family: "model-catalogue",
      taskRoleArn: "arn:aws:iam::123456789012:role/mc-task",
      executionRoleArn: "arn:aws:iam::123456789012:role/mc-exec",
      networkMode: "bridge",
      placementConstraints: described.placementConstraints,
      volumes: described.volumes,
      tags: [{ key: "team", value: "data" }],
      containerDefinitions: [
        { ...described.containerDefinitions?.[0], image: "metadata/registry:2.0.0-beta-11" },
        described.containerDefinitions?.[1],
      ],
    });
  });

  it("drops the read-only fields DescribeTaskDefinition adds", () => {
    const input = reviseTaskDefinition(described, undefined, []) as unknown as Record<string, unknown>;
    for (const field of [
      "taskDefinitionArn",
      "revision",
      "status",
      "requiresAttributes",
      "compatibilities",
      "registeredAt",
      "registeredBy",
    ]) {
      expect(input).not.toHaveProperty(field);
    }
    expect(input).not.toHaveProperty("tags");
  });

  it("does not modify the described revision", () => {
    const before = structuredClone(described);
    reviseTaskDefinition(described, undefined, [
      { container: "mc-es", image: "metadata/registry-elasticsearch:3" },
    ]);
    expect(described).toEqual(before);
  });

  it("fails clearly when the container is not in the task definition", () => {
    expect(() =>
      reviseTaskDefinition(described, undefined, [{ container: "web", image: "nginx:1" }]),
    ).toThrow(McctlError);
    expect(() =>
      reviseTaskDefinition(described, undefined, [{ container: "web", image: "nginx:1" }]),
    ).toThrow("task definition model-catalogue:4 has no container named web (it has: mc, mc-es)");
  });

  it("reads a container's image", () => {
    expect(containerImage(described, "mc-es")).toBe("metadata/registry-elasticsearch:2");
    expect(containerImage(described, "nope")).toBeUndefined();
  });
});

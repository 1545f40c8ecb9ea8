import { describe, expect, it } from "vitest";
import { MCCTL_TAGS, taggedByMcctl } from "../../src/domain/tags.js";

describe("taggedByMcctl", () => {
  it("reads every tag shape AWS uses, and nothing else counts", () => {
    expect(taggedByMcctl([{ Key: "managed-by", Value: "mcctl" }])).toBe(true);
    expect(taggedByMcctl([{ key: "managed-by", value: "mcctl" }])).toBe(true);
    expect(taggedByMcctl({ "managed-by": "mcctl" })).toBe(true);
    expect(taggedByMcctl([{ Key: "managed-by", Value: "terraform" }])).toBe(false);
    expect(taggedByMcctl([{ Key: "Managed-By", Value: "mcctl" }])).toBe(false);
    expect(taggedByMcctl({ application: "mcctl" })).toBe(false);
    expect(taggedByMcctl([])).toBe(false);
    expect(taggedByMcctl(undefined)).toBe(false);
  });
});

describe("MCCTL_TAGS", () => {
  it("carries managed-by=mcctl, which taggedByMcctl recognises, and cannot be changed", () => {
    expect(MCCTL_TAGS).toEqual({ "managed-by": "mcctl", application: "model-catalogue" });
    expect(taggedByMcctl(MCCTL_TAGS)).toBe(true);
    expect(Object.isFrozen(MCCTL_TAGS)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import {
  formatImage,
  isDigest,
  isValidTag,
  parseImage,
  validateImageReference,
  withTag,
} from "../../src/domain/images.js";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseImage", () => {
  it.each([
    ["metadata/registry:2", "metadata/registry", "2"],
    ["metadata/registry:2.0.0-beta-10", "metadata/registry", "2.0.0-beta-10"],
    ["metadata/registry", "metadata/registry", "latest"],
    ["nginx", "nginx", "latest"],
    ["host:5000/x/y:tag", "host:5000/x/y", "tag"],
    ["host:5000/x/y", "host:5000/x/y", "latest"],
    ["localhost:5000/registry:2", "localhost:5000/registry", "2"],
    [
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mc:v3",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mc",
      "v3",
    ],
  ])("%s → repository %s, tag %s", (ref, repository, tag) => {
    expect(parseImage(ref)).toEqual({ repository, tag });
  });

  it("yields the digest as the tag of a digest-pinned reference", () => {
    expect(parseImage(`metadata/registry@${DIGEST}`)).toEqual({
      repository: "metadata/registry",
      tag: DIGEST,
    });
    expect(parseImage(`host:5000/x/y@${DIGEST}`)).toEqual({ repository: "host:5000/x/y", tag: DIGEST });
  });

  it("lets the digest win over a tag, as docker pull does", () => {
    expect(parseImage(`metadata/registry:2@${DIGEST}`)).toEqual({
      repository: "metadata/registry",
      tag: DIGEST,
    });
  });

  it.each([
    "metadata/registry:2",
    "host:5000/x/y:tag",
    `metadata/registry@${DIGEST}`,
    `host:5000/x/y@${DIGEST}`,
  ])("round-trips %s through formatImage", (ref) => {
    expect(formatImage(parseImage(ref))).toBe(ref);
  });
});

describe("isValidTag", () => {
  it.each(["2", "latest", "2.0.0-beta-10", "_private", "A_b.c-d", "a".repeat(128)])("accepts %s", (tag) => {
    expect(isValidTag(tag)).toBe(true);
  });

  it.each(["", ".hidden", "-dash", "a".repeat(129), "has space", "with/slash", "colon:", "ümlaut"])(
    "rejects %j",
    (tag) => {
      expect(isValidTag(tag)).toBe(false);
    },
  );
});

describe("isDigest", () => {
  it("recognises algorithm:hex digests and nothing else", () => {
    expect(isDigest(DIGEST)).toBe(true);
    expect(isDigest("sha256:abc")).toBe(false);
    expect(isDigest("2")).toBe(false);
  });
});

describe("withTag", () => {
  it.each([
    ["metadata/registry:2", "2.0.0-beta-10", "metadata/registry:2.0.0-beta-10"],
    ["metadata/registry", "3", "metadata/registry:3"],
    ["host:5000/x/y:old", "new", "host:5000/x/y:new"],
    [`metadata/registry@${DIGEST}`, "2", "metadata/registry:2"],
    ["metadata/registry:2", DIGEST, `metadata/registry@${DIGEST}`],
  ])("%s with %s → %s", (ref, tag, expected) => {
    expect(withTag(ref, tag)).toBe(expected);
  });
});

describe("validateImageReference", () => {
  it.each([
    "metadata/registry:2",
    "metadata/registry-elasticsearch:2",
    "metadata/registry",
    "host:5000/x/y:tag",
    "localhost/mc",
    "Registry.Example.com/team/mc:1",
    `metadata/registry@${DIGEST}`,
    `metadata/registry:2@${DIGEST}`,
    "a__b/c--d/e.f:1",
  ])("accepts %s", (ref) => {
    expect(validateImageReference(ref)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["metadata/registry: 2", /whitespace/],
    ["Metadata/registry:2", /lowercase/],
    ["metadata/registry:-bad", /invalid tag "-bad"/],
    ["metadata/registry:", /invalid tag ""/],
    ["metadata/registry@sha256:xyz", /invalid digest/],
    ["host:99999/x:1", /port "99999"/],
    ["host:abc/x", /port "abc"/],
    ["-host.com/x", /registry host/],
    [":2", /no repository/],
    ["metadata//registry", /path component ""/],
    ["metadata/registry_:2", /path component "registry_"/],
    [`${"a".repeat(256)}:1`, /longer than 255/],
  ])("rejects %j", (ref, message) => {
    expect(validateImageReference(ref)).toMatch(message);
  });
});

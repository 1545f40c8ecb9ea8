import { describe, expect, it } from "vitest";
import { decide, evaluatePolicies, type PolicyStatement } from "../../../src/sandbox/sim/iam-evaluation.js";

const ROLE = "arn:aws:iam::123456789012:role/mc-exec";

function allows(
  statement: PolicyStatement,
  context: Record<string, string | string[]> = {},
  resource = ROLE,
) {
  return evaluatePolicies([{ Statement: [statement] }], { action: "iam:PassRole", resource, context });
}

const allow = (Condition: PolicyStatement["Condition"]): PolicyStatement => ({
  Effect: "Allow",
  Action: "iam:PassRole",
  Resource: "*",
  Condition,
});

describe("actions and resources", () => {
  it("matches actions without regard to case and resources with it, `*` and `?` as wildcards", () => {
    expect(allows({ Effect: "Allow", Action: "IAM:pass*", Resource: "arn:aws:iam::*:role/mc-???c" })).toBe(
      true,
    );
    expect(allows({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::*:role/MC-*" })).toBe(
      false,
    );
    expect(allows({ Effect: "Allow", Action: "iam:Pass", Resource: "*" })).toBe(false);
  });

  it("names the statement that decided, and prefers a Deny found after an Allow", () => {
    const documents = [
      { Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] },
      {
        Statement: [
          { Effect: "Allow", Action: "s3:*", Resource: "*" },
          { Sid: "No", Effect: "Deny", Action: "iam:*", Resource: ROLE },
        ],
      },
    ];
    expect(decide(documents, { action: "s3:ListBucket", resource: "arn:aws:s3:::b" })).toEqual({
      effect: "allow",
      document: 0,
      statement: 0,
      sid: "All",
    });
    expect(decide(documents, { action: "iam:PassRole", resource: ROLE })).toEqual({
      effect: "explicit-deny",
      document: 1,
      statement: 1,
      sid: "No",
    });
    expect(decide([], { action: "iam:PassRole", resource: ROLE })).toEqual({ effect: "implicit-deny" });
  });
});

describe("condition operators", () => {
  it("StringEquals and StringLike need the key; their negations hold without it", () => {
    const passedTo = { "iam:PassedToService": "ecs-tasks.amazonaws.com" };
    expect(
      allows(allow({ StringEquals: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" } }), passedTo),
    ).toBe(true);
    expect(
      allows(allow({ StringEquals: { "iam:PassedToService": "ECS-tasks.amazonaws.com" } }), passedTo),
    ).toBe(false);
    expect(
      allows(
        allow({ StringEqualsIgnoreCase: { "iam:PassedToService": "ECS-tasks.amazonaws.com" } }),
        passedTo,
      ),
    ).toBe(true);
    expect(allows(allow({ StringLike: { "iam:PassedToService": "ecs*" } }))).toBe(false);
    expect(allows(allow({ StringNotEquals: { "iam:PassedToService": "ec2.amazonaws.com" } }))).toBe(true);
    expect(allows(allow({ StringNotLike: { "iam:PassedToService": "ecs*" } }), passedTo)).toBe(false);
  });

  it("ArnLike and ArnEquals take wildcards; IfExists holds when the key is missing", () => {
    const cluster = { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/mc" };
    expect(allows(allow({ ArnLike: { "ecs:cluster": "arn:aws:ecs:*:*:cluster/mc" } }), cluster)).toBe(true);
    expect(allows(allow({ ArnEquals: { "ecs:cluster": "arn:aws:ecs:*:*:cluster/other" } }), cluster)).toBe(
      false,
    );
    expect(allows(allow({ ArnNotLike: { "ecs:cluster": "arn:aws:ecs:*:*:cluster/prod*" } }), cluster)).toBe(
      true,
    );
    expect(allows(allow({ ArnLike: { "ecs:cluster": "arn:aws:ecs:*:*:cluster/mc" } }))).toBe(false);
    expect(allows(allow({ ArnLikeIfExists: { "ecs:cluster": "arn:aws:ecs:*:*:cluster/mc" } }))).toBe(true);
  });

  it("Bool and Null", () => {
    expect(
      allows(allow({ Bool: { "aws:SecureTransport": "true" } }), { "aws:SecureTransport": "true" }),
    ).toBe(true);
    expect(allows(allow({ Bool: { "aws:SecureTransport": true } }), { "aws:SecureTransport": "false" })).toBe(
      false,
    );
    expect(allows(allow({ Null: { "aws:TagKeys": "true" } }))).toBe(true);
    expect(allows(allow({ Null: { "aws:TagKeys": "false" } }))).toBe(false);
  });

  it("ForAnyValue and ForAllValues compare each value of a multivalued key", () => {
    const tagKeys = { "aws:TagKeys": ["app", "team"] };
    expect(allows(allow({ "ForAnyValue:StringEquals": { "aws:TagKeys": "team" } }), tagKeys)).toBe(true);
    expect(allows(allow({ "ForAllValues:StringEquals": { "aws:TagKeys": "team" } }), tagKeys)).toBe(false);
    expect(allows(allow({ "ForAllValues:StringEquals": { "aws:TagKeys": ["app", "team"] } }), tagKeys)).toBe(
      true,
    );
    // A missing key: ForAllValues holds (nothing to check), ForAnyValue does not.
    expect(allows(allow({ "ForAllValues:StringEquals": { "aws:TagKeys": "team" } }))).toBe(true);
    expect(allows(allow({ "ForAnyValue:StringEquals": { "aws:TagKeys": "team" } }))).toBe(false);
  });

  it("every operator and key must hold, any value of a key may", () => {
    const context = { "iam:PassedToService": "ecs-tasks.amazonaws.com", "aws:RequestedRegion": "eu-west-1" };
    const both = {
      StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"] },
      StringLike: { "aws:RequestedRegion": "eu-*" },
    };
    expect(allows(allow(both), context)).toBe(true);
    expect(allows(allow({ ...both, StringLike: { "aws:RequestedRegion": "us-*" } }), context)).toBe(false);
  });

  it("an operator it does not know makes the statement not apply, Allow or Deny", () => {
    const numeric = { NumericLessThan: { "s3:max-keys": "10" } };
    expect(allows(allow(numeric), { "s3:max-keys": "5" })).toBe(false);
    const documents = [
      { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      { Statement: [{ Effect: "Deny", Action: "*", Resource: "*", Condition: numeric }] },
    ];
    expect(
      evaluatePolicies(documents, {
        action: "s3:ListBucket",
        resource: "*",
        context: { "s3:max-keys": "5" },
      }),
    ).toBe(true);
  });
});

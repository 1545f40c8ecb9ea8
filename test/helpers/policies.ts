import { expect } from "vitest";
import type { PolicyStatement } from "../../src/sandbox/sim/iam-policy.js";

/** An Allow statement, as an operator would write one. */
export function allow(
  action: string | string[],
  resource: string | string[] = "*",
  condition?: PolicyStatement["Condition"],
): PolicyStatement {
  return {
    Effect: "Allow",
    Action: action,
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
  };
}

export function policy(...statements: PolicyStatement[]) {
  return { Version: "2012-10-17", Statement: statements };
}

/** The error a call that must be refused ends with; a call that succeeds fails the test. */
export const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to be refused"),
    (error: unknown) => error as Error & Record<string, unknown>,
  );

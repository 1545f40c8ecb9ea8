import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EcsApi } from "../../src/aws/ecs.js";
import { McctlError } from "../../src/errors.js";
import {
  executionRoleChange,
  ROLE_PROPAGATION_WINDOW_MS,
  type RoleChange,
  registerRevision,
} from "../../src/operations/role-propagation.js";
import type { SecretStorePlan } from "../../src/plan/secrets.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const ROLE = "mcctl-model-catalogue-execution";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const INPUT: RegisterTaskDefinitionCommandInput = {
  family: "model-catalogue",
  containerDefinitions: [],
  executionRoleArn: ROLE_ARN,
};

const passRoleDenied = (role = ROLE_ARN) =>
  Object.assign(
    new Error(
      `User: arn:aws:iam::123456789012:user/ops is not authorized to perform: iam:PassRole on resource: ${role}`,
    ),
    { name: "AccessDeniedException" },
  );
const roleNotValid = () => Object.assign(new Error("Role is not valid"), { name: "ClientException" });

/** An ECS whose RegisterTaskDefinition answers with these errors in turn, then registers; each call's time kept. */
function ecsAnswering(errors: Error[]) {
  const at: number[] = [];
  const ecs = {
    registerTaskDefinition: async () => {
      at.push(Date.now());
      const error = errors.shift();
      if (error) throw error;
      return { family: "model-catalogue", revision: 2 } as TaskDefinition;
    },
  } as unknown as EcsApi;
  return { ecs, at };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
});
afterEach(() => {
  vi.useRealTimers();
});

const change = (overrides: Partial<RoleChange> = {}): RoleChange => ({
  name: ROLE,
  arn: ROLE_ARN,
  created: true,
  at: Date.now(),
  ...overrides,
});

async function register(ecs: EcsApi, roleChange: RoleChange | undefined) {
  const captured = captureOutput();
  const result = await runUntilSettled(
    registerRevision(ecs, terminalReporter(captured.output), INPUT, { roleChange }),
    10 * 60_000,
    250,
  ).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...result, said: captured.all() };
}

describe("registerRevision's waits while a new role propagates", () => {
  it("tries again after 2, 4, 8 and then every 10 s, saying what it waits for and how long so far", async () => {
    const { ecs, at } = ecsAnswering([
      passRoleDenied(),
      passRoleDenied(),
      passRoleDenied(),
      passRoleDenied(),
      passRoleDenied(),
    ]);
    const { value, said } = await register(ecs, change());
    expect(value).toMatchObject({ revision: 2 });
    const gaps = at.slice(1).map((time, index) => time - (at[index] ?? 0));
    expect(gaps).toEqual([2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(said).toContain(
      `Waiting for the new role to be usable: IAM changes take seconds to reach ECS (${ROLE}`,
    );
    expect(said).toMatch(/ECS still refuses it, trying again \(2s\)/);
    expect(said).toMatch(new RegExp(`ECS accepts role ${ROLE} \\(34s after the change\\)`));
  });

  it("tries a last time when the window ends, then says the refusal is still there, never to create the role", async () => {
    const refusals = Array.from({ length: 30 }, () => passRoleDenied());
    const { ecs, at } = ecsAnswering(refusals);
    const { error } = await register(ecs, change());
    expect(error).toBeInstanceOf(McctlError);
    expect(at.at(-1)).toBe(TEST_START + ROLE_PROPAGATION_WINDOW_MS);
    expect((error as McctlError).message).toBe(
      `ECS still refuses to let you pass role ${ROLE} (iam:PassRole denied) 1m 30s after mcctl created it`,
    );
    expect((error as McctlError).suggestion).toMatch(
      /run the command again in a few minutes \(the role exists/,
    );
    expect((error as McctlError).suggestion).toContain(`allow iam:PassRole on ${ROLE_ARN}`);
    expect(`${(error as McctlError).message} ${(error as McctlError).suggestion}`).not.toMatch(
      /create (the|a) role/i,
    );
  });

  it("says changed, not created, and Role is not valid, when that is what ECS still answers for a role it created", async () => {
    const { ecs } = ecsAnswering(Array.from({ length: 30 }, () => roleNotValid()));
    const { error } = await register(ecs, change());
    expect((error as McctlError).message).toMatch(
      /^ECS still does not accept role .* \("Role is not valid"\) 1m 30s after mcctl created it$/,
    );
    const changed = ecsAnswering([passRoleDenied()]);
    const late = change({ created: false, at: Date.now() - ROLE_PROPAGATION_WINDOW_MS });
    const lateError = (await register(changed.ecs, late)).error as McctlError;
    expect(lateError.message).toMatch(/after mcctl changed it$/);
    expect(changed.at).toHaveLength(1);
  });

  it("waits for nothing that the change does not explain", async () => {
    // "Role is not valid" for a role mcctl only gave a policy: the role existed, so it is a real error.
    const notCreated = ecsAnswering([roleNotValid()]);
    expect((await register(notCreated.ecs, change({ created: false }))).error).toMatchObject({
      message: "Role is not valid",
    });
    expect(notCreated.at).toHaveLength(1);
    // PassRole denied on another role.
    const other = ecsAnswering([passRoleDenied("arn:aws:iam::123456789012:role/someone-else")]);
    expect((await register(other.ecs, change())).error).toBeDefined();
    expect(other.at).toHaveLength(1);
    // Another error altogether, or no change at all.
    const throttled = ecsAnswering([
      Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }),
    ]);
    expect((await register(throttled.ecs, change())).error).toBeDefined();
    expect(throttled.at).toHaveLength(1);
    const none = ecsAnswering([passRoleDenied()]);
    expect((await register(none.ecs, undefined)).error).toBeDefined();
    expect(none.at).toHaveLength(1);
  });
});

describe("executionRoleChange", () => {
  const plan = (role: Partial<SecretStorePlan["role"]>) =>
    ({
      role: {
        managed: true,
        create: false,
        attachManagedPolicy: false,
        putPolicy: false,
        name: ROLE,
        arn: ROLE_ARN,
        ...role,
      },
    }) as SecretStorePlan;

  it("is a change only when mcctl manages the role and creates it, attaches or puts a policy", () => {
    expect(executionRoleChange(plan({}), 5)).toBeUndefined();
    expect(executionRoleChange(plan({ managed: false, create: true }), 5)).toBeUndefined();
    expect(executionRoleChange(plan({ create: true }), 5)).toEqual({
      name: ROLE,
      arn: ROLE_ARN,
      created: true,
      at: 5,
    });
    expect(executionRoleChange(plan({ attachManagedPolicy: true }), 5)).toMatchObject({ created: false });
    expect(executionRoleChange(plan({ putPolicy: true }), 5)).toMatchObject({ created: false });
  });
});

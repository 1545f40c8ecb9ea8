import { describe, expect, it } from "vitest";
import { MAX_VALUE_LENGTH } from "../../src/domain/formats.js";
import {
  buildTaskDefinition,
  DEFAULT_TASK_SETTINGS,
  MAX_TASK_DEFINITION_BYTES,
  taskDefinitionSizeProblem,
} from "../../src/domain/task-definition.js";
import { TEST_WIRING } from "../helpers/secrets.js";

const SECRET = "CANARY-size-check-91c2";

function definitionWith(environment: Record<string, string>) {
  return buildTaskDefinition(
    DEFAULT_TASK_SETTINGS,
    {
      METADATA_HOST: "catalogue.example.com",
      METADATA_PASSWORD: SECRET,
      ...environment,
    },
    TEST_WIRING,
  );
}

describe("taskDefinitionSizeProblem", () => {
  it("accepts a usual task definition, even with every value at the per-value limit a few times", () => {
    expect(taskDefinitionSizeProblem(definitionWith({}))).toBeUndefined();
    const large = "x".repeat(MAX_VALUE_LENGTH);
    expect(
      taskDefinitionSizeProblem(definitionWith({ MC_WELCOME_JUMBO: large, MC_WELCOME_INFO: large })),
    ).toBeUndefined();
  });

  it("refuses one above 64 KiB, naming the largest variables but no value", () => {
    const large = "x".repeat(MAX_VALUE_LENGTH);
    const input = definitionWith({
      MC_WELCOME_JUMBO: large.repeat(4),
      MC_WELCOME_INFO: large.repeat(3),
      MC_NAME: large,
      METADATA_PASSWORD: `${SECRET}${large}`,
    });
    // The password is a reference to SSM: its value is not in the task definition to count or name.
    expect(JSON.stringify(input)).not.toContain(SECRET);
    const problem = taskDefinitionSizeProblem(input);
    expect(problem).toMatch(new RegExp(`ECS accepts at most ${MAX_TASK_DEFINITION_BYTES}`));
    expect(problem).toMatch(
      /largest values: MC_WELCOME_JUMBO 32768 bytes, MC_WELCOME_INFO 24576 bytes, MC_NAME 8192 bytes/,
    );
    expect(problem).not.toContain(SECRET);
    expect(problem).not.toContain("xxxx");
  });

  it("counts bytes, not characters: 64 KiB of text in a multi-byte script is too much", () => {
    const text = "é".repeat(MAX_VALUE_LENGTH);
    const input = definitionWith({ MC_WELCOME_JUMBO: text.repeat(2), MC_WELCOME_INFO: text.repeat(2) });
    expect(JSON.stringify(input).length).toBeLessThan(MAX_TASK_DEFINITION_BYTES);
    expect(taskDefinitionSizeProblem(input)).toMatch(/bytes; ECS accepts/);
  });
});

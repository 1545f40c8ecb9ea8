import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../../src/domain/task-definition.js";
import { McctlError } from "../../../src/errors.js";
import { chooseInstanceType } from "../../../src/plan/setup/instance-type.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import type { ChoiceQuestion } from "../../../src/ui/prompts.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const TASK = taskRequirements(DEFAULT_TASK_SETTINGS);
const MUTATING = /^(Create|Run|Authorize|Delete|Modify|Put|Register|Update|Terminate)/;
const T3_SMALL_SHORT =
  "2048 of 3072 CPU units (2 vCPUs), about 1745 of 14336 MiB memory (2048 MiB nominal, less what the OS and kernel keep)";

let sim: SimulatedAws;
let aws: SetupAws;

beforeEach(() => {
  vi.useFakeTimers();
  sim = createSimulatedAws();
  sim.install();
  aws = setupAwsFor(config);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("chooseInstanceType: the type must hold the task", () => {
  it("without a terminal, t3.small from mcctl.json: one error naming the type, what it lacks and the types that fit; nothing created", async () => {
    const { io } = testPlanIo({ settings: { setup: { instance: { type: "t3.small" } } } });

    const error = await failure(chooseInstanceType(io, aws, TASK));

    expect(error.message).toBe(
      `EC2 instance type t3.small (setup.instance.type in mcctl.json) cannot hold the task (3072 CPU units, 14336 MiB): it has ${T3_SMALL_SHORT}`,
    );
    expect(error.suggestion).toBe(
      "Types eu-west-1 offers that hold it, smallest first (by size, not price): m4.xlarge, m5.xlarge, t3.xlarge, m6i.xlarge, r5.xlarge, m5.2xlarge. " +
        'Set "setup": { "instance": { "type": "m5.xlarge" } } in mcctl.json, or run mcctl setup on a terminal to choose; nothing was created.',
    );
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
    // Asked about the type itself, then about the current-generation x86_64 types of the region.
    expect(sim.callsOf("DescribeInstanceTypes", "EC2").map((call) => call.input)).toEqual([
      { InstanceTypes: ["t3.small"] },
      {
        Filters: [
          { Name: "current-generation", Values: ["true"] },
          { Name: "bare-metal", Values: ["false"] },
          { Name: "processor-info.supported-architecture", Values: ["x86_64"] },
        ],
      },
    ]);
  });

  it("refuses a type short of CPU only (r5.large: 2 vCPUs, 16 GiB), and accepts m5.xlarge and m6i.xlarge", async () => {
    const r5 = await failure(
      chooseInstanceType(
        testPlanIo({ settings: { setup: { instance: { type: "r5.large" } } } }).io,
        aws,
        TASK,
      ),
    );
    expect(r5.message).toMatch(/cannot hold the task .*: it has 2048 of 3072 CPU units \(2 vCPUs\)$/);
    for (const type of ["m5.xlarge", "m6i.xlarge"]) {
      const { io, warnings } = testPlanIo({ settings: { setup: { instance: { type } } } });
      expect(await chooseInstanceType(io, aws, TASK)).toBe(type);
      expect(warnings).toEqual([]);
    }
  });

  it("the requirement follows the settings: smaller containers fit on a t3.large", async () => {
    const small = { cpu: 1024, memoryMiB: 6144, hostPorts: [80] };
    const { io } = testPlanIo({ settings: { setup: { instance: { type: "t3.large" } } } });
    expect(await chooseInstanceType(io, aws, small)).toBe("t3.large");
    await failure(chooseInstanceType(io, aws, TASK));
  });

  it("on a terminal: says what t3.small lacks and offers the smallest types that fit, m5.xlarge by default", async () => {
    const { asker, asked } = scriptedAsker(
      { "EC2 instance type": "t3.small" },
      { "instead of t3.small": "m6i.xlarge" },
    );
    const questions: ChoiceQuestion<unknown>[] = [];
    const ask = {
      ...asker,
      askChoice: <T>(question: ChoiceQuestion<T>) => {
        questions.push(question as ChoiceQuestion<unknown>);
        return asker.askChoice(question);
      },
    };
    const { io, warnings } = testPlanIo({ interactive: true, ask });

    expect(await chooseInstanceType(io, aws, TASK)).toBe("m6i.xlarge");

    expect(warnings).toEqual([`t3.small (2 vCPUs, 2 GiB) cannot hold the task: it has ${T3_SMALL_SHORT}`]);
    expect(asked).toEqual([
      "EC2 instance type of the container instance (4 vCPUs and 15 GiB or more)",
      "Instance type to launch instead of t3.small (the smallest current-generation types eu-west-1 offers that hold the task; by size, not price)",
    ]);
    expect(questions[0]?.choices.map((choice) => choice.name)).toEqual([
      "m4.xlarge (4 vCPUs, 16 GiB)",
      "m5.xlarge (4 vCPUs, 16 GiB)",
      "t3.xlarge (4 vCPUs, 16 GiB)",
      "m6i.xlarge (4 vCPUs, 16 GiB)",
      "r5.xlarge (4 vCPUs, 32 GiB)",
      "m5.2xlarge (8 vCPUs, 32 GiB)",
      "another type…",
    ]);
    expect(questions[0]?.defaultValue).toBe("m5.xlarge");
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
  });

  it("on a terminal: only current-generation types the region offers are offered, never arm64 ones for the x86_64 AMI", async () => {
    sim.ec2.setOfferedInstanceTypes(() => true);
    const { asker } = scriptedAsker(
      { "EC2 instance type": "t3.small" },
      { "instead of t3.small": undefined },
    );
    const names: string[] = [];
    const ask = {
      ...asker,
      askChoice: <T>(question: ChoiceQuestion<T>) => {
        names.push(...question.choices.map((choice) => choice.name));
        return asker.askChoice(question);
      },
    };
    const { io } = testPlanIo({ interactive: true, ask });

    expect(await chooseInstanceType(io, aws, TASK)).toBe("m5.xlarge");
    expect(names.join()).not.toMatch(/m3\.|m6g\.|t4g\./);
  });

  it("on a terminal: 'another type…' asks for a name, and a second type that is too small is refused again", async () => {
    const { asker } = scriptedAsker(
      {
        "EC2 instance type": "t3.small",
        "instead of t3.small": "t3.medium",
        "instead of t3.medium": "c5.xlarge",
      },
      {
        "instead of t3.small": "another type",
        "instead of t3.medium": "another type",
        "instead of c5.xlarge": "another type",
      },
    );
    const { io, warnings } = testPlanIo({ interactive: true, ask: asker });

    const error = await failure(chooseInstanceType(io, aws, TASK));

    expect(warnings).toHaveLength(2);
    expect(error.message).toMatch(
      /^EC2 instance type c5\.xlarge cannot hold the task .*: it has about 7582 of 14336 MiB/,
    );
    expect(error.suggestion).not.toContain("on a terminal");
  });

  it("without DescribeInstanceTypes permission for the list: the error says how big a type must be", async () => {
    sim.faults.inject({ service: "EC2", command: "DescribeInstanceTypes", error: "access-denied", after: 1 });
    const { io } = testPlanIo({ settings: { setup: { instance: { type: "t3.small" } } } });

    const error = await failure(chooseInstanceType(io, aws, TASK));

    expect(error.suggestion).toBe(
      "Choose a type with 3 vCPUs and 15 GiB or more and set it as setup.instance.type in mcctl.json, or run mcctl setup on a terminal to choose; nothing was created.",
    );
  });
});

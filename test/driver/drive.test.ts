import { describe, expect, it } from "vitest";
import { ChangeBeforeConfirmationError } from "../../src/aws/limits.js";
import { drive, read } from "../../src/driver/drive.js";
import type { ChangingVerb, Plan, Step } from "../../src/driver/verb.js";
import { McctlError, MissingInputError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const sim = useSimulatedAws();

/** A verb whose plan has `steps` (each records that it ran), and whose plan did `during` first. */
function verbWith(
  titles: string[],
  extra: Partial<Plan<string>> = {},
  during: (context: ReturnType<typeof testContext>) => Promise<unknown> = async () => undefined,
) {
  const ran: string[] = [];
  const steps: Step[] = titles.map((title) => ({
    title,
    run: async () => {
      ran.push(title);
    },
  }));
  const verb: ChangingVerb<{ dryRun?: boolean }, string> = {
    plan: async (context) => {
      await during(context as ReturnType<typeof testContext>);
      return {
        title: "The plan:",
        steps,
        question: "Go ahead?",
        summary: { planned: titles.length },
        outcome: () => ({ value: "applied", json: { applied: ran }, message: `applied ${ran.join(", ")}` }),
        ...extra,
      };
    },
  };
  return { verb, ran };
}

describe("drive", () => {
  it("prints the plan's numbered steps, asks once, then runs the steps in order", async () => {
    const { asker, asked } = scriptedAsker({ "Go ahead?": true });
    const ctx = testContext({ interactive: true, ask: asker });
    const { verb, ran } = verbWith(["first", "second"]);
    await expect(drive(ctx, verb, {})).resolves.toBe("applied");
    expect(asked).toEqual(["Go ahead?"]);
    expect(ran).toEqual(["first", "second"]);
    expect(ctx.captured.stderr()).toContain("The plan:\n  1. first\n  2. second\n");
    expect(ctx.captured.stdout()).toBe("applied first, second\n");
  });

  it("a No at the confirmation runs no step", async () => {
    const { asker } = scriptedAsker({ "Go ahead?": false });
    const ctx = testContext({ interactive: true, ask: asker });
    const { verb, ran } = verbWith(["first"]);
    await expect(drive(ctx, verb, {})).rejects.toThrow(/cancelled at the confirmation; nothing was changed/);
    expect(ran).toEqual([]);
  });

  it("a dry run prints the steps and says once that nothing changed, asking nothing", async () => {
    const ctx = testContext({ interactive: true });
    const { verb, ran } = verbWith(["first"]);
    await expect(drive(ctx, verb, { dryRun: true })).resolves.toEqual({ planned: 1, dryRun: true });
    expect(ran).toEqual([]);
    expect(ctx.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    expect(ctx.captured.all().match(/nothing was changed/g)).toHaveLength(1);
  });

  it("a plan with nothing to do says so and asks nothing, even without a terminal or --yes", async () => {
    const ctx = testContext({ interactive: true });
    const { verb } = verbWith([], { nothingToDo: "everything exists" });
    await expect(drive(ctx, verb, {})).resolves.toMatchObject({ nothingToDo: true, dryRun: false });
    expect(ctx.captured.stdout()).toBe("Nothing to do: everything exists\n");
  });

  it("--json: nothing to do and a dry run answer with the plan's summary, the dry run with its steps", async () => {
    const nothing = testContext({ json: true, options: { yes: true } });
    await drive(nothing, verbWith([], { nothingToDo: "all there" }).verb, {});
    expect(JSON.parse(nothing.captured.stdout())).toEqual({ planned: 0, dryRun: false, nothingToDo: true });
    const dry = testContext({ json: true, options: { yes: true } });
    await drive(dry, verbWith(["first", "second"]).verb, { dryRun: true });
    expect(JSON.parse(dry.captured.stdout())).toEqual({
      planned: 2,
      dryRun: true,
      steps: ["first", "second"],
    });
  });

  it("an Enter at the confirmation is a No", async () => {
    const { asker } = scriptedAsker({ "Go ahead?": undefined });
    const ctx = testContext({ interactive: true, ask: asker });
    const { verb, ran } = verbWith(["first"]);
    await expect(drive(ctx, verb, {})).rejects.toThrow(/cancelled at the confirmation/);
    expect(ran).toEqual([]);
  });

  it("a typed name is compared without surrounding spaces, and a wrong one is quoted cut short", async () => {
    const spaced = testContext({ interactive: true, ask: scriptedAsker({ "to confirm": "  mc  " }).asker });
    const first = verbWith(["delete"], { typeToConfirm: "mc", typeToConfirmLabel: "the service name (mc)" });
    await drive(spaced, first.verb, {});
    expect(first.ran).toEqual(["delete"]);
    const long = testContext({
      interactive: true,
      ask: scriptedAsker({ "to confirm": ` ${"x".repeat(60)} ` }).asker,
    });
    const second = verbWith(["delete"], { typeToConfirm: "mc", typeToConfirmLabel: "the service name (mc)" });
    await expect(drive(long, second.verb, {})).rejects.toThrow(
      `cancelled: "${"x".repeat(40)}" is not the service name (mc); nothing was changed and nothing was saved`,
    );
  });

  it("without a terminal and without --yes, stops before the plan, listing the confirmation with what the verb misses", async () => {
    const ctx = testContext({ interactive: false, options: {} });
    let planned = false;
    const verb: ChangingVerb<object> = {
      localCheck: async () => {
        throw new MissingInputError(["METADATA_PASSWORD"]);
      },
      plan: async () => {
        planned = true;
        throw new Error("never planned");
      },
    };
    const error = await drive(ctx, verb, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD", "confirmation (--yes)"]);
    expect(planned).toBe(false);
  });

  it("with --yes, asks nothing and runs the steps", async () => {
    const ctx = testContext({ options: { yes: true } });
    const { verb, ran } = verbWith(["only"]);
    await drive(ctx, verb, {});
    expect(ran).toEqual(["only"]);
  });

  it("on a terminal, a plan that asks to type a name is confirmed by that name only", async () => {
    const wrong = testContext({
      interactive: true,
      ask: scriptedAsker({ "Type mc to confirm": "yes" }).asker,
    });
    const first = verbWith(["delete"], { typeToConfirm: "mc" });
    await expect(drive(wrong, first.verb, {})).rejects.toThrow(McctlError);
    expect(first.ran).toEqual([]);
    const right = testContext({
      interactive: true,
      ask: scriptedAsker({ "Type mc to confirm": "mc" }).asker,
    });
    const second = verbWith(["delete"], { typeToConfirm: "mc" });
    await drive(right, second.verb, {});
    expect(second.ran).toEqual(["delete"]);
  });

  it("refuses an AWS call that changes something while the plan runs, before it reaches AWS", async () => {
    sim.ecs.addCluster("default");
    const ctx = testContext({ options: { yes: true } });
    const { verb, ran } = verbWith(["never"], {}, async (context) => {
      const ecs = await context.aws.ecs();
      await ecs.describeService("default", "mc");
      return ecs.updateService({ cluster: "default", service: "mc", desiredCount: 0 });
    });
    await expect(drive(ctx, verb, {})).rejects.toBeInstanceOf(ChangeBeforeConfirmationError);
    expect(ran).toEqual([]);
    expect(sim.calls.map((call) => call.command)).not.toContain("UpdateService");
    expect(sim.calls.map((call) => call.command)).toContain("DescribeServices");
  });

  it("lets the steps change AWS after the confirmation", async () => {
    sim.ecs.addCluster("default");
    const ctx = testContext({ options: { yes: true } });
    const verb: ChangingVerb<object> = {
      plan: async (context) => ({
        title: "Create:",
        steps: [
          {
            title: "create the cluster",
            run: async () => {
              await (await context.aws.ecs()).createCluster("other", {});
            },
          },
        ],
        question: "Go?",
        summary: {},
        outcome: () => ({ value: undefined, json: {}, message: "done" }),
      }),
    };
    await drive(ctx, verb, {});
    expect(sim.calls.map((call) => call.command)).toContain("CreateCluster");
  });
});

describe("drive: an interrupt between steps", () => {
  it("lets the step under way finish and starts no other, ending with the signal's exit code", async () => {
    const ctx = testContext({ options: { yes: true } });
    const ran: string[] = [];
    const verb: ChangingVerb<object> = {
      plan: async () => ({
        title: "Two steps:",
        steps: [
          {
            title: "first",
            run: async () => {
              process.emit("SIGTERM");
              ran.push("first");
            },
          },
          {
            title: "second",
            run: async () => {
              ran.push("second");
            },
          },
        ],
        question: "Go?",
        summary: {},
        interrupts: { first: () => "Interrupted: stopping after this step", second: () => "Quit." },
        outcome: () => ({ value: undefined, json: {}, message: "done" }),
      }),
    };
    const error = (await drive(ctx, verb, {}).catch((caught: unknown) => caught)) as McctlError;
    expect(error.exitCode).toBe(143);
    expect(ran).toEqual(["first"]);
    expect(ctx.captured.stderr()).toContain("Interrupted: stopping after this step");
  });
});

describe("read", () => {
  it("refuses any change through a read-only verb", async () => {
    sim.ecs.addCluster("default");
    const ctx = testContext();
    const verb = {
      read: async () =>
        (await ctx.aws.ecs()).updateService({ cluster: "default", service: "mc", desiredCount: 1 }),
    };
    await expect(read(ctx, verb, {})).rejects.toBeInstanceOf(ChangeBeforeConfirmationError);
  });
});

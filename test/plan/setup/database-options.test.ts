import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { McctlError } from "../../../src/errors.js";
import { chooseEngineVersion, chooseInstanceClass } from "../../../src/plan/setup/database-options.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

let sim: SimulatedAws;
let aws: SetupAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
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

describe("chooseEngineVersion", () => {
  it("prefers the newest 5.7 RDS offers, and says what 5.7 costs now", async () => {
    sim.rds.setEngineVersions(["5.7.43", "5.7.44", "8.0.39"]);
    const { io, infos, warnings } = testPlanIo();

    expect(await chooseEngineVersion(io, aws, undefined)).toBe("5.7.44");
    expect(infos).toEqual(["MySQL 5.7.44: the newest 5.7 that RDS offers in eu-west-1."]);
    expect(warnings).toEqual([expect.stringMatching(/^RDS standard support for MySQL 5\.7 ended/)]);
  });

  it("takes mcctl.json's version, a prefix meaning the newest release of it, without a word", async () => {
    const { io, all } = testPlanIo();

    expect(await chooseEngineVersion(io, aws, "8.0")).toBe("8.0.39");
    expect(await chooseEngineVersion(io, aws, "8.0.35")).toBe("8.0.35");
    expect(all()).toBe("");
  });

  it("refuses a version from mcctl.json RDS does not offer, listing the newest it does", async () => {
    const error = await failure(chooseEngineVersion(testPlanIo().io, aws, "5.6"));

    expect(error.message).toBe("RDS offers no MySQL 5.6 in eu-west-1 (setup.database.engineVersion)");
    expect(error.suggestion).toBe(
      "Set setup.database.engineVersion in mcctl.json to one it offers: 8.4.3, 8.0.39, 8.0.35, 5.7.44.",
    );
  });

  it("fails when RDS offers neither 5.7 nor 8.0", async () => {
    sim.rds.setEngineVersions(["8.4.3"]);

    const error = await failure(chooseEngineVersion(testPlanIo().io, aws, undefined));

    expect(error.message).toBe("RDS offers neither MySQL 5.7 nor 8.0 in eu-west-1");
    expect(error.suggestion).toContain("(8.4.3)");
  });
});

describe("chooseInstanceClass", () => {
  it("the guide's db.t2.small when RDS offers it for the version; asked on a terminal", async () => {
    const { asker, asked } = scriptedAsker({ "Instance class of the new MySQL instance": undefined });

    expect(await chooseInstanceClass(testPlanIo().io, aws, "5.7.44", undefined)).toBe("db.t2.small");
    expect(
      await chooseInstanceClass(testPlanIo({ interactive: true, ask: asker }).io, aws, "5.7.44", undefined),
    ).toBe("db.t2.small");
    expect(asked).toEqual(["Instance class of the new MySQL instance"]);
  });

  it("refuses a malformed class from mcctl.json before asking RDS", async () => {
    const error = await failure(chooseInstanceClass(testPlanIo().io, aws, "8.0.39", "t3.small"));

    expect(error.message).toBe(
      "setup.database.instanceClass in the settings file must look like db.t3.small",
    );
    expect(sim.calls).toEqual([]);
  });

  it("on a terminal, offers the current classes RDS has for the version, best first", async () => {
    sim.rds.setOrderableOptions([
      { engineVersion: "8.0", classes: ["db.m5.large", "db.t3.medium", "db.r5.large"] },
    ]);
    let offered: string[] = [];
    const { asker } = scriptedAsker({}, { "Instance class to use instead": undefined });
    const io = testPlanIo({
      interactive: true,
      ask: {
        ...asker,
        askChoice: async (question) => {
          offered = question.choices.map((choice) => choice.name);
          return asker.askChoice(question);
        },
      },
    });

    const chosen = await chooseInstanceClass(io.io, aws, "8.0.39", "db.t2.small");

    expect(offered).toEqual(["db.t3.medium", "db.m5.large"]);
    expect(chosen).toBe("db.t3.medium");
    expect(io.warnings).toEqual(["RDS does not offer db.t2.small for MySQL 8.0.39 in eu-west-1."]);
  });
});

// setup with --yes: --timeout bounds the plan's AWS calls, while each of the apply's waits (database,
// instance, service) has a --timeout of its own, so no call of the apply may find the plan's deadline.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { AwsClients } from "../../src/aws/clients.js";
import { limitsInForce } from "../../src/aws/limits.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { testContext } from "../helpers/context.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { runUntilSettled } from "../helpers/time.js";

let sim: SimulatedAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seedEmptyAccount(sim);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

it("with --yes, --timeout bounds the plan's calls, and no call of the apply", async () => {
  const base = testContext({
    settings: {
      environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
      features: { mail: false, google: false },
      setup: { instance: { type: "m5.xlarge", keyPair: false } },
    },
    settingsPath: join(await mkdtemp(join(tmpdir(), "mcctl-setup-")), "mcctl.json"),
    env: { METADATA_PASSWORD: "Canary-Db-Pass-93x", MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-41q" },
    options: { yes: true },
  });
  // The database alone takes longer than the 5 minutes this deadline gives the plan.
  const deadline = Date.now() + 5 * 60_000;
  const context = { ...base, deadline, aws: new AwsClients(base.aws.config, { deadline }) };
  const calls: { at: number; deadline: number | undefined }[] = [];
  sim.faults.inject({
    error: "throttling",
    times: Number.POSITIVE_INFINITY,
    match: () => {
      calls.push({ at: Date.now(), deadline: limitsInForce(context.aws.limits).deadline });
      return false;
    },
  });
  const outcome = await runUntilSettled(
    runSetupCommand(context, SetupOptionsSchema.parse({})),
    4 * 60 * 60_000,
    5_000,
  );

  expect(outcome.complete).toBe(true);
  expect(calls[0]?.deadline).toBe(deadline);
  expect(calls.filter((call) => call.at > deadline).length).toBeGreaterThan(0);
  // The transport refuses a call whose deadline has passed: none may have one.
  expect(calls.filter((call) => call.deadline !== undefined && call.deadline < call.at)).toEqual([]);
});

import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, vi } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import type { Settings } from "../../src/config/settings.js";
import { type TestContextOptions, testContext } from "./context.js";
import { createSimulatedAws, type SimulatedAws } from "./sim.js";
import { seedEmptyAccount } from "./sim-fixtures.js";
import { TEST_START } from "./simulated-aws.js";
import { runUntilSettled } from "./time.js";

/** The calls that change an AWS account, by the name of the API call. */
export const MUTATING =
  /^(Create|Put|Run|Authorize|Revoke|Register|Update|Delete|Modify|Stop|Start|Terminate|Deregister|Restore)/;

/**
 * One simulated, empty account and the mcctl.json a deployment's life keeps in it: the tests that walk
 * commands one after the other (setup, upgrade, destroy, setup again…) and hold the one-truth invariant
 * after each step. Call `open()` in a before hook and `close()` in the matching after hook.
 */
export class AccountLife {
  sim!: SimulatedAws;
  settingsPath = "";

  async open(): Promise<void> {
    vi.useFakeTimers();
    vi.setSystemTime(TEST_START);
    this.sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
    this.sim.install();
    seedEmptyAccount(this.sim);
    this.settingsPath = join(await mkdtemp(join(tmpdir(), "mcctl-life-")), "mcctl.json");
  }

  close(): void {
    this.sim.restore();
    vi.useRealTimers();
  }

  async savedSettings(): Promise<Settings> {
    return JSON.parse(await readFile(this.settingsPath, "utf8")) as Settings;
  }

  /** A --yes context on the saved mcctl.json (or `settings`), with `env` as the environment. */
  async context(env: NodeJS.ProcessEnv = {}, settings?: Settings, extra: TestContextOptions = {}) {
    return testContext({
      settings: settings ?? (await this.savedSettings()),
      settingsPath: this.settingsPath,
      env,
      options: { yes: true },
      ...extra,
    });
  }

  run<T>(promise: Promise<T>): Promise<T> {
    return runUntilSettled(promise, 6 * 60 * 60_000, 5_000);
  }

  mutatingCallsSince(start: number): string[] {
    return this.sim.calls
      .slice(start)
      .filter((call) => MUTATING.test(call.command))
      .map((call) => `${call.service}:${call.command}`);
  }

  /**
   * The one truth: a plain `register-task --yes` and `setup --yes` (nothing in the environment, not even a
   * secret: SSM holds them) succeed, change nothing in AWS, and leave mcctl.json as it was.
   */
  async expectNothingToChange(): Promise<Settings> {
    const before = await this.savedSettings();
    const start = this.sim.calls.length;
    const registration = await this.run(
      runRegisterTask(await this.context(), RegisterTaskOptionsSchema.parse({})),
    );
    expect(registration).toMatchObject({ registered: false, taskDefinitionArn: expect.any(String) });
    const setup = await this.run(runSetupCommand(await this.context(), SetupOptionsSchema.parse({})));
    expect(setup).toMatchObject({ complete: true, created: [] });
    expect(this.mutatingCallsSince(start)).toEqual([]);
    expect(await this.savedSettings()).toEqual(before);
    return before;
  }
}

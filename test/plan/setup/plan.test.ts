import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { planSetup } from "../../../src/plan/setup/plan.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { testTarget } from "../../helpers/secrets.js";
import { setupAwsFor, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const MUTATING = /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Terminate)/;
const ACCOUNT = "123456789012";
const env = {
  METADATA_PASSWORD: "Canary-Db-Pass-93x",
  MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-41q",
  MC_S3_KEY: "AKIAEXAMPLEKEY",
  MC_S3_SECRET: "Canary-S3-Secret",
};
const baseSettings: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

let sim: SimulatedAws;
let aws: SetupAws;
let subnetIds: string[];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ accountId: ACCOUNT });
  sim.install();
  ({ subnetIds } = seedEmptyAccount(sim));
  aws = setupAwsFor(config);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const mutatingCalls = () => sim.calls.filter((call) => MUTATING.test(call.command));
const request = { cluster: "default", service: "mc", target: testTarget(ACCOUNT) };

describe("planSetup", () => {
  it("plans every resource of an empty account and creates nothing", async () => {
    const { io, all } = testPlanIo({ env, settings: baseSettings, tags: { "managed-by": "mcctl" } });

    const plan = await planSetup(io, aws, request);

    expect(plan.lines.map((line) => `${line.step}: ${line.state}`)).toEqual([
      "S3 bucket: create",
      "Database security group: create",
      "MySQL database: create",
      "ECS cluster: create",
      "instance security group: create",
      "container instance: create",
      "Database access: create",
      "ECS service: create",
    ]);
    expect(plan.bucket).toMatchObject({ name: `model-catalogue-assets-${ACCOUNT}`, action: "create" });
    expect(plan.settingsAfter.environment?.MC_S3_BUCKET).toBe(`model-catalogue-assets-${ACCOUNT}`);
    expect(plan.jdbcPending).toBe(true);
    expect(plan.service).toEqual({ name: "mc", exists: false, runs: undefined });
    expect(mutatingCalls()).toEqual([]);
    for (const secret of Object.values(env)) expect(all()).not.toContain(secret);
  });

  it("says what mcctl.json will hold: the bucket as MC_S3_BUCKET, the new database and the launch; no secret", async () => {
    const { io } = testPlanIo({
      env,
      settings: { ...baseSettings, setup: { ...baseSettings.setup, bucket: "legacy-bucket" } },
    });

    const plan = await planSetup(io, aws, request);

    const after = plan.settingsAfter;
    expect(after.environment?.MC_S3_BUCKET).toBe("legacy-bucket");
    expect(after.setup?.bucket).toBeUndefined();
    // The endpoint is not known yet: no JDBC URL that only stands in for it.
    expect(after.environment?.METADATA_JDBC_URL).toBeUndefined();
    expect(after.setup?.database).toEqual({
      identifier: "model-catalogue",
      create: true,
      engineVersion: "5.7.44",
      instanceClass: "db.t2.small",
      storageGiB: 20,
      masterUsername: "mcadmin",
      databaseName: "mc",
    });
    expect(after.setup?.instance).toEqual({
      type: "m5.xlarge",
      keyPair: false,
      instanceProfile: "ecsInstanceRole",
      subnetId: subnetIds[0],
    });
    expect(after).toMatchObject({ region: "eu-west-1", cluster: "default", service: "mc" });
    for (const secret of Object.values(env)) expect(JSON.stringify(after)).not.toContain(secret);
  });
});

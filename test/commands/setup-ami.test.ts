import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import type { Settings } from "../../src/config/settings.js";
import { McctlError } from "../../src/errors.js";
import { ECS_AMI_OWNER, imageIdFor } from "../../src/sandbox/sim/ec2-model.js";
import { testContext } from "../helpers/context.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { addMcHost, seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { runUntilSettled } from "../helpers/time.js";

const env = {
  METADATA_PASSWORD: "Canary-Db-Pass-93x",
  MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-41q",
  MC_S3_KEY: "AKIAEXAMPLEKEY",
  MC_S3_SECRET: "Canary-S3-Secret",
};
const MUTATING = /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Terminate)/;
const X86_NAME = "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64";
const ARM_NAME = "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-arm64";
const AL2_NAME = "amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs";

let sim: SimulatedAws;
let settingsPath: string;

beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seedEmptyAccount(sim);
  settingsPath = join(await mkdtemp(join(tmpdir(), "mcctl-setup-ami-")), "mcctl.json");
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const settingsFor = (instanceType: string): Settings => ({
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false },
  setup: { instance: { type: instanceType, keyPair: false } },
});

function setup(settings: Settings, raw: Record<string, unknown> = {}, extraEnv: NodeJS.ProcessEnv = env) {
  const context = testContext({ settings, settingsPath, env: extraEnv, options: { yes: true } });
  return {
    context,
    run: runUntilSettled(runSetupCommand(context, SetupOptionsSchema.parse(raw)), 4 * 60 * 60_000, 5_000),
  };
}

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);
const launchedImages = () => sim.callsOf("RunInstances", "EC2").map((call) => call.input.ImageId);

describe("setup and the ECS-optimized AMI", () => {
  it("launches the recommended Amazon Linux 2023 AMI and its plan names the id, the name and the OS", async () => {
    const { context, run } = setup(settingsFor("m5.xlarge"));
    expect((await run).complete).toBe(true);
    const ami = imageIdFor(X86_NAME, "eu-west-1");
    expect(launchedImages()).toEqual([ami]);
    expect(context.captured.stderr()).toContain(
      `  + container instance: m5.xlarge from ${ami} (${X86_NAME}, Amazon Linux 2023) in subnet-`,
    );
  });

  it("launches the arm64 AMI for a Graviton type, and the service becomes steady on it", async () => {
    const { run } = setup(settingsFor("m6g.xlarge"));
    expect((await run).complete).toBe(true);
    expect(launchedImages()).toEqual([imageIdFor(ARM_NAME, "eu-west-1")]);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
  });

  it("--yes a second time changes nothing, though AWS recommends a newer AMI by then", async () => {
    await setup(settingsFor("m5.xlarge")).run;
    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    const name = "al2023-ami-ecs-hvm-2023.0.20261124-kernel-6.1-x86_64";
    const newer = sim.ec2.addImage({
      name,
      creationDate: "2026-11-24T18:00:00.000Z",
      ownerId: ECS_AMI_OWNER,
      ownerAlias: "amazon",
    });
    sim.ssm.publicParameters.publishRecommendedEcsAmi("amazon-linux-2023", {
      imageId: newer.ImageId ?? "",
      imageName: name,
      os: "Amazon Linux 2023",
    });
    sim.clearCalls();

    const { context, run } = setup(saved, {}, {});
    expect((await run).complete).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ec2.instances()).toHaveLength(1);
    // The instance on the older release is supported: no warning about it.
    expect(context.captured.stderr()).not.toMatch(/whose support ended/);
    expect(JSON.parse(await readFile(settingsPath, "utf8"))).toEqual(saved);
  });

  it("warns in the plan about a container instance on Amazon Linux 2, uses it and launches nothing", async () => {
    sim.ecs.addCluster("default");
    const al2 = imageIdFor(AL2_NAME, "eu-west-1");
    addMcHost(sim, "default", { instanceId: "i-0a1b2c3d4e5f60718", imageId: al2 });
    const { context, run } = setup(settingsFor("m5.xlarge"), { dryRun: true });
    await run;
    const stderr = context.captured.stderr();
    const warning = `⚠ i-0a1b2c3d4e5f60718 runs Amazon Linux 2 (${al2}), whose support ended on 2026-06-30: `;
    expect(stderr).toContain(warning);
    // Before the plan's lines, which use the instance as it is.
    expect(stderr.indexOf(warning)).toBeLessThan(stderr.indexOf("Setup plan:"));
    expect(stderr).toContain("  ✔ container instance: i-0a1b2c3d4e5f60718 in default has room for the task");
    expect(sim.callsOf("GetParameter", "SSM").map((call) => call.input.Name)).not.toContain(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
    );
  });

  it("stops before any change with one clear line when ssm:GetParameter is denied", async () => {
    sim.faults.inject({
      service: "SSM",
      command: "GetParameter",
      match: (input) => (input.Name ?? "").startsWith("/aws/service/"),
      error: "access-denied",
    });
    const error = await setup(settingsFor("m5.xlarge")).run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      "cannot read which AMI to launch: AWS denied ssm:GetParameter on its public parameter /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
    );
    expect((error as McctlError).suggestion).toContain(
      "ssm:GetParameter on arn:aws:ssm:eu-west-1::parameter/aws/service/ecs/*",
    );
    expect(mutatingCalls()).toEqual([]);
  });
});

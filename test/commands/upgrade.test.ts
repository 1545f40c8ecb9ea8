import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import { McctlError, UsageError } from "../../src/errors.js";
import type { Asker } from "../../src/ui/prompts.js";
import { testContext } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { addMcHost, type HostOptions, mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const askConfirm = vi.fn<Asker["askConfirm"]>();
const asker: Asker = {
  askConfirm,
  askText: vi.fn(),
  askSecret: vi.fn(),
  askChoice: vi.fn(),
};

const sim = useSimulatedAws();

afterEach(() => {
  vi.clearAllMocks();
});

async function runningService(image = "metadata/registry:2.0.0-beta-10") {
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  sim.ecs.registerTaskDefinition({
    ...mcTaskDefinition({ family: "model-catalogue", image }),
    taskRoleArn: "arn:aws:iam::123456789012:role/mc-task",
    placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ m5.*" }],
  });
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(60_000);
  sim.clearCalls();
}

const upgrade = (raw: Record<string, unknown>, interactive = false) =>
  runUntilSettled(
    runUpgrade(
      testContext({ options: { yes: !interactive }, interactive, ask: asker }),
      UpgradeOptionsSchema.parse({ pollInterval: "3s", ...raw }),
    ),
  );

/** The service family's deregistrations: the pre-pull's own one-off revision is always deregistered. */
const serviceDeregistrations = () =>
  sim.callsOf("DeregisterTaskDefinition").filter((call) => !call.input.taskDefinition?.includes("-prepull:"));
const serviceRegistrations = () =>
  sim.callsOf("RegisterTaskDefinition").filter((call) => call.input.family === "model-catalogue");

const runningRevisions = () =>
  sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "RUNNING" })
    .map((task) => task.taskDefinitionArn?.split("/").pop());

describe("upgrade --tag", () => {
  it("registers a copy of the current revision with only the mc image changed, then restarts onto it", async () => {
    await runningService();
    const result = await upgrade({ tag: "2.0.0-beta-11" });

    const [registered] = serviceRegistrations();
    const expected = {
      ...mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0-beta-11" }),
      taskRoleArn: "arn:aws:iam::123456789012:role/mc-task",
      placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ m5.*" }],
    };
    expect(registered?.input.family).toBe("model-catalogue");
    expect(registered?.input.containerDefinitions?.map((container) => container.image)).toEqual([
      "metadata/registry:2.0.0-beta-11",
      "metadata/registry-elasticsearch:2",
    ]);
    expect(registered?.input).toMatchObject(expected);
    expect(registered?.input).not.toHaveProperty("revision");
    expect(registered?.input).not.toHaveProperty("taskDefinitionArn");
    // Pointed at the new revision while scaling to 0, then scaled back.
    expect(
      sim
        .callsOf("UpdateService")
        .map((call) => [call.input.desiredCount, call.input.taskDefinition?.split("/").pop()]),
    ).toEqual([
      [0, "model-catalogue:2"],
      [1, undefined],
    ]);
    expect(runningRevisions()).toEqual(["model-catalogue:2"]);
    expect(result).toMatchObject({ from: "model-catalogue:1", to: "model-catalogue:2" });
    expect(serviceDeregistrations()).toHaveLength(0);
  });

  it("changes the Elasticsearch tag with --es-tag and the whole image with --image", async () => {
    await runningService();
    await upgrade({ image: "example.org:5000/mc/registry:3.0", esTag: "3" });
    const images = serviceRegistrations()[0]?.input.containerDefinitions?.map((container) => container.image);
    expect(images).toEqual(["example.org:5000/mc/registry:3.0", "metadata/registry-elasticsearch:3"]);
  });

  it("--dry-run shows the image change and registers nothing", async () => {
    await runningService();
    const context = testContext();
    await runUntilSettled(runUpgrade(context, UpgradeOptionsSchema.parse({ tag: "2.1", dryRun: true })));
    expect(context.captured.stderr()).toContain(
      "~ mc image: metadata/registry:2.0.0-beta-10 → metadata/registry:2.1",
    );
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
  });

  it("rejects an invalid tag and --tag with --image", () => {
    expect(() => UpgradeOptionsSchema.parse({ tag: "bad tag!" })).toThrow(/is not a Docker tag/);
    expect(() => UpgradeOptionsSchema.parse({ tag: "2", image: "x:1" })).toThrow(/not both/);
  });

  it("refuses when the running revision already uses that image", async () => {
    await runningService();
    await expect(upgrade({ tag: "2.0.0-beta-10" })).rejects.toBeInstanceOf(UsageError);
  });

  it("fails clearly when the task definition has no mc container", async () => {
    sim.ecs.addCluster("default");
    sim.ecs.addContainerInstance("default");
    sim.ecs.registerTaskDefinition({
      family: "web",
      containerDefinitions: [{ name: "web", image: "nginx:1", memory: 512, essential: true }],
    });
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "web" }));
    await expect(upgrade({ tag: "2" })).rejects.toThrow("task definition web:1 has no container named mc");
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
  });

  it("rolls back to the previous revision on failure with --rollback-on-failure", async () => {
    await runningService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:nope"),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
    });
    const error = (await upgrade({ tag: "nope", rollbackOnFailure: true }).catch(
      (caught: unknown) => caught,
    )) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/upgrade failed and was rolled back: mc runs model-catalogue:1 again/);
    expect(error.message).toMatch(/CannotPullContainerError/);
    expect(runningRevisions()).toEqual(["model-catalogue:1"]);
    expect(askConfirm).not.toHaveBeenCalled();
    expect(serviceDeregistrations()).toHaveLength(0);
  });

  it("asks in the plan whether to roll back on failure, so nothing is asked once the upgrade runs", async () => {
    await runningService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:nope"),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
    });
    // No automatic rollback, then yes to the upgrade.
    vi.mocked(askConfirm).mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    const error = (await upgrade({ tag: "nope" }, true).catch((caught: unknown) => caught)) as McctlError;
    expect(vi.mocked(askConfirm).mock.calls.map((call) => call[0])).toEqual([
      "If the new revision fails to start, roll back to model-catalogue:1 at once?",
      "Upgrade mc in account 123456789012, eu-west-1? Model Catalogue is unavailable until the new task has started.",
    ]);
    expect(error.message).toMatch(/^upgrade failed: the deployment of mc is failing/);
    expect(error.suggestion).toContain("mcctl rollback --to 1");
  });

  it("rolls back when the operator said so in the plan", async () => {
    await runningService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:nope"),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
    });
    vi.mocked(askConfirm).mockResolvedValueOnce(true).mockResolvedValueOnce(true);
    const error = (await upgrade({ tag: "nope" }, true).catch((caught: unknown) => caught)) as McctlError;
    expect(vi.mocked(askConfirm)).toHaveBeenCalledTimes(2);
    expect(error.message).toMatch(/upgrade failed and was rolled back: mc runs model-catalogue:1 again/);
    expect(runningRevisions()).toEqual(["model-catalogue:1"]);
  });
});

describe("upgrade --tag: the new revision must be one a container instance can run", () => {
  const MUTATING = /^(Register|Create|Update|Delete|Put|Run|Authorize|Stop)/;
  const mutating = () => sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => call.command);

  it("refuses, before any change, moving to awslogs when the only instance's agent does not offer that driver", async () => {
    await runningService();
    const [instance] = sim.ecs.tasks({ lastStatus: "RUNNING" });
    // The operator's own instance: ECS_AVAILABLE_LOGGING_DRIVERS without "awslogs".
    sim.ecs.removeContainerInstanceAttribute(
      instance?.containerInstanceArn ?? "",
      "com.amazonaws.ecs.capability.logging-driver.awslogs",
    );
    sim.clearCalls();

    const error = (await upgrade({ tag: "2.0.0-beta-11" }).catch((caught: unknown) => caught)) as McctlError;

    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      "no container instance in cluster default could ever run the new revision of model-catalogue: i-0abc (m5.xlarge): lacks the attribute com.amazonaws.ecs.capability.logging-driver.awslogs (the awslogs log driver)",
    );
    expect(error.suggestion).toMatch(
      /^Add "awslogs" to ECS_AVAILABLE_LOGGING_DRIVERS in \/etc\/ecs\/ecs\.config/,
    );
    expect(mutating()).toEqual([]);
    expect(runningRevisions()).toEqual(["model-catalogue:1"]);
  });

  it("refuses, before any change, a base revision (the one mcctl.json describes) too large for every instance", async () => {
    await runningService();
    sim.ecs.registerTaskDefinition({
      ...mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0-beta-10" }),
      containerDefinitions: mcTaskDefinition().containerDefinitions?.map((container) =>
        container.name === "mc" ? { ...container, memory: 16384 } : container,
      ),
    });
    sim.clearCalls();

    const error = (await runUntilSettled(
      runUpgrade(
        testContext({ options: { yes: true }, settings: { taskDefinition: "model-catalogue:2" } }),
        UpgradeOptionsSchema.parse({ pollInterval: "3s", tag: "2.0.0-beta-11" }),
      ),
    ).catch((caught: unknown) => caught)) as McctlError;

    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      "no container instance in cluster default could ever run the new revision of model-catalogue: i-0abc (m5.xlarge): 15360 of 20480 MiB memory registered",
    );
    expect(mutating()).toEqual([]);
  });
});

describe("rollback", () => {
  const rollback = (raw: Record<string, unknown> = {}) =>
    runUntilSettled(
      runRollback(
        testContext({ options: { yes: true } }),
        RollbackOptionsSchema.parse({ pollInterval: "3s", ...raw }),
      ),
    );

  it("goes back to the previous ACTIVE revision and restarts onto it", async () => {
    await runningService();
    await upgrade({ tag: "2.1" });
    sim.clearCalls();
    const result = await rollback();
    expect(result).toMatchObject({ from: "model-catalogue:2", to: "model-catalogue:1" });
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(runningRevisions()).toEqual(["model-catalogue:1"]);
  });

  it("goes to the revision named with --to", async () => {
    await runningService();
    await upgrade({ tag: "2.1" });
    await upgrade({ tag: "2.2" });
    await rollback({ to: "1" });
    expect(runningRevisions()).toEqual(["model-catalogue:1"]);
  });

  it("says so when there is nothing older to roll back to", async () => {
    await runningService();
    await expect(rollback()).rejects.toThrow(
      "model-catalogue has no ACTIVE revision older than 1 to roll back to",
    );
  });
});

describe("upgrade without a tag (floating tags)", () => {
  /** A fake `ssh` first on PATH: records its arguments, fails for hosts named in FAIL_HOST. */
  function fakeSsh() {
    const dir = mkdtempSync(join(tmpdir(), "mcctl-fake-ssh-"));
    const log = join(dir, "calls.log");
    writeFileSync(
      join(dir, "ssh"),
      `#!/bin/sh\necho "$@" >> "${log}"\ncase "$*" in *"$FAIL_HOST"*) [ -n "$FAIL_HOST" ] && { echo "ssh: connect to host: Connection timed out" >&2; exit 255; };; esac\necho "Status: Downloaded newer image"\n`,
    );
    chmodSync(join(dir, "ssh"), 0o755);
    vi.stubEnv("PATH", `${dir}:${process.env.PATH ?? ""}`);
    return { calls: () => readFileSync(log, "utf8").trim().split("\n") };
  }

  async function serviceOnHost(options: HostOptions = {}) {
    sim.ecs.addCluster("default");
    const { instance } = addMcHost(sim, "default", options);
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await vi.advanceTimersByTimeAsync(60_000);
    sim.clearCalls();
    return instance.PublicDnsName as string;
  }

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("--dry-run prints one ssh docker pull per image on the host running the task", async () => {
    const host = await serviceOnHost();
    const context = testContext();
    await runUntilSettled(
      runUpgrade(context, UpgradeOptionsSchema.parse({ dryRun: true, sshKey: "/keys/mc.pem" })),
    );
    const printed = context.captured.stderr();
    for (const image of ["metadata/registry:2", "metadata/registry-elasticsearch:2"]) {
      expect(printed).toContain(
        `ssh -i /keys/mc.pem -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=15 ec2-user@${host} docker pull ${image}`,
      );
    }
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
  });

  /** A security group in a default VPC letting TCP `port` in from anywhere. */
  function groupOpenOn(port: number): string {
    const { vpcId } = sim.ec2.addDefaultVpc();
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: `open-${port}`,
      Description: "test",
      VpcId: vpcId,
    });
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    });
    return GroupId as string;
  }

  it("with --ssh-key, warns, naming --skip-pull, when ssh cannot reach the host: no key pair, port 22 closed", async () => {
    await serviceOnHost({ instanceId: "i-0123456789abcdef0", securityGroupIds: [groupOpenOn(80)] });
    const context = testContext();
    await runUntilSettled(
      runUpgrade(context, UpgradeOptionsSchema.parse({ dryRun: true, sshKey: "/keys/mc.pem" })),
    );
    const group = sim.ec2
      .describeSecurityGroups()
      .SecurityGroups?.find((g) => g.GroupName === "open-80")?.GroupId;
    expect(context.captured.stderr()).toContain(
      `⚠ EC2 instance i-0123456789abcdef0 cannot be reached over ssh: it was launched without a key pair and its security groups (${group}) allow no inbound port 22, so its pull would fail. Run \`mcctl upgrade --skip-pull\` to restart only (the ECS agent pulls the images as the task starts).`,
    );
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
  });

  it("says only what is missing, and nothing when the host has a key pair and port 22 open", async () => {
    sim.ec2.addKeyPair("mc");
    const ssh = groupOpenOn(22);
    await serviceOnHost({ keyName: "mc", securityGroupIds: [ssh] });
    const reachable = testContext();
    await runUntilSettled(
      runUpgrade(reachable, UpgradeOptionsSchema.parse({ dryRun: true, sshKey: "/keys/mc.pem" })),
    );
    expect(reachable.captured.stderr()).not.toContain("cannot be reached over ssh");
    expect(sim.callsOf("DescribeSecurityGroups").at(-1)?.input).toEqual({
      Filters: [{ Name: "group-id", Values: [ssh] }],
    });
  });

  it("says nothing of ssh with --skip-pull", async () => {
    await serviceOnHost();
    const context = testContext();
    await runUntilSettled(runUpgrade(context, UpgradeOptionsSchema.parse({ dryRun: true, skipPull: true })));
    expect(context.captured.stderr()).not.toContain("ssh");
  });

  it("with --ssh-key, pulls on the host with the system ssh (no pre-pull), then restarts", async () => {
    const host = await serviceOnHost();
    const ssh = fakeSsh();
    await runUntilSettled(
      runUpgrade(
        testContext({ options: { yes: true } }),
        UpgradeOptionsSchema.parse({ sshUser: "admin", sshKey: "/keys/mc.pem", pollInterval: "3s" }),
      ),
    );
    expect(ssh.calls()).toEqual([
      expect.stringMatching(new RegExp(`admin@${host} docker pull metadata/registry:2$`)),
      expect.stringMatching(new RegExp(`admin@${host} docker pull metadata/registry-elasticsearch:2$`)),
    ]);
    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0, 1]);
    expect(sim.callsOf("StartTask")).toHaveLength(0);
  });

  it("does not restart when a pull fails", async () => {
    const host = await serviceOnHost();
    fakeSsh();
    vi.stubEnv("FAIL_HOST", host);
    const error = await runUntilSettled(
      runUpgrade(
        testContext({ options: { yes: true } }),
        UpgradeOptionsSchema.parse({ sshKey: "/keys/mc.pem" }),
      ),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe("2 of 2 image pulls failed; the service was not restarted");
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
  });

  it("--skip-pull restarts without ssh", async () => {
    await serviceOnHost();
    await runUntilSettled(
      runUpgrade(
        testContext({ options: { yes: true } }),
        UpgradeOptionsSchema.parse({ skipPull: true, pollInterval: "3s" }),
      ),
    );
    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0, 1]);
  });
});

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { McctlError } from "../../src/errors.js";
import {
  buildPullCommands,
  findServiceHosts,
  formatCommand,
  type PullResult,
  runPullCommands,
} from "../../src/operations/pull-images.js";
import { addMcHost, type HostOptions, mcServiceInput, mcTaskDefinition } from "../sim/fixtures.js";
import { createSimulatedAws, type SimulatedAws } from "../sim/index.js";

const IDS = ["i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"];
const IMAGES = ["metadata/registry:2", "metadata/registry-elasticsearch:2"];

describe("findServiceHosts", () => {
  let sim: SimulatedAws;
  const config = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" as const };
  const find = (usePrivateIp = false) =>
    findServiceHosts(createEcsApi(config), createEc2Api(config), "default", "mc", { usePrivateIp });

  beforeEach(() => {
    vi.useFakeTimers();
    sim = createSimulatedAws();
    sim.install();
    sim.ecs.addCluster("default");
  });

  afterEach(() => {
    sim.restore();
    vi.useRealTimers();
  });

  async function run(desiredCount: number, hosts: HostOptions[], hostPort = 80) {
    for (const host of hosts) addMcHost(sim, "default", host);
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue", hostPort }));
    sim.ecs.createService(
      mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue", desiredCount }),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(desiredCount);
  }

  it("follows each task to its container instance, EC2 instance and public DNS name", async () => {
    await run(2, [
      { instanceId: IDS[0], publicDnsName: "ec2-one.example.com" },
      { instanceId: IDS[1], publicDnsName: "ec2-two.example.com" },
    ]);
    const hosts = await find();
    expect(hosts.map((host) => [host.ec2InstanceId, host.host])).toEqual([
      [IDS[0], "ec2-one.example.com"],
      [IDS[1], "ec2-two.example.com"],
    ]);
    expect(hosts[0]?.containerInstanceArn).toMatch(/:container-instance\/default\/[0-9a-f]{32}$/);
  });

  it("uses the private IPs with --ssh-private-ip", async () => {
    await run(1, [
      { instanceId: IDS[0], publicDnsName: null, publicIpAddress: null, privateIpAddress: "10.0.3.4" },
    ]);
    expect((await find(true)).map((host) => host.host)).toEqual(["10.0.3.4"]);
  });

  it("fails with a suggestion when an instance has no public address and --ssh-private-ip was not given", async () => {
    await run(1, [
      { instanceId: IDS[0], publicDnsName: null, publicIpAddress: null, privateIpAddress: "10.0.3.4" },
    ]);
    const error = (await find().catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(`EC2 instance ${IDS[0]} has no public DNS name or public IP (running)`);
    expect(error.suggestion).toMatch(/--ssh-private-ip to connect to its private IP 10\.0\.3\.4/);
  });

  it("falls back to the public IP in a VPC without DNS host names", async () => {
    await run(1, [{ instanceId: IDS[0], publicDnsName: null, publicIpAddress: "3.250.7.8" }]);
    expect((await find()).map((host) => host.host)).toEqual(["3.250.7.8"]);
  });

  it("names each host once when several tasks share an instance", async () => {
    // Without a fixed host port two tasks fit on one big instance.
    await run(
      2,
      [{ instanceId: IDS[0], publicDnsName: "ec2-big.example.com", cpu: 8192, memoryMiB: 30720 }],
      0,
    );
    expect((await find()).map((host) => host.host)).toEqual(["ec2-big.example.com"]);
  });

  it("finds no host when no task runs", async () => {
    await run(0, [{ instanceId: IDS[0] }]);
    expect(await find()).toEqual([]);
    expect(sim.callsOf("DescribeInstances")).toHaveLength(0);
  });
});

describe("buildPullCommands", () => {
  const hosts = [{ host: "ec2-one.example.com" }, { host: "10.0.3.4" }, { host: "ec2-one.example.com" }];

  it("builds one non-interactive ssh per host and image", () => {
    const commands = buildPullCommands(hosts, [...IMAGES, IMAGES[0] ?? ""], {
      key: "~/.ssh/mc.pem",
      user: "ec2-user",
    });
    expect(commands.map((command) => [command.host, command.image])).toEqual([
      ["ec2-one.example.com", IMAGES[0]],
      ["ec2-one.example.com", IMAGES[1]],
      ["10.0.3.4", IMAGES[0]],
      ["10.0.3.4", IMAGES[1]],
    ]);
    expect(commands[0]?.argv).toEqual([
      "ssh",
      "-i",
      "~/.ssh/mc.pem",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      "ConnectTimeout=15",
      "ec2-user@ec2-one.example.com",
      "docker",
      "pull",
      "metadata/registry:2",
    ]);
  });

  it("leaves -i out without a key (ssh-agent and default keys)", () => {
    const [command] = buildPullCommands([{ host: "10.0.3.4" }], ["metadata/registry@sha256:abc123"], {
      user: "admin",
    });
    expect(command?.argv).toEqual([
      "ssh",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      "ConnectTimeout=15",
      "admin@10.0.3.4",
      "docker",
      "pull",
      "metadata/registry@sha256:abc123",
    ]);
  });

  it("refuses what the remote shell or ssh would interpret", () => {
    const build =
      (host: string, image: string, user = "ec2-user") =>
      () =>
        buildPullCommands([{ host }], [image], { user });
    expect(build("h.example.com", "metadata/registry:2; reboot")).toThrow(/is not a plain image reference/);
    expect(build("h.example.com", "$(id)")).toThrow(McctlError);
    expect(build("-oProxyCommand=id", "metadata/registry:2")).toThrow(/not a host name/);
    expect(build("h.example.com", "metadata/registry:2", "-oProxyCommand=id")).toThrow(/--ssh-user/);
  });

  it("formats a command for display with shell quoting", () => {
    expect(
      formatCommand(["ssh", "-i", "/home/me/my keys/it's.pem", "ec2-user@h", "docker", "pull", "a/b:2"]),
    ).toBe("ssh -i '/home/me/my keys/it'\\''s.pem' ec2-user@h docker pull a/b:2");
    expect(formatCommand(["ssh", "-o", "BatchMode=yes", ""])).toBe("ssh -o BatchMode=yes ''");
  });
});

describe("runPullCommands (a fake ssh on PATH)", () => {
  let dir: string;
  let log: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mcctl-ssh-"));
    log = join(dir, "calls.log");
    // Records its arguments one per line, then answers like docker pull, or like ssh failing to connect.
    writeFileSync(
      join(dir, "ssh"),
      `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >> '${log}'
echo --- >> '${log}'
case "$*" in
  *@unreachable.example.com*)
    echo "Warning: something harmless" >&2
    echo "ssh: connect to host unreachable.example.com port 22: Connection timed out" >&2
    exit 255 ;;
esac
for image; do :; done
echo "2: Pulling from metadata/registry"
printf 'Digest: sha256:0123\\r\\n'
echo "Status: Image is up to date for $image"
`,
    );
    chmodSync(join(dir, "ssh"), 0o755);
    vi.stubEnv("PATH", `${dir}:${process.env.PATH ?? ""}`);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  const recordedCalls = () =>
    readFileSync(log, "utf8")
      .split("---\n")
      .filter(Boolean)
      .map((call) => call.trimEnd().split("\n"));

  it("runs ssh for each command in order, without a shell, and reports every result", async () => {
    const commands = buildPullCommands(
      [{ host: "ec2-one.example.com" }, { host: "unreachable.example.com" }],
      ["metadata/registry:2"],
      { key: `${dir}/key with space.pem`, user: "ec2-user" },
    );
    const reported: PullResult[] = [];
    const results = await runPullCommands(commands, { onResult: (result) => reported.push(result) });

    expect(recordedCalls()).toEqual(commands.map((command) => command.argv.slice(1)));
    expect(results).toEqual(reported);
    expect(
      results.map(({ host, exitCode, ok, lastError, lastOutput }) => ({
        host,
        exitCode,
        ok,
        lastError,
        lastOutput,
      })),
    ).toEqual([
      {
        host: "ec2-one.example.com",
        exitCode: 0,
        ok: true,
        lastError: undefined,
        lastOutput: "Status: Image is up to date for metadata/registry:2",
      },
      {
        host: "unreachable.example.com",
        exitCode: 255,
        ok: false,
        lastError: "ssh: connect to host unreachable.example.com port 22: Connection timed out",
        lastOutput: undefined,
      },
    ]);
    expect(results[0]?.argv).toEqual(commands[0]?.argv);
  });

  it("says so when there is no ssh to run", async () => {
    vi.stubEnv("PATH", join(dir, "empty"));
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result).toMatchObject({
      exitCode: 127,
      ok: false,
      lastError: "ssh was not found on PATH: install the OpenSSH client",
    });
  });

  it("reports a command killed by a signal", async () => {
    writeFileSync(join(dir, "ssh"), "#!/bin/sh\nkill -TERM $$\n");
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result).toMatchObject({ exitCode: 143, ok: false, signal: "SIGTERM" });
  });
});

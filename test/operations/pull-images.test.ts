import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { ExitCode, InterruptedError, McctlError, UsageError } from "../../src/errors.js";
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

  it("an EC2 instance EC2 no longer knows is named with its container instance, and where to look", async () => {
    await run(1, [{ instanceId: IDS[0] }]);
    sim.faults.inject({
      service: "EC2",
      command: "DescribeInstances",
      error: () =>
        Object.assign(new Error(`The instance ID '${IDS[0]}' does not exist`), {
          name: "InvalidInstanceID.NotFound",
        }),
    });
    const error = (await find().catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toMatch(
      new RegExp(`^EC2 instance ${IDS[0]} \\(container instance [0-9a-f]{32}\\) was not found$`),
    );
    expect(error.suggestion).toBe("It may have been terminated: check `mcctl status` and the EC2 console.");
  });

  it("with --ssh-private-ip, an instance whose private IP EC2 does not give fails naming it", async () => {
    await run(1, [{ instanceId: IDS[0] }]);
    // The simulator always gives a private IP; EC2's answer is stripped of it here.
    const real = createEc2Api(config);
    const ec2 = {
      ...real,
      describeInstances: async (ids: readonly string[]) =>
        (await real.describeInstances(ids)).map((instance) => ({ ...instance, PrivateIpAddress: undefined })),
    };
    const error = (await findServiceHosts(createEcsApi(config), ec2, "default", "mc", {
      usePrivateIp: true,
    }).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toBe(`EC2 instance ${IDS[0]} has no private IP address (running)`);
  });

  it("finds no host when no task runs", async () => {
    await run(0, [{ instanceId: IDS[0] }]);
    expect(await find()).toEqual([]);
    // ECS refuses DescribeTasks with no task, EC2 answers DescribeInstances with no id with every instance.
    expect(sim.callsOf("DescribeTasks")).toHaveLength(0);
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
    try {
      build("h.example.com", "$(id)")();
    } catch (error) {
      expect((error as McctlError).suggestion).toMatch(/only name:tag or name@digest/);
    }
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
    // Killed by someone else, not by mcctl's time limit.
    expect(result?.lastError).toBeUndefined();
  });

  /** A fake ssh that records its call, then hangs like an unreachable host until it is killed. */
  function hangingSsh() {
    writeFileSync(
      join(dir, "ssh"),
      `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg"; done >> '${log}'\necho --- >> '${log}'\nexec sleep 600\n`,
    );
  }

  /** Resolves once the fake ssh has written its call, i.e. it has started. */
  async function started(calls: number) {
    for (let i = 0; i < 500; i += 1) {
      try {
        if (recordedCalls().length >= calls) return;
      } catch {
        // not written yet
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error("the fake ssh never started");
  }

  it("stops a pull that takes longer than the time allowed and goes on with the next", async () => {
    hangingSsh();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const commands = buildPullCommands([{ host: "a.example.com" }, { host: "b.example.com" }], ["a/b:1"], {
        user: "u",
      });
      const run = runPullCommands(commands, { timeoutMs: 90_000 });
      await started(1);
      await vi.advanceTimersByTimeAsync(89_999);
      expect(recordedCalls()).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await started(2);
      await vi.advanceTimersByTimeAsync(90_000);
      const results = await run;
      expect(
        results.map(({ host, ok, exitCode, signal, lastError }) => ({
          host,
          ok,
          exitCode,
          signal,
          lastError,
        })),
      ).toEqual([
        {
          host: "a.example.com",
          ok: false,
          exitCode: 143,
          signal: "SIGTERM",
          lastError: "stopped after 90 s without finishing",
        },
        {
          host: "b.example.com",
          ok: false,
          exitCode: 143,
          signal: "SIGTERM",
          lastError: "stopped after 90 s without finishing",
        },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("an interrupt stops the running ssh and starts no other, with the signal's error", async () => {
    hangingSsh();
    const controller = new AbortController();
    const reported: PullResult[] = [];
    const commands = buildPullCommands([{ host: "a.example.com" }, { host: "b.example.com" }], ["a/b:1"], {
      user: "u",
    });
    const run = runPullCommands(commands, {
      signal: controller.signal,
      onResult: (result) => reported.push(result),
    });
    run.catch(() => {});
    await started(1);
    const reason = new InterruptedError("Interrupted (SIGHUP)", { exitCode: ExitCode.hangup });
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(recordedCalls()).toHaveLength(1);
    expect(reported).toEqual([]);
  });

  it("starts nothing when interrupted before the first pull", async () => {
    const controller = new AbortController();
    controller.abort();
    const run = runPullCommands(buildPullCommands([{ host: "a.example.com" }], ["a/b:1"], { user: "u" }), {
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(() => recordedCalls()).toThrow();
  });

  it("keeps the last line that is not empty, however the output is cut", async () => {
    writeFileSync(
      join(dir, "ssh"),
      `#!/bin/sh\nprintf 'first\\r\\nsecond\\n\\n   \\n'\nprintf 'oops\\r' >&2\nprintf 'last error\\n  \\n' >&2\nexit 1\n`,
    );
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result).toMatchObject({ exitCode: 1, ok: false, lastOutput: "second", lastError: "last error" });
  });

  it("closes ssh's input, so a remote command waiting for input cannot hang the pull", {
    timeout: 5_000,
  }, async () => {
    writeFileSync(join(dir, "ssh"), "#!/bin/sh\ncat > /dev/null\necho pulled\n");
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result).toMatchObject({ exitCode: 0, lastOutput: "pulled" });
  });

  it("keeps at most 4 KiB of a line without an end (docker's progress bars)", async () => {
    writeFileSync(join(dir, "ssh"), "#!/bin/sh\nhead -c 10000 /dev/zero | tr '\\0' x\nprintf 'END'\n");
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result?.lastOutput).toHaveLength(4096);
    expect(result?.lastOutput?.endsWith("xEND")).toBe(true);
  });

  it("ignores trailing blanks after the last line", async () => {
    writeFileSync(join(dir, "ssh"), "#!/bin/sh\nprintf 'Status: Downloaded newer image\\n   '\n");
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result?.lastOutput).toBe("Status: Downloaded newer image");
  });

  it("keeps an unfinished last line as the last line", async () => {
    writeFileSync(
      join(dir, "ssh"),
      "#!/bin/sh\nprintf 'done\\npartial' \nprintf 'Permission denied (publickey).' >&2\nexit 255\n",
    );
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
    );
    expect(result).toMatchObject({
      exitCode: 255,
      lastOutput: "partial",
      lastError: "Permission denied (publickey).",
    });
  });

  it("says why when ssh cannot be started at all", async () => {
    const spawnImpl = (() => {
      throw Object.assign(new Error("spawn ssh EMFILE"), { code: "EMFILE" });
    }) as unknown as typeof import("node:child_process").spawn;
    const [result] = await runPullCommands(
      buildPullCommands([{ host: "h.example.com" }], ["a/b:1"], { user: "u" }),
      { spawnImpl },
    );
    expect(result).toMatchObject({ exitCode: 127, ok: false, lastError: "cannot run ssh: spawn ssh EMFILE" });
  });
});

describe("buildPullCommands refuses", () => {
  it("an empty key file name, as a usage error", () => {
    expect(() => buildPullCommands([{ host: "h" }], ["a/b:1"], { user: "u", key: "  " })).toThrow(
      new UsageError("--ssh-key is empty"),
    );
  });

  it("builds nothing for no host", () => {
    expect(buildPullCommands([], ["a/b:1"], { user: "u" })).toEqual([]);
  });
});

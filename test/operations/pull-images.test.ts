import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildPullCommands } from "../../src/domain/pull-commands.js";
import { ExitCode, InterruptedError } from "../../src/errors.js";
import { type PullResult, runPullCommands } from "../../src/operations/pull-images.js";

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

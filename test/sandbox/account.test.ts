import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { McctlError } from "../../src/errors.js";
import {
  lockFileOf,
  resetSandboxAccount,
  SANDBOX_IDENTITY,
  type SandboxAccount,
  SandboxAccountBusyError,
} from "../../src/sandbox/account.js";
import { decodeLine, encodeLine } from "../../src/sandbox/account-journal.js";
import { createMcService, describeService, ManualClock, send } from "../helpers/sandbox-account.js";
import { TEST_START } from "../helpers/simulated-aws.js";

const opened: SandboxAccount[] = [];
afterEach(() => {
  for (const account of opened.splice(0)) account.close();
});

function newStateFile(): string {
  return join(mkdtempSync(join(tmpdir(), "mcctl-sandbox-")), "nested", "account.jsonl");
}

function openAt(clock: ManualClock, stateFile: string): SandboxAccount {
  const account = clock.open(stateFile);
  opened.push(account);
  return account;
}

const journalLines = (stateFile: string) =>
  readFileSync(stateFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => decodeLine(line) as Record<string, unknown>);

/** A pid no process has: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe("a new sandbox account", () => {
  it("is a state file of its own (directory made, mode 0600) that starts with the journal's header", () => {
    const stateFile = newStateFile();
    openAt(new ManualClock(), stateFile);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(journalLines(stateFile)).toEqual([{ type: "header", format: 1, seed: 7, createdAt: TEST_START }]);
  });

  it("answers as the sandbox identity: an obviously fake account, user and keys", async () => {
    const account = openAt(new ManualClock(), newStateFile());
    expect(await send(account, "STS", "GetCallerIdentity")).toMatchObject({
      Account: "000000000000",
      Arn: "arn:aws:iam::000000000000:user/sandbox",
    });
    expect(SANDBOX_IDENTITY.accessKeyId).toMatch(/^AKIASANDBOX[A-Z0-9]{9}$/);
    expect(SANDBOX_IDENTITY.secretAccessKey).toHaveLength(40);
    expect(account.sim.region).toBe(SANDBOX_IDENTITY.region);
  });

  it("has what a new AWS account has, and nothing mcctl creates", async () => {
    const account = openAt(new ManualClock(), newStateFile());
    const { Vpcs } = await send<{ Vpcs: Array<{ VpcId: string; IsDefault: boolean }> }>(
      account,
      "EC2",
      "DescribeVpcs",
    );
    expect(Vpcs).toEqual([expect.objectContaining({ IsDefault: true })]);
    const { Subnets } = await send<{ Subnets: unknown[] }>(account, "EC2", "DescribeSubnets");
    expect(Subnets).toHaveLength(3);
    const { SecurityGroups } = await send<{ SecurityGroups: Array<{ GroupName: string }> }>(
      account,
      "EC2",
      "DescribeSecurityGroups",
    );
    expect(SecurityGroups.map((group) => group.GroupName)).toEqual(["default"]);
    const { Parameter } = await send<{ Parameter: { Value: string } }>(account, "SSM", "GetParameter", {
      Name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    });
    const { Images } = await send<{ Images: unknown[] }>(account, "EC2", "DescribeImages", {
      ImageIds: [Parameter.Value],
    });
    expect(Images).toHaveLength(1);
    expect(
      await send(account, "IAM", "GetInstanceProfile", { InstanceProfileName: "ecsInstanceRole" }),
    ).toMatchObject({
      InstanceProfile: { Roles: [expect.objectContaining({ RoleName: "ecsInstanceRole" })] },
    });
    // Nothing of mcctl's: no cluster, instance, key pair, bucket, database, parameter or log group.
    expect(await send(account, "ECS", "DescribeClusters", { clusters: ["default"] })).toMatchObject({
      clusters: [],
    });
    expect(await send(account, "EC2", "DescribeInstances")).toMatchObject({ Reservations: [] });
    expect(await send(account, "EC2", "DescribeKeyPairs")).toMatchObject({ KeyPairs: [] });
    expect(account.sim.s3.buckets()).toEqual([]);
    expect(await send(account, "RDS", "DescribeDBInstances")).toMatchObject({ DBInstances: [] });
    expect(await send(account, "SSM", "DescribeParameters")).toMatchObject({ Parameters: [] });
    expect(await send(account, "CloudWatchLogs", "DescribeLogGroups")).toMatchObject({ logGroups: [] });
  });
});

describe("the journal", () => {
  it("has every call as soon as it has run, with its time and input, and whether it failed", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const account = openAt(clock, stateFile);
    clock.advance(1_234);
    const created = send(account, "ECS", "CreateCluster", { clusterName: "mc" });
    // Before anyone awaited the answer: a Ctrl-C now would lose nothing.
    expect(journalLines(stateFile).at(-1)).toEqual({
      type: "call",
      at: TEST_START + 1_234,
      service: "ECS",
      operation: "CreateCluster",
      input: { clusterName: "mc" },
    });
    await created;
    await expect(send(account, "ECS", "DeleteCluster", { cluster: "nope" })).rejects.toThrow();
    expect(journalLines(stateFile).at(-1)).toMatchObject({ operation: "DeleteCluster", failed: true });
  });

  it("keeps what JSON cannot say on its own: dates, bytes, and objects that look like its own tags", () => {
    const input = {
      when: new Date(TEST_START),
      body: Buffer.from("hello"),
      bytes: new Uint8Array([1, 2, 3]),
      big: 12n,
      tricky: { $date: 5 },
      nested: [{ at: new Date(0) }],
    };
    const line = encodeLine({ type: "call", at: 1, service: "S3", operation: "PutObject", input });
    expect(decodeLine(line)).toEqual({
      type: "call",
      at: 1,
      service: "S3",
      operation: "PutObject",
      input: { ...input, body: new Uint8Array(Buffer.from("hello")) },
    });
  });

  it("loses a half-written last line (a killed process) and keeps the rest; the next call goes on a line of its own", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const first = clock.open(stateFile);
    await send(first, "ECS", "CreateCluster", { clusterName: "kept" });
    first.close();
    appendFileSync(stateFile, '{"type":"call","at":1795575600000,"service":"ECS","operation":"CreateClus');

    const second = openAt(clock, stateFile);
    expect(second.replayed).toBe(1);
    await send(second, "ECS", "CreateCluster", { clusterName: "after" });
    expect(journalLines(stateFile).map((entry) => entry.input)).toEqual([
      undefined,
      { clusterName: "kept" },
      { clusterName: "after" },
    ]);
  });

  it("refuses a damaged line in the middle, naming it, and suggests a reset", () => {
    const stateFile = newStateFile();
    new ManualClock().open(stateFile).close();
    appendFileSync(stateFile, "not json\n{}\n");
    const opening = () => new ManualClock().open(stateFile);
    expect(opening).toThrow(McctlError);
    expect(opening).toThrow(/damaged at line 2/);
    // The lock was released although the open failed.
    expect(existsSync(lockFileOf(stateFile))).toBe(false);
  });
});

describe("replay", () => {
  it("rebuilds the same account: a second open describes what the first one left", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const first = clock.open(stateFile);
    await send(first, "ECS", "CreateCluster", { clusterName: "mc" });
    await send(first, "S3", "CreateBucket", {
      Bucket: "sandbox-practice",
      CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
    });
    await send(first, "SSM", "PutParameter", { Name: "/mc/password", Value: "x", Type: "SecureString" });
    await send(first, "EC2", "CreateSecurityGroup", { GroupName: "mc", Description: "mc" });
    const looks = async (account: SandboxAccount) => [
      await send(account, "ECS", "DescribeClusters", { clusters: ["mc"] }),
      await send(account, "EC2", "DescribeSecurityGroups", { GroupNames: ["mc"] }),
      await send(account, "SSM", "DescribeParameters"),
      await send(account, "S3", "HeadBucket", { Bucket: "sandbox-practice" }),
    ];
    const strip = (outputs: unknown[]) =>
      outputs.map((output) => ({ ...(output as object), $metadata: undefined }));
    const before = strip(await looks(first));
    first.close();

    const second = openAt(clock, stateFile);
    expect(strip(await looks(second))).toEqual(before);
  });

  it("holds the clock at each call's time, then follows the wall clock: what fell due meanwhile has happened", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const first = clock.open(stateFile);
    await send(first, "RDS", "CreateDBInstance", {
      DBInstanceIdentifier: "mc",
      DBInstanceClass: "db.t3.small",
      Engine: "mysql",
      MasterUsername: "admin",
      MasterUserPassword: "Sandbox-Pass-1",
      AllocatedStorage: 20,
    });
    clock.advance(1_000);
    const status = async (account: SandboxAccount) => {
      const { DBInstances } = await send<{ DBInstances: Array<{ DBInstanceStatus: string }> }>(
        account,
        "RDS",
        "DescribeDBInstances",
      );
      return DBInstances[0]?.DBInstanceStatus;
    };
    expect(await status(first)).toBe("creating");
    first.close();

    // The operator comes back a minute later: creating (6 s) and backing up (2 s) are long over.
    clock.advance(60_000);
    expect(await status(openAt(clock, stateFile))).toBe("available");
  });

  it("opens an account left alone for weeks while a service retried placing its task every 30 s", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const first = clock.open(stateFile);
    await createMcService(first, clock);
    const { Reservations } = await send<{
      Reservations: Array<{ Instances: Array<{ InstanceId: string }> }>;
    }>(first, "EC2", "DescribeInstances");
    await send(first, "EC2", "TerminateInstances", {
      InstanceIds: [Reservations[0]?.Instances[0]?.InstanceId],
    });
    first.close();
    // 40 days of retries: more events than the simulator's own livelock guard allows one call.
    clock.advance(40 * 24 * 60 * 60_000);
    const second = openAt(clock, stateFile);
    expect(await describeService(second)).toMatchObject({ runningCount: 0, desiredCount: 1 });
    expect(second.createdAt).toBe(TEST_START);
  });

  it("never lets simulated time run backwards when the wall clock does", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const account = openAt(clock, stateFile);
    clock.advance(5_000);
    await send(account, "ECS", "CreateCluster", { clusterName: "a" });
    clock.advance(-60_000);
    await send(account, "ECS", "CreateCluster", { clusterName: "b" });
    const times = journalLines(stateFile)
      .slice(1)
      .map((entry) => entry.at);
    expect(times).toEqual([TEST_START + 5_000, TEST_START + 5_000]);
  });
});

describe("one process at a time", () => {
  it("a second open gets a clear error naming the pid that holds the account, until the first closes", () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const first = clock.open(stateFile);
    expect(readFileSync(lockFileOf(stateFile), "utf8").trim()).toBe(String(process.pid));
    expect(() => clock.open(stateFile)).toThrow(SandboxAccountBusyError);
    expect(() => clock.open(stateFile)).toThrow(`is in use by mcctl process ${process.pid}`);
    first.close();
    expect(existsSync(lockFileOf(stateFile))).toBe(false);
    openAt(clock, stateFile);
  });

  it("takes over a stale lock whose process is gone", () => {
    const stateFile = newStateFile();
    new ManualClock().open(stateFile).close();
    writeFileSync(lockFileOf(stateFile), `${deadPid()}\n`);
    const account = openAt(new ManualClock(), stateFile);
    expect(readFileSync(lockFileOf(stateFile), "utf8").trim()).toBe(String(process.pid));
    expect(account.replayed).toBe(0);
  });

  it("refuses a lock another live process holds", () => {
    const stateFile = newStateFile();
    new ManualClock().open(stateFile).close();
    // The parent of this test process is alive for as long as the test runs.
    writeFileSync(lockFileOf(stateFile), `${process.ppid}\n`);
    const error = (() => {
      try {
        new ManualClock().open(stateFile);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SandboxAccountBusyError);
    expect(error).toMatchObject({ pid: process.ppid });
    expect(() => resetSandboxAccount(stateFile)).toThrow(SandboxAccountBusyError);
    expect(existsSync(stateFile)).toBe(true);
  });
});

describe("resetSandboxAccount", () => {
  it("deletes the account: the next open starts a new one", async () => {
    const stateFile = newStateFile();
    const clock = new ManualClock();
    const first = clock.open(stateFile);
    await send(first, "ECS", "CreateCluster", { clusterName: "mc" });
    expect(() => resetSandboxAccount(stateFile)).toThrow(SandboxAccountBusyError);
    first.close();

    expect(resetSandboxAccount(stateFile)).toBe(true);
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(lockFileOf(stateFile))).toBe(false);
    expect(resetSandboxAccount(stateFile)).toBe(false);
    const fresh = openAt(clock, stateFile);
    expect(fresh.replayed).toBe(0);
    expect(await send(fresh, "ECS", "DescribeClusters", { clusters: ["mc"] })).toMatchObject({
      clusters: [],
    });
  });

  it("has nothing to do where there is no account", () => {
    expect(resetSandboxAccount(newStateFile())).toBe(false);
  });
});

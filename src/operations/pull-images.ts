/**
 * The wiki's way to upgrade to a newer image under the same (floating) tag, e.g. `metadata/registry:2`:
 * `docker pull` it on every container instance that runs the service, over ssh, before restarting.
 * Uses the system `ssh`, so ~/.ssh/config (bastions, ProxyJump, known_hosts) applies as usual.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Ec2Api } from "../aws/ec2.js";
import type { EcsApi } from "../aws/ecs.js";
import { InterruptedError, McctlError, UsageError } from "../errors.js";

export interface ServiceHost {
  containerInstanceArn: string;
  ec2InstanceId: string;
  /** What ssh connects to: the public DNS name (or public IP), or the private IP with --ssh-private-ip. */
  host: string;
  /** The EC2 key pair the instance was launched with; none means no key of yours is on it. */
  keyName?: string | undefined;
  /** The instance's security groups, which decide whether port 22 is open at all. */
  securityGroupIds: string[];
}

export interface FindServiceHostsOptions {
  /** Connect to the private IP addresses (from inside the VPC or through a bastion). */
  usePrivateIp?: boolean;
}

/**
 * The hosts that run the service's tasks: task → container instance → EC2 instance → address, each host
 * once. Empty when no task of the service is running (the caller decides what that means).
 */
export async function findServiceHosts(
  ecs: EcsApi,
  ec2: Ec2Api,
  cluster: string,
  service: string,
  options: FindServiceHostsOptions = {},
): Promise<ServiceHost[]> {
  const taskArns = await ecs.listServiceTasks(cluster, service, "RUNNING");
  if (taskArns.length === 0) return [];
  const tasks = await ecs.describeTasks(cluster, taskArns);
  const containerInstanceArns = unique(tasks.map((task) => task.containerInstanceArn));
  if (containerInstanceArns.length === 0) return [];
  const containerInstances = await ecs.describeContainerInstances(cluster, containerInstanceArns);
  const ec2Ids = unique(containerInstances.map((instance) => instance.ec2InstanceId));
  const ec2Instances = new Map(
    (await ec2.describeInstances(ec2Ids)).map((instance) => [instance.InstanceId, instance]),
  );

  const hosts: ServiceHost[] = [];
  for (const containerInstance of containerInstances) {
    const containerInstanceArn = containerInstance.containerInstanceArn ?? "";
    const ec2InstanceId = containerInstance.ec2InstanceId;
    const name = `container instance ${containerInstanceArn.split("/").pop()}`;
    if (!ec2InstanceId) throw new McctlError(`${name} has no EC2 instance id`);
    const instance = ec2Instances.get(ec2InstanceId);
    if (!instance) {
      throw new McctlError(`EC2 instance ${ec2InstanceId} (${name}) was not found`, {
        suggestion: "It may have been terminated: check `mcctl status` and the EC2 console.",
      });
    }
    const state = instance.State?.Name ?? "unknown";
    let host: string | undefined;
    if (options.usePrivateIp) {
      host = instance.PrivateIpAddress;
      if (!host) throw new McctlError(`EC2 instance ${ec2InstanceId} has no private IP address (${state})`);
    } else {
      // EC2 answers "" when there is none; a VPC without DNS hostnames still gives a public IP.
      host = instance.PublicDnsName || instance.PublicIpAddress;
      if (!host) {
        const privateIp = instance.PrivateIpAddress ? ` ${instance.PrivateIpAddress}` : "";
        throw new McctlError(`EC2 instance ${ec2InstanceId} has no public DNS name or public IP (${state})`, {
          suggestion: `Pass --ssh-private-ip to connect to its private IP${privateIp} (from inside the VPC, or through a bastion set up in ~/.ssh/config).`,
        });
      }
    }
    if (!hosts.some((known) => known.host === host))
      hosts.push({
        containerInstanceArn,
        ec2InstanceId,
        host,
        keyName: instance.KeyName || undefined,
        securityGroupIds: (instance.SecurityGroups ?? []).flatMap((group) =>
          group.GroupId ? [group.GroupId] : [],
        ),
      });
  }
  return hosts;
}

export interface PullCommand {
  host: string;
  image: string;
  /** The full command line, `ssh` first; run without a shell. */
  argv: string[];
}

export interface PullCommandOptions {
  /** Private key file for `ssh -i`; without it ssh uses the agent and its default keys. */
  key?: string;
  user: string;
}

/** Never wait for a password or passphrase prompt nobody answers, nor for a host that does not answer. */
// BatchMode: never a password prompt at 3 a.m.; accept-new: trust a new instance's host key on first contact
// (container instances are replaced often) but still refuse a changed key.
export const SSH_OPTIONS: readonly string[] = [
  "-o",
  "BatchMode=yes",
  "-o",
  "StrictHostKeyChecking=accept-new",
  "-o",
  "ConnectTimeout=15",
];

// The remote side runs the command through a shell: allow only what docker references and names consist of.
const IMAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;
const USER_PATTERN = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const HOST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.:-]*$/;

/** One `ssh … USER@HOST docker pull IMAGE` per host and image (each once), hosts first. Pure. */
export function buildPullCommands(
  hosts: readonly Pick<ServiceHost, "host">[],
  images: readonly string[],
  options: PullCommandOptions,
): PullCommand[] {
  if (!USER_PATTERN.test(options.user)) {
    throw new UsageError(`--ssh-user ${JSON.stringify(options.user)} is not a user name`);
  }
  if (options.key !== undefined && options.key.trim() === "") throw new UsageError("--ssh-key is empty");
  for (const image of images) {
    if (!IMAGE_PATTERN.test(image)) {
      throw new McctlError(`image ${JSON.stringify(image)} is not a plain image reference`, {
        suggestion:
          "mcctl passes images to `docker pull` through ssh, so only name:tag or name@digest can be used.",
      });
    }
  }
  const commands: PullCommand[] = [];
  for (const host of unique(hosts.map((entry) => entry.host))) {
    if (!HOST_PATTERN.test(host))
      throw new McctlError(`${JSON.stringify(host)} is not a host name or IP address`);
    for (const image of unique(images)) {
      const argv = [
        "ssh",
        ...(options.key === undefined ? [] : ["-i", options.key]),
        ...SSH_OPTIONS,
        `${options.user}@${host}`,
        "docker",
        "pull",
        image,
      ];
      commands.push({ host, image, argv });
    }
  }
  return commands;
}

/** The command as one would type it in a POSIX shell (for --dry-run and messages). */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export interface PullResult extends PullCommand {
  /** 0 on success; ssh's own failures (cannot connect, authentication) are 255; 127 when ssh is missing. */
  exitCode: number;
  ok: boolean;
  /** Set when the process was killed by a signal (exitCode is then 128 + its number). */
  signal?: string;
  /** The last line ssh or docker wrote to stderr, e.g. "Permission denied (publickey)." */
  lastError?: string;
  /** The last line of docker's output, e.g. "Status: Downloaded newer image for metadata/registry:2". */
  lastOutput?: string;
}

export interface RunPullOptions {
  /** Called after each command, in order, e.g. to print a line per host and image. */
  onResult?: (result: PullResult) => void;
  /** Ctrl-C, SIGTERM, SIGHUP: the running ssh is stopped and no further one starts. */
  signal?: AbortSignal | undefined;
  /** A pull that takes longer is stopped and counts as failed (default 10 minutes). */
  timeoutMs?: number;
  /** For tests; defaults to child_process.spawn. */
  spawnImpl?: typeof spawn;
}

/**
 * Runs the commands one after another (never in parallel: one host's failure is then easy to read),
 * without a shell and with stdin closed, and returns every result. It does not stop at a failure.
 */
export async function runPullCommands(
  commands: readonly PullCommand[],
  options: RunPullOptions = {},
): Promise<PullResult[]> {
  const results: PullResult[] = [];
  for (const command of commands) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const result = await runOne(command, options.spawnImpl ?? spawn, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
    });
    if (options.signal?.aborted) throw abortReason(options.signal);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

const DEFAULT_PULL_TIMEOUT_MS = 10 * 60_000;

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}

function runOne(
  command: PullCommand,
  spawnImpl: typeof spawn,
  limits: { signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<PullResult> {
  const [file = "ssh", ...args] = command.argv;
  return new Promise((resolve) => {
    const stdout = new LastLine();
    const stderr = new LastLine();
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let stop = () => {};
    const finish = (outcome: { exitCode: number; signal?: string; error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener("abort", stop);
      const lastError = outcome.error ?? stderr.value();
      const lastOutput = stdout.value();
      resolve({
        ...command,
        exitCode: outcome.exitCode,
        ok: outcome.exitCode === 0,
        ...(outcome.signal ? { signal: outcome.signal } : {}),
        ...(lastError ? { lastError } : {}),
        ...(lastOutput ? { lastOutput } : {}),
      });
    };
    let child: ChildProcess;
    try {
      child = spawnImpl(file, args, { stdio: ["ignore", "pipe", "pipe"], shell: false });
    } catch (error) {
      finish({ exitCode: 127, error: spawnFailure(file, error) });
      return;
    }
    let timedOut = false;
    stop = () => child.kill("SIGTERM");
    timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limits.timeoutMs);
    limits.signal?.addEventListener("abort", stop, { once: true });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    child.on("error", (error) => finish({ exitCode: 127, error: spawnFailure(file, error) }));
    child.on("close", (code, signal) => {
      if (code !== null) finish({ exitCode: code });
      else
        finish({
          exitCode: 128 + (signal ? (constants.signals[signal] ?? 0) : 0),
          signal: signal ?? undefined,
          ...(timedOut
            ? { error: `stopped after ${Math.round(limits.timeoutMs / 1000)} s without finishing` }
            : {}),
        });
    });
  });
}

function spawnFailure(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `${file} was not found on PATH: install the OpenSSH client`;
  return `cannot run ${file}: ${error instanceof Error ? error.message : String(error)}`;
}

/** Keeps only the last non-empty line of a stream (docker's progress output can be long). */
class LastLine {
  #partial = "";
  #last: string | undefined;

  push(chunk: string): void {
    const lines = (this.#partial + chunk).split(/\r\n|\n|\r/);
    this.#partial = (lines.pop() ?? "").slice(-4096);
    for (const line of lines) if (line.trim()) this.#last = line.trim();
  }

  value(): string | undefined {
    return this.#partial.trim() || this.#last;
  }
}

function unique<T>(values: readonly (T | undefined)[]): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}

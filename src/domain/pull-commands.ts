/**
 * The wiki's way to upgrade to a newer image under the same (floating) tag, e.g. `metadata/registry:2`:
 * `docker pull` it on every container instance that runs the service, over ssh, before restarting.
 * Uses the system `ssh`, so ~/.ssh/config (bastions, ProxyJump, known_hosts) applies as usual.
 */
import { McctlError, UsageError } from "../errors.js";

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
  hosts: readonly { host: string }[],
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

function unique<T>(values: readonly (T | undefined)[]): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}

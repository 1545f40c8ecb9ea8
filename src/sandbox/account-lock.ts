/**
 * One process at a time writes a sandbox account: a lock file beside the state file (`<state>.lock`) holds the
 * pid of the process that has the account open. A lock whose process is gone (killed, crashed) is stale and
 * taken over.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { McctlError } from "../errors.js";

/** Another live process has the sandbox account open. */
export class SandboxAccountBusyError extends McctlError {
  constructor(
    readonly stateFile: string,
    readonly pid: number,
  ) {
    super(`the sandbox account ${stateFile} is in use by mcctl process ${pid}`, {
      suggestion: `Wait for that command to finish, or end process ${pid}, then try again.`,
    });
    this.name = "SandboxAccountBusyError";
  }
}

export function lockFileOf(stateFile: string): string {
  return `${stateFile}.lock`;
}

/** The pid a lock file names; undefined when the file is gone or holds no pid. */
export function lockHolder(stateFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFileOf(stateFile), "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Whether a process with this pid exists (one of another user counts: it cannot be signalled, but it lives). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the account's lock for this process, or throws SandboxAccountBusyError naming the live process that
 * holds it. Returns the function that releases it.
 */
export function acquireAccountLock(stateFile: string): () => void {
  const lockFile = lockFileOf(stateFile);
  // Written whole under a name of our own, then linked into place: link() fails if the lock exists, so the
  // lock file never exists without its pid in it.
  const candidate = `${lockFile}.${process.pid}`;
  writeFileSync(candidate, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(candidate, lockFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = lockHolder(stateFile);
        if (holder !== undefined && processAlive(holder))
          throw new SandboxAccountBusyError(stateFile, holder);
        removeIfPresent(lockFile);
        continue;
      }
      // Two processes taking over the same stale lock at once: only one of them finds its own pid in it.
      const holder = lockHolder(stateFile);
      if (holder !== process.pid) throw new SandboxAccountBusyError(stateFile, holder ?? 0);
      return () => {
        if (lockHolder(stateFile) === process.pid) removeIfPresent(lockFile);
      };
    }
    throw new SandboxAccountBusyError(stateFile, lockHolder(stateFile) ?? 0);
  } finally {
    removeIfPresent(candidate);
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

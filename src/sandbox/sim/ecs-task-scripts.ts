/**
 * What a test scripts about tasks in the simulated ECS: failures (`EcsSimulator.scriptTaskFailure`, with
 * ready-made ones in ECS's wording) and how containers' commands end (`EcsSimulator.scriptCommandExit`).
 */
import type { TaskDefinition, TaskStopCode } from "@aws-sdk/client-ecs";
import { clone } from "./core.js";

/** A scripted task failure (see `EcsSimulator.scriptTaskFailure` and `taskFailures`). */
export interface TaskFailureScript {
  /** Which task definitions it applies to. Default: every task. */
  match?: (taskDefinition: TaskDefinition) => boolean;
  /** PENDING: the task never reaches RUNNING (e.g. image pull fails). RUNNING: it dies after running a while. */
  stage: "PENDING" | "RUNNING";
  /** Default: TaskFailedToStart for PENDING, EssentialContainerExited for RUNNING. */
  stopCode?: TaskStopCode;
  stoppedReason: string;
  /**
   * Per-container outcome; containers not listed are stopped without an exit code of their own. `lastLines`:
   * what the container prints just before it exits (written to its awslogs stream).
   */
  containers?: Array<{ name: string; exitCode?: number; reason?: string; lastLines?: string[] }>;
  /** How many tasks fail this way. Default 1; `Infinity` for all. */
  times?: number;
  /** RUNNING stage only: how long the task runs before failing. Default `timings.runningFailureMs`. */
  afterMs?: number;
}

/**
 * What ECS says when an essential container stops: the task's `stoppedReason` (Amazon ECS Developer Guide,
 * "Checking stopped tasks for errors"); the container's own `reason` and `exitCode` say why.
 */
export const ESSENTIAL_CONTAINER_EXITED = "Essential container in task exited";

/** Ready-made failure scripts with ECS's wording. */
export const taskFailures = {
  /**
   * The image (e.g. "metadata/registry:nope") does not exist. CannotPullContainerError is the container
   * agent's error prefix ("Stopped tasks error codes"); the task stops before RUNNING (TaskFailedToStart).
   */
  cannotPullImage(image: string, container = "mc"): TaskFailureScript {
    const ref = image.split("/")[0]?.includes(".") ? image : `docker.io/${image}`;
    const reason = `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${ref}: not found`;
    return {
      stage: "PENDING",
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
      containers: [{ name: container, reason }],
    };
  },
  /**
   * The container exceeded its hard memory limit and was OOM-killed (SIGKILL, exit code 137). The OOM
   * message is the container's `reason` ("How do I troubleshoot OutOfMemory errors in Amazon ECS?": the
   * container's details show it); the task itself stopped because an essential container exited.
   */
  outOfMemory(container = "mc"): TaskFailureScript {
    return {
      stage: "RUNNING",
      stopCode: "EssentialContainerExited",
      stoppedReason: ESSENTIAL_CONTAINER_EXITED,
      containers: [
        { name: container, exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
      ],
    };
  },
  /**
   * An essential container exited on its own (e.g. the application crashed at startup): no `reason`, only its
   * exit code; its last output line says why (awslogs), by default "ERROR Unable to connect to database".
   */
  essentialContainerExited(
    container = "mc",
    exitCode = 1,
    lastLines: string[] = ["ERROR Unable to connect to database"],
  ): TaskFailureScript {
    return {
      stage: "RUNNING",
      stopCode: "EssentialContainerExited",
      stoppedReason: ESSENTIAL_CONTAINER_EXITED,
      containers: [{ name: container, exitCode, lastLines }],
    };
  },
} as const;

/** How a container's command ends (see `EcsSimulator.scriptCommandExit`). */
export interface CommandExitScript {
  /** The container's command (its override, else its definition's): a string matches its first word. */
  match: string | ((command: string[]) => boolean);
  /** Default 0. */
  exitCode?: number;
  /** How long it runs. Default `timings.oneOffCommandMs`. */
  afterMs?: number;
}

/** Handle on a scripted task failure. */
export interface ScriptedTaskFailure {
  /** Tasks it has been applied to so far. */
  readonly applied: number;
  /** Tasks it will still apply to. */
  readonly remaining: number;
  cancel(): void;
}

class FailureScriptEntry implements ScriptedTaskFailure {
  applied = 0;
  cancelled = false;

  constructor(readonly script: TaskFailureScript) {}

  get remaining(): number {
    return this.cancelled ? 0 : Math.max(0, (this.script.times ?? 1) - this.applied);
  }

  cancel(): void {
    this.cancelled = true;
  }
}

/** The scripts in force, which the task lifecycle (ecs-task-lifecycle.ts) consults. */
export class TaskScripts {
  readonly #failureScripts: FailureScriptEntry[] = [];
  readonly #commandExits: CommandExitScript[] = [];

  /** Makes the next matching task(s) fail; scripts are applied when a task is placed, first match first. */
  scriptTaskFailure(script: TaskFailureScript): ScriptedTaskFailure {
    const entry = new FailureScriptEntry({ ...script });
    this.#failureScripts.push(entry);
    return entry;
  }

  /** How containers running a command end (see `commandExit`). */
  scriptCommandExit(script: CommandExitScript): void {
    this.#commandExits.push({ ...script });
  }

  /** The failure the next task of this definition is scripted to suffer (first match first), counted as applied. */
  takeFailureScript(taskDefinition: TaskDefinition): TaskFailureScript | undefined {
    const entry = this.#failureScripts.find(
      (e) => e.remaining > 0 && (e.script.match === undefined || e.script.match(clone(taskDefinition))),
    );
    if (!entry) return undefined;
    entry.applied += 1;
    return entry.script;
  }

  /** How a container running `command` ends, if a script says so (the latest matching script wins). */
  commandExit(command: readonly string[]): CommandExitScript | undefined {
    return this.#commandExits.findLast((entry) =>
      typeof entry.match === "string" ? command[0] === entry.match : entry.match([...command]),
    );
  }
}

/**
 * Container output through the `awslogs` log driver, as the ECS agent on an EC2 instance runs it: when a
 * task's containers start, Docker creates each awslogs container's stream `<prefix>/<container>/<task id>` (and
 * the group first with "awslogs-create-group": "true"); a group that does not exist stops the task before
 * RUNNING with the agent's CannotStartContainerError. While a container runs, what it prints (scripted, or
 * Model Catalogue- and Elasticsearch-like defaults for `mc` and `mc-es`) reaches the stream at its simulated
 * time and is ingested in the driver's 5-second batches; a failing container prints its last lines first.
 *
 * Output is written lazily: whenever CloudWatch Logs is read, each running container writes what it printed
 * until then, so no clock events are scheduled for it. The task lifecycle (ecs-task-lifecycle.ts) calls `start`,
 * `exit` and `stopAll`.
 */
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { SimContext } from "./core.js";
import type { ContainerState, TaskState } from "./ecs-model.js";
import { ESSENTIAL_CONTAINER_EXITED, type TaskFailureScript } from "./ecs-task-scripts.js";
import type { TaskTimings } from "./ecs-timings.js";
import type { LogsWriterView } from "./logs.js";
import type { LogEventRecord } from "./logs-model.js";

/** A line the container prints `afterMs` after it started (a plain string: at once). */
export type OutputLine = string | { afterMs: number; message: string };

export interface ContainerOutputOptions {
  /** A line printed every `containerOutputIntervalMs` (a minute) while the container runs. Default: none. */
  everyMinute?: string | ((minute: number) => string);
  /** How many containers it applies to. Default: every matching one. */
  times?: number;
}

/** Handle on scripted container output. */
export interface ScriptedContainerOutput {
  readonly applied: number;
  readonly remaining: number;
  cancel(): void;
}

/** What `mc` and `mc-es` print when nothing is scripted (the image name shows which revision runs). */
export const defaultContainerOutput: Readonly<
  Record<string, { lines: (image: string) => OutputLine[]; everyMinute: (minute: number) => string }>
> = {
  mc: {
    lines: (image) => [
      `INFO  Starting Grails application (image ${image})`,
      { afterMs: 2_000, message: "INFO  Connecting to the database" },
      { afterMs: 15_000, message: "INFO  Connected to Elasticsearch at mc-es:9200" },
      { afterMs: 42_000, message: "INFO  Server startup in 42000 ms" },
    ],
    everyMinute: (minute) => `INFO  Model Catalogue is up (${minute} min)`,
  },
  "mc-es": {
    lines: (image) => [
      `[INFO ][node                     ] [mc-es] initializing ... (image ${image})`,
      { afterMs: 3_000, message: "[INFO ][node                     ] [mc-es] started" },
      {
        afterMs: 4_000,
        message: "[INFO ][gateway                  ] [mc-es] recovered [1] indices into cluster_state",
      },
    ],
    everyMinute: (minute) =>
      `[INFO ][monitor.jvm              ] [mc-es] [gc][young][${minute}] duration [12ms]`,
  },
};

class OutputScriptEntry implements ScriptedContainerOutput {
  applied = 0;
  cancelled = false;

  constructor(
    readonly match: (taskDefinition: TaskDefinition) => boolean,
    readonly container: string,
    readonly lines: readonly OutputLine[] | ((taskId: string) => readonly OutputLine[]),
    readonly options: ContainerOutputOptions,
  ) {}

  get remaining(): number {
    return this.cancelled ? 0 : Math.max(0, (this.options.times ?? Infinity) - this.applied);
  }

  cancel(): void {
    this.cancelled = true;
  }
}

/** A running container's output: what it has still to print, and what was shipped but is not yet ingested. */
interface OutputState {
  group: string;
  stream: string;
  startedAt: number;
  /** Not yet written, by time. */
  lines: Array<{ at: number; message: string }>;
  everyMinute: ((minute: number) => string) | undefined;
  nextMinute: number;
  shipped: LogEventRecord[];
}

export class AwslogsDriver {
  readonly #ctx: SimContext;
  readonly #logs: LogsWriterView | undefined;
  readonly #timings: () => Readonly<TaskTimings>;
  readonly #scripts: OutputScriptEntry[] = [];
  /** Keyed by `${task id}|${container name}`. */
  readonly #outputs = new Map<string, OutputState>();

  constructor(context: SimContext, logs: LogsWriterView | undefined, timings: () => Readonly<TaskTimings>) {
    this.#ctx = context;
    this.#logs = logs;
    this.#timings = timings;
    logs?.onBeforeRead((now) => this.flush(now));
  }

  /**
   * What `container` prints in tasks of the family `match` ("*": any; or a predicate on the task definition),
   * instead of the default. The latest matching script wins.
   */
  script(
    match: string | ((taskDefinition: TaskDefinition) => boolean),
    container: string,
    lines: readonly OutputLine[] | ((taskId: string) => readonly OutputLine[]),
    options: ContainerOutputOptions = {},
  ): ScriptedContainerOutput {
    const predicate =
      typeof match === "function"
        ? match
        : (definition: TaskDefinition) => match === "*" || definition.family === match;
    const entry = new OutputScriptEntry(predicate, container, lines, options);
    this.#scripts.push(entry);
    return entry;
  }

  /**
   * The containers start (at the end of PENDING): each awslogs container gets its stream, as Docker's driver
   * creates it (CreateLogStream; on ResourceNotFoundException with awslogs-create-group, CreateLogGroup and
   * again). The failure that stops the task when that fails, otherwise undefined.
   */
  start(task: TaskState): TaskFailureScript | undefined {
    const logs = this.#logs;
    if (!logs) return undefined;
    for (const container of startOrder(task.containers)) {
      const config = container.definition.logConfiguration;
      if (config?.logDriver !== "awslogs") continue;
      const options = config.options ?? {};
      const group = options["awslogs-group"];
      if (!group) return this.#cannotStart(container, "must specify a value for log opt 'awslogs-group'");
      const region = options["awslogs-region"] ?? this.#ctx.region;
      const createGroup = /^(1|t|T|TRUE|true|True)$/.test(options["awslogs-create-group"] ?? "");
      if (region !== this.#ctx.region && createGroup) {
        throw new Error(
          `simulated CloudWatch Logs serves only ${this.#ctx.region}, not awslogs-region ${region}`,
        );
      }
      const prefix = options["awslogs-stream-prefix"];
      // Without a prefix the stream is named after the Docker container id.
      if (!prefix) container.runtimeId ??= this.#ctx.ids.hex(64);
      const stream = prefix ? `${prefix}/${container.name}/${task.id}` : (container.runtimeId ?? "");
      const created = this.#createStream(
        region === this.#ctx.region ? group : undefined,
        stream,
        createGroup,
      );
      if (created) return this.#cannotStart(container, created);
      this.#outputs.set(`${task.id}|${container.name}`, this.#output(task, container, group, stream));
    }
    return undefined;
  }

  /** A container exits on its own (a scripted failure): it prints what it had to until now, then `lastLines`. */
  exit(task: TaskState, container: string, lastLines: readonly string[] = []): void {
    this.#close(`${task.id}|${container}`, lastLines);
  }

  /** The task's containers are stopped: the driver ships what it holds. */
  stopAll(task: TaskState): void {
    for (const container of task.containers) this.#close(`${task.id}|${container.name}`, []);
  }

  /** Every running container writes what it printed until `until`. */
  flush(until: number): void {
    for (const output of this.#outputs.values()) this.#write(output, until);
  }

  // ===============================================================================================
  // Internals

  /** Undefined when the stream exists now, otherwise why Docker could not create it. */
  #createStream(group: string | undefined, stream: string, createGroup: boolean): string | undefined {
    const logs = this.#logs;
    if (!logs) return undefined;
    const attempt = (what: "group" | "stream", run: () => void): string | undefined => {
      try {
        run();
        return undefined;
      } catch (error) {
        const { name, message } = error as Error;
        if (name === "ResourceAlreadyExistsException") return undefined;
        return `failed to create Cloudwatch log ${what}: ${name}: ${message}\n\tstatus code: 400, request id: ${this.#ctx.ids.uuid()}`;
      }
    };
    // Another region's group does not exist in the simulated one.
    const groupName = group ?? "";
    const createStream = () => {
      if (group === undefined)
        throw Object.assign(new Error("The specified log group does not exist."), {
          name: "ResourceNotFoundException",
        });
      logs.createLogStream({ logGroupName: groupName, logStreamName: stream });
    };
    if (createGroup && group !== undefined && !logs.hasLogGroup(group)) {
      const failed = attempt("group", () => logs.createLogGroup({ logGroupName: group }));
      if (failed) return failed;
    }
    return attempt("stream", createStream);
  }

  #cannotStart(container: ContainerState, detail: string): TaskFailureScript {
    // The agent keeps 255 characters of a container's reason.
    const reason =
      `CannotStartContainerError: Error response from daemon: failed to initialize logging driver: ${detail}`.slice(
        0,
        255,
      );
    return {
      stage: "PENDING",
      stopCode: "TaskFailedToStart",
      stoppedReason: ESSENTIAL_CONTAINER_EXITED,
      containers: [{ name: container.name, reason }],
    };
  }

  #output(task: TaskState, container: ContainerState, group: string, stream: string): OutputState {
    const startedAt = this.#ctx.clock.now();
    const definition = task.taskDefinition.definition;
    const entry = this.#scripts.findLast(
      (candidate) =>
        candidate.remaining > 0 && candidate.container === container.name && candidate.match(definition),
    );
    let lines: readonly OutputLine[] = [];
    let everyMinute: ((minute: number) => string) | undefined;
    if (entry) {
      entry.applied += 1;
      lines = typeof entry.lines === "function" ? entry.lines(task.id) : entry.lines;
      const repeated = entry.options.everyMinute;
      everyMinute = typeof repeated === "string" ? () => repeated : repeated;
    } else {
      const fallback = defaultContainerOutput[container.name];
      lines = fallback?.lines(container.image) ?? [];
      everyMinute = fallback?.everyMinute;
    }
    const timed = lines
      .map((line) => (typeof line === "string" ? { afterMs: 0, message: line } : line))
      .map((line) => ({ at: startedAt + line.afterMs, message: line.message }))
      .sort((a, b) => a.at - b.at);
    return { group, stream, startedAt, lines: timed, everyMinute, nextMinute: 1, shipped: [] };
  }

  /** Writes the lines printed until `until`, ingested at the driver's next 5-second batch. */
  #write(output: OutputState, until: number, extra: readonly string[] = []): void {
    const interval = this.#timings().containerOutputIntervalMs;
    const batch: Array<{ timestamp: number; message: string }> = [];
    for (;;) {
      const line = output.lines[0];
      const minuteAt =
        output.everyMinute && interval > 0 ? output.startedAt + output.nextMinute * interval : Infinity;
      const at = Math.min(line?.at ?? Infinity, minuteAt);
      if (at > until) break;
      if (line && line.at <= minuteAt) {
        batch.push({ timestamp: line.at, message: line.message });
        output.lines.shift();
      } else {
        batch.push({ timestamp: minuteAt, message: output.everyMinute?.(output.nextMinute) ?? "" });
        output.nextMinute += 1;
      }
    }
    for (const message of extra) batch.push({ timestamp: until, message });
    if (batch.length === 0) return;
    const flushMs = this.#timings().awslogsFlushMs;
    const ingestionOf = (timestamp: number) =>
      flushMs > 0
        ? output.startedAt + (Math.floor((timestamp - output.startedAt) / flushMs) + 1) * flushMs
        : timestamp;
    const stored = this.#logs?.appendEvents(
      output.group,
      output.stream,
      batch.map((event) => ({ ...event, ingestionTime: ingestionOf(event.timestamp) })),
    );
    output.shipped = [...output.shipped.filter((event) => event.ingestionTime > until), ...(stored ?? [])];
  }

  /** The container is gone: it writes what it printed, then `lastLines`; the driver ships everything now. */
  #close(key: string, lastLines: readonly string[]): void {
    const output = this.#outputs.get(key);
    if (!output) return;
    const now = this.#ctx.clock.now();
    this.#write(output, now, lastLines);
    for (const event of output.shipped) event.ingestionTime = Math.min(event.ingestionTime, now);
    this.#outputs.delete(key);
  }
}

/** Containers other containers link to or depend on start first (Docker needs them running). */
function startOrder(containers: readonly ContainerState[]): ContainerState[] {
  const needed = new Set(
    containers.flatMap((container) => [
      ...(container.definition.links ?? []).map((link) => link.split(":")[0] ?? ""),
      ...(container.definition.dependsOn ?? []).map((dependency) => dependency.containerName ?? ""),
    ]),
  );
  return [...containers].sort((a, b) => Number(needed.has(b.name)) - Number(needed.has(a.name)));
}

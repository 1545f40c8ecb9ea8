/**
 * Where the containers' output goes. The wiki sent `mc` to the host's syslog and `mc-es` to json-file,
 * readable only over ssh; mcctl sends both to one CloudWatch Logs group per deployment (the awslogs
 * driver), so `mcctl logs` can read them during an incident. The wiki's way stays available. Pure.
 */
import type { LogConfiguration, Task } from "@aws-sdk/client-ecs";

export type LogDriver = "awslogs" | "syslog";

/** What CloudWatch Logs accepts as a retention, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** The first part of every stream name: `mcctl/<container>/<task id>`. */
export const LOG_STREAM_PREFIX = "mcctl";

export type Logging =
  | { driver: "awslogs"; group: string; region: string; retentionDays: number }
  | { driver: "syslog" };

export function defaultLogGroup(family: string): string {
  return `/ecs/${family}`;
}

/** Undefined when CloudWatch Logs accepts the name, otherwise what is wrong with it. */
export function validateLogGroup(name: string): string | undefined {
  if (name.length === 0 || name.length > 512)
    return `is ${name.length} characters long; 1 to 512 are allowed`;
  if (!/^[.\-_/#A-Za-z0-9]+$/.test(name)) return "may only hold letters, digits and . - _ / #";
  return undefined;
}

/** The stream ECS writes one container of one task to, under the revision's awslogs-stream-prefix. */
export function logStreamName(container: string, taskId: string, prefix = LOG_STREAM_PREFIX): string {
  return `${prefix}/${container}/${taskId}`;
}

/**
 * Whether a task's container has started, which is when the awslogs driver creates its stream (Docker's
 * driver calls CreateLogStream as the container starts): "started" (its stream exists and holds what it
 * wrote), "starting" (the task is still pulling images or fetching secrets: no stream yet) or "never" (the
 * task stopped before the container started, e.g. CannotPullContainerError or a secret it could not fetch:
 * no stream, ever). A task that reached RUNNING has `startedAt`; a container that ran is RUNNING or has an
 * exit code.
 */
export type ContainerStart = "started" | "starting" | "never";

const STOPPING_STATUSES: readonly string[] = ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];

export function containerStart(task: Task, container: string): ContainerStart {
  const details = task.containers?.find((candidate) => candidate.name === container);
  if (task.startedAt !== undefined || details?.lastStatus === "RUNNING" || details?.exitCode !== undefined)
    return "started";
  const stopping = task.desiredStatus === "STOPPED" || STOPPING_STATUSES.includes(task.lastStatus ?? "");
  return stopping ? "never" : "starting";
}

/** The logConfiguration of a container: awslogs into the group, or the wiki's syslog / json-file. */
export function logConfigurationFor(logging: Logging, wikiDriver: "syslog" | "json-file"): LogConfiguration {
  if (logging.driver === "syslog") return { logDriver: wikiDriver };
  return {
    logDriver: "awslogs",
    options: {
      "awslogs-group": logging.group,
      "awslogs-region": logging.region,
      "awslogs-stream-prefix": LOG_STREAM_PREFIX,
    },
  };
}

/** The log group a container of a revision writes to, when it uses awslogs. */
export function awslogsGroupOf(
  logConfiguration: LogConfiguration | undefined,
): { group: string; region?: string | undefined; prefix?: string | undefined } | undefined {
  if (logConfiguration?.logDriver !== "awslogs") return undefined;
  const group = logConfiguration.options?.["awslogs-group"];
  if (!group) return undefined;
  return {
    group,
    region: logConfiguration.options?.["awslogs-region"],
    prefix: logConfiguration.options?.["awslogs-stream-prefix"],
  };
}

const SINCE_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * --since: a duration back from now (10m, 2h, 1d) or an ISO 8601 time. Epoch milliseconds, or what is
 * wrong with the text.
 */
export function parseSince(text: string, now: number): { at: number } | { problem: string } {
  const relative = /^(\d{1,6})([smhd])$/.exec(text);
  if (relative) return { at: now - Number(relative[1]) * (SINCE_UNITS[relative[2] as string] as number) };
  const date = /^(\d{4})-(\d{2})-(\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (date && isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) {
      return at > now ? { problem: `--since ${JSON.stringify(text)} is in the future` } : { at };
    }
  }
  return {
    problem: `--since ${JSON.stringify(text.slice(0, 60))} is neither a duration like 10m, 2h or 1d nor an ISO time like 2026-12-01T03:00:00Z`,
  };
}

/** Date.parse rolls 2026-02-30 over into March: a day that is not in the calendar is refused instead. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** --grep TEXT as a CloudWatch Logs filter pattern: the exact phrase, whatever characters it holds. */
export function phrasePattern(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

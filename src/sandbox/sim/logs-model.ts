/**
 * Internal state of the simulated CloudWatch Logs and the pure functions around it: log group and stream
 * records, CloudWatch Logs' name rules and wording, ARNs and the renderers. The API methods live in logs.ts,
 * logs-groups.ts and logs-events.ts; event records, order, ids and tokens in logs-event-order.ts; filter patterns in
 * logs-filter-pattern.ts.
 */
import {
  AccessDeniedException,
  CloudWatchLogsServiceException,
  type FilteredLogEvent,
  type LogGroup,
  type LogStream,
  ServiceUnavailableException,
  ThrottlingException,
} from "@aws-sdk/client-cloudwatch-logs";
import { compact, type IdSource } from "./core.js";
import { type ModeledExceptionClass, modeledError, type ServiceErrorProfile } from "./errors.js";
import { eventIdOf, type LogEventRecord, utf8Bytes } from "./logs-event-order.js";

export type { LogEventRecord } from "./logs-event-order.js";

export interface LogStreamRecord {
  name: string;
  creationTime: number;
  /** In insertion order. */
  events: LogEventRecord[];
}

export interface LogGroupRecord {
  name: string;
  creationTime: number;
  retentionInDays: number | undefined;
  kmsKeyId: string | undefined;
  logGroupClass: string;
  tags: Record<string, string>;
  streams: Map<string, LogStreamRecord>;
}

/** A log group as tests inspect it (`sim.logs.group(name)`). */
export interface LogGroupView {
  name: string;
  /** Without the trailing ":*" (the form TagResource takes). */
  arn: string;
  creationTime: number;
  retentionInDays: number | undefined;
  kmsKeyId: string | undefined;
  tags: Record<string, string>;
  storedBytes: number;
  /** Stream names, sorted. */
  streams: string[];
}

/** An event as FilterLogEvents returns it (`sim.logs.events(group, stream?)`). */
export type LogEventView = Required<
  Pick<FilteredLogEvent, "logStreamName" | "timestamp" | "message" | "ingestionTime" | "eventId">
>;

/** What PutRetentionPolicy accepts (the API reference's list; anything else is InvalidParameterException). */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const GROUP_NAME_PATTERN = "[\\.\\-_/#A-Za-z0-9]+";
const STREAM_NAME_PATTERN = "[^:*]*";
export const MAX_NAME_LENGTH = 512;
export const MAX_TAGS = 50;
/** PutLogEvents: 1,048,576 bytes a batch, counting each message in UTF-8 plus 26 bytes an event. */
export const MAX_BATCH_BYTES = 1_048_576;
export const PER_EVENT_BYTES = 26;
export const MAX_EVENTS_PER_CALL = 10_000;
export const DAY_MS = 24 * 60 * 60_000;

/** CloudWatch Logs' messages, word for word where the source is known (see the README's table). */
export const logsMessages = {
  groupExists: "The specified log group already exists",
  groupMissing: "The specified log group does not exist.",
  streamExists: "The specified log stream already exists",
  streamMissing: "The specified log stream does not exist.",
  invalidToken: "The specified nextToken is invalid.",
  invalidTerm: (character: string) => `Invalid character(s) in term '${character}'`,
  orderByWithPrefix: "Cannot order by LastEventTime with a logStreamNamePrefix.",
  namesAndPrefix: "Cannot specify both logStreamNames and logStreamNamePrefix.",
  prefixAndPattern: "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.",
  nameAndIdentifier: "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
  groupRequired: "Should provide either name or ARN of the log group.",
  reservedPrefix: "Log group names can't start with the string aws/",
  chronological: "Log events in a single PutLogEvents request must be in chronological order.",
  spansDay: "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
  batchTooLarge: `Upload too large: the batch of log events exceeds ${MAX_BATCH_BYTES} bytes.`,
  tooManyTags: `A resource can have no more than ${MAX_TAGS} tags.`,
  invalidArn: (arn: string) => `Invalid resource ARN: ${arn}`,
} as const;

/** One AWS constraint violation, e.g. "Value 'x y' at 'logGroupName' failed to satisfy constraint: …". */
export const constraint = {
  notNull: (member: string) =>
    `Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  pattern: (value: string, member: string, pattern: string) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
  minLength: (value: string, member: string, min: number) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
  maxLength: (value: string, member: string, max: number) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  minValue: (value: number, member: string, min: number) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
  maxValue: (value: number, member: string, max: number) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
  enumValue: (value: string | number, member: string, values: readonly (string | number)[]) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(", ")}]`,
} as const;

/** "1 validation error detected: …" / "2 validation errors detected: …; …", or undefined when there are none. */
export function validationMessage(violations: readonly string[]): string | undefined {
  if (violations.length === 0) return undefined;
  const count = violations.length === 1 ? "1 validation error" : `${violations.length} validation errors`;
  return `${count} detected: ${violations.join("; ")}`;
}

/** Violations of a log group name (or prefix): the pattern first, then the length, as CloudWatch lists them. */
export function groupNameViolations(name: string | undefined, member = "logGroupName"): string[] {
  if (name === undefined || name === null) return [constraint.notNull(member)];
  const violations: string[] = [];
  if (!new RegExp(`^${GROUP_NAME_PATTERN}$`).test(name))
    violations.push(constraint.pattern(name, member, GROUP_NAME_PATTERN));
  if (name.length < 1) violations.push(constraint.minLength(name, member, 1));
  if (name.length > MAX_NAME_LENGTH) violations.push(constraint.maxLength(name, member, MAX_NAME_LENGTH));
  return violations;
}

export function streamNameViolations(name: string | undefined, member = "logStreamName"): string[] {
  if (name === undefined || name === null) return [constraint.notNull(member)];
  const violations: string[] = [];
  if (!new RegExp(`^${STREAM_NAME_PATTERN}$`).test(name))
    violations.push(constraint.pattern(name, member, STREAM_NAME_PATTERN));
  if (name.length < 1) violations.push(constraint.minLength(name, member, 1));
  if (name.length > MAX_NAME_LENGTH) violations.push(constraint.maxLength(name, member, MAX_NAME_LENGTH));
  return violations;
}

/** Violations of an optional integer in [min, max] (limit, startTime…). */
export function rangeViolations(
  value: number | undefined,
  member: string,
  min: number,
  max?: number,
): string[] {
  if (value === undefined || value === null) return [];
  if (value < min) return [constraint.minValue(value, member, min)];
  if (max !== undefined && value > max) return [constraint.maxValue(value, member, max)];
  return [];
}

export class LogsArns {
  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** The form TagResource and `logGroupIdentifier` take: no trailing ":*". */
  group(name: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}`;
  }

  stream(group: string, stream: string): string {
    return `${this.group(group)}:log-stream:${stream}`;
  }

  /**
   * The group name an ARN names in this account and region (with or without the trailing ":*"), or
   * undefined for any other ARN.
   */
  groupName(arn: string, options: { allowWildcard: boolean }): string | undefined {
    const prefix = `arn:aws:logs:${this.region}:${this.accountId}:log-group:`;
    if (!arn.startsWith(prefix)) return undefined;
    const rest = arn.slice(prefix.length);
    if (rest.endsWith(":*")) return options.allowWildcard ? rest.slice(0, -2) : undefined;
    return rest.includes(":") ? undefined : rest;
  }
}

/** ThrottlingException "Rate exceeded": CloudWatch Logs models it, so the SDK hands out that class. */
export function throttlingError(ids: IdSource): Error {
  return Object.assign(modeledError(ThrottlingException, "Rate exceeded", ids), {
    $retryable: { throttling: true },
  });
}

/**
 * How the fault injector builds CloudWatch Logs errors: the modeled ThrottlingException and
 * ServiceUnavailableException; access denied on the stream or the group ("…:log-group:<name>:*").
 */
export function logsErrorProfile(arns: LogsArns): ServiceErrorProfile {
  return {
    service: "CloudWatchLogs",
    iamPrefix: "logs",
    BaseException: CloudWatchLogsServiceException,
    AccessDeniedException: AccessDeniedException as unknown as ModeledExceptionClass,
    resourceArn: (_command, input) => {
      const { logGroupName: group, logStreamName: stream } = (input ?? {}) as Record<string, unknown>;
      if (typeof group !== "string") return "*";
      return typeof stream === "string" ? arns.stream(group, stream) : `${arns.group(group)}:*`;
    },
    faultError: (kind, _call, context) => {
      if (kind === "throttling") return throttlingError(context.ids);
      if (kind !== "unavailable") return undefined;
      const message = "The service cannot complete the request.";
      return modeledError(ServiceUnavailableException, message, context.ids, 500);
    },
  };
}

/** DescribeLogStreams' order: by name, or by the last event's timestamp (streams without events first), then name. */
export function orderStreams(
  streams: LogStream[],
  orderBy: "LogStreamName" | "LastEventTime",
  descending: boolean,
): void {
  const byName = (a: LogStream, b: LogStream) =>
    (a.logStreamName ?? "") < (b.logStreamName ?? "")
      ? -1
      : (a.logStreamName ?? "") > (b.logStreamName ?? "")
        ? 1
        : 0;
  streams.sort((a, b) =>
    orderBy === "LastEventTime"
      ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || byName(a, b)
      : byName(a, b),
  );
  if (descending) streams.reverse();
}

// ---------------------------------------------------------------------------------------------------
// Renderers

/** Events whose ingestion time has come. */
export function visibleEvents(stream: LogStreamRecord, now: number): LogEventRecord[] {
  return stream.events.filter((event) => event.ingestionTime <= now);
}

export function storedBytesOf(group: LogGroupRecord, now: number): number {
  let bytes = 0;
  for (const stream of group.streams.values()) {
    for (const event of visibleEvents(stream, now)) bytes += utf8Bytes(event.message);
  }
  return bytes;
}

export function renderLogGroup(
  group: LogGroupRecord,
  arns: LogsArns,
  now: number,
  options: { namesOnly?: boolean } = {},
): LogGroup {
  const arn = arns.group(group.name);
  if (options.namesOnly)
    return { logGroupName: group.name, creationTime: group.creationTime, arn: `${arn}:*` };
  return compact({
    logGroupName: group.name,
    creationTime: group.creationTime,
    retentionInDays: group.retentionInDays,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: storedBytesOf(group, now),
    kmsKeyId: group.kmsKeyId,
    logGroupClass: group.logGroupClass as LogGroup["logGroupClass"],
    logGroupArn: arn,
  });
}

export function renderLogStream(
  group: string,
  stream: LogStreamRecord,
  arns: LogsArns,
  now: number,
): LogStream {
  const events = visibleEvents(stream, now);
  const timestamps = events.map((event) => event.timestamp);
  return compact({
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    firstEventTimestamp: events.length > 0 ? Math.min(...timestamps) : undefined,
    lastEventTimestamp: events.length > 0 ? Math.max(...timestamps) : undefined,
    lastIngestionTime:
      events.length > 0 ? Math.max(...events.map((event) => event.ingestionTime)) : undefined,
    arn: arns.stream(group, stream.name),
    storedBytes: 0,
  });
}

export function renderEvent(event: LogEventRecord): LogEventView {
  return {
    logStreamName: event.stream,
    timestamp: event.timestamp,
    message: event.message,
    ingestionTime: event.ingestionTime,
    eventId: eventIdOf(event),
  };
}

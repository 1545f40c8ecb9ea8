/**
 * Simulated Amazon CloudWatch Logs: log groups (retention, tags), log streams, events written with
 * PutLogEvents or by the ECS agent's awslogs driver (ecs-logs.ts), and the reads — DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents and FilterLogEvents (filter patterns, pages, an optional rate limit) —
 * with CloudWatch Logs' validation and errors (AWS JSON 1.1, like ECS and SSM).
 *
 * Log groups are logs-groups.ts's; events (PutLogEvents and the reads) logs-events.ts's; the state they share
 * logs-state.ts's.
 */
import {
  CreateLogGroupCommand,
  type CreateLogGroupCommandInput,
  CreateLogStreamCommand,
  type CreateLogStreamCommandInput,
  DeleteLogGroupCommand,
  type DeleteLogGroupCommandInput,
  DeleteLogStreamCommand,
  type DeleteLogStreamCommandInput,
  DeleteRetentionPolicyCommand,
  type DeleteRetentionPolicyCommandInput,
  DescribeLogGroupsCommand,
  type DescribeLogGroupsCommandInput,
  type DescribeLogGroupsResponse,
  DescribeLogStreamsCommand,
  type DescribeLogStreamsCommandInput,
  type DescribeLogStreamsResponse,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
  type FilterLogEventsResponse,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  type GetLogEventsResponse,
  InvalidParameterException,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResponse,
  PutLogEventsCommand,
  type PutLogEventsCommandInput,
  type PutLogEventsResponse,
  PutRetentionPolicyCommand,
  type PutRetentionPolicyCommandInput,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  type TagResourceCommandInput,
  UntagResourceCommand,
  type UntagResourceCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { createSimContext, paginate, type SimContext } from "./core.js";
import type { ServiceErrorProfile } from "./errors.js";
import { compareEvents } from "./logs-event-order.js";
import { LogsEvents } from "./logs-events.js";
import { LogGroups } from "./logs-groups.js";
import {
  constraint,
  groupNameViolations,
  type LogEventRecord,
  type LogEventView,
  type LogGroupView,
  logsErrorProfile,
  logsMessages,
  orderStreams,
  rangeViolations,
  renderEvent,
  renderLogStream,
  storedBytesOf,
  streamNameViolations,
  throttlingError,
  visibleEvents,
} from "./logs-model.js";
import { type LogsSimulatorOptions, LogsState } from "./logs-state.js";

export type { LogEventView, LogGroupView } from "./logs-model.js";
export type { LogsSimulatorOptions } from "./logs-state.js";

/** What the awslogs driver (ecs-logs.ts) uses of the simulator. */
export type LogsWriterView = Pick<
  LogsSimulator,
  "hasLogGroup" | "createLogGroup" | "createLogStream" | "appendEvents" | "onBeforeRead"
>;

export class LogsSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #state: LogsState;
  /** Log groups, their retention and tags (logs-groups.ts). */
  readonly #groups: LogGroups;
  /** PutLogEvents and the reads (logs-events.ts). */
  readonly #events: LogsEvents;

  constructor(context: SimContext = createSimContext(), options: LogsSimulatorOptions = {}) {
    const state = new LogsState(context);
    this.#state = state;
    this.setOptions(options);
    this.#groups = new LogGroups(state);
    this.#events = new LogsEvents({
      now: () => state.ctx.clock.now(),
      options: () => state.options,
      append: (group, stream, events) => this.appendEvents(group, stream, events),
      lastSeq: () => state.seq,
      invalid: (message) => state.error(InvalidParameterException, message),
      throttled: () => throttlingError(state.ctx.ids),
    });
    this.errorProfile = logsErrorProfile(state.arns);
  }

  // ===============================================================================================
  // Test setup and inspection

  /** Changes the page size or the FilterLogEvents rate limit from now on. */
  setOptions(options: LogsSimulatorOptions): void {
    this.#state.options = {
      filterLogEventsPerSecond:
        options.filterLogEventsPerSecond ?? this.#state.options.filterLogEventsPerSecond,
      pageSize: options.pageSize ?? this.#state.options.pageSize,
    };
  }

  /** Creates a log group as CreateLogGroup would (same rules, not logged); `retentionInDays` as PutRetentionPolicy. */
  addGroup(
    name: string,
    options: { retentionInDays?: number; tags?: Record<string, string> } = {},
  ): LogGroupView {
    this.createLogGroup({ logGroupName: name, tags: options.tags });
    if (options.retentionInDays !== undefined)
      this.putRetentionPolicy({ logGroupName: name, retentionInDays: options.retentionInDays });
    return this.group(name) as LogGroupView;
  }

  /** A log group with its tags, retention, stored bytes and stream names; undefined when there is none. */
  group(name: string): LogGroupView | undefined {
    this.#state.sync();
    const group = this.#state.groups.get(name);
    if (!group) return undefined;
    const now = this.#state.ctx.clock.now();
    return {
      name: group.name,
      arn: this.#state.arns.group(group.name),
      creationTime: group.creationTime,
      retentionInDays: group.retentionInDays,
      kmsKeyId: group.kmsKeyId,
      tags: { ...group.tags },
      storedBytes: storedBytesOf(group, now),
      streams: [...group.streams.keys()].sort(),
    };
  }

  /** Every log group name, sorted. */
  groups(): string[] {
    this.#state.sync();
    return [...this.#state.groups.keys()].sort();
  }

  /**
   * The events of a group (or of one of its streams) as FilterLogEvents would return them all: ingested
   * ones only, by timestamp, ingestion time and insertion. Empty for a group or stream that does not exist.
   */
  events(group: string, stream?: string): LogEventView[] {
    this.#state.sync();
    const record = this.#state.groups.get(group);
    if (!record) return [];
    const now = this.#state.ctx.clock.now();
    return [...record.streams.values()]
      .filter((candidate) => stream === undefined || candidate.name === stream)
      .flatMap((candidate) => visibleEvents(candidate, now))
      .sort(compareEvents)
      .map(renderEvent);
  }

  /**
   * Writes events as a client's PutLogEvents would, creating the group and the stream when missing.
   * Messages are timestamped `at` (epoch ms or a Date; default now) unless given as `{ message, timestamp }`;
   * they are ingested now.
   */
  putEvents(
    group: string,
    stream: string,
    messages: ReadonlyArray<string | { message: string; timestamp: number }>,
    at?: number | Date,
  ): LogEventView[] {
    this.#state.sync();
    if (!this.#state.groups.has(group)) this.createLogGroup({ logGroupName: group });
    if (!this.#state.groups.get(group)?.streams.has(stream))
      this.createLogStream({ logGroupName: group, logStreamName: stream });
    const now = this.#state.ctx.clock.now();
    const timestamp = at === undefined ? now : at instanceof Date ? at.getTime() : at;
    const events = messages.map((item) =>
      typeof item === "string"
        ? { message: item, timestamp, ingestionTime: now }
        : { ...item, ingestionTime: now },
    );
    return (this.appendEvents(group, stream, events) ?? []).map(renderEvent);
  }

  // ===============================================================================================
  // For the ECS agent's awslogs driver

  hasLogGroup(name: string): boolean {
    return this.#state.groups.has(name);
  }

  /**
   * Stores events as the awslogs driver's PutLogEvents does, without the batch checks; `ingestionTime` may lie
   * ahead (the driver ships every 5 s). Undefined, and nothing stored, when the group or the stream is gone.
   */
  appendEvents(
    group: string,
    stream: string,
    events: ReadonlyArray<{ timestamp: number; message: string; ingestionTime: number }>,
  ): LogEventRecord[] | undefined {
    const record = this.#state.groups.get(group)?.streams.get(stream);
    if (!record) return undefined;
    const stored = events.map((event) => ({ stream, ...event, seq: ++this.#state.seq }));
    record.events.push(...stored);
    return stored;
  }

  /** Runs `hook(now)` before every read, e.g. so that running containers write what they printed until now. */
  onBeforeRead(hook: (now: number) => void): void {
    this.#state.readHooks.push(hook);
  }

  // ===============================================================================================
  // API: groups (logs-groups.ts)

  createLogGroup(input: CreateLogGroupCommandInput): Record<string, never> {
    return this.#groups.createLogGroup(input);
  }

  deleteLogGroup(input: DeleteLogGroupCommandInput): Record<string, never> {
    return this.#groups.deleteLogGroup(input);
  }

  describeLogGroups(input: DescribeLogGroupsCommandInput = {}): DescribeLogGroupsResponse {
    return this.#groups.describeLogGroups(input);
  }

  putRetentionPolicy(input: PutRetentionPolicyCommandInput): Record<string, never> {
    return this.#groups.putRetentionPolicy(input);
  }

  deleteRetentionPolicy(input: DeleteRetentionPolicyCommandInput): Record<string, never> {
    return this.#groups.deleteRetentionPolicy(input);
  }

  tagResource(input: TagResourceCommandInput): Record<string, never> {
    return this.#groups.tagResource(input);
  }

  untagResource(input: UntagResourceCommandInput): Record<string, never> {
    return this.#groups.untagResource(input);
  }

  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    return this.#groups.listTagsForResource(input);
  }

  // ===============================================================================================
  // API: streams and events (the events: logs-events.ts)

  createLogStream(input: CreateLogStreamCommandInput): Record<string, never> {
    this.#state.sync();
    this.#state.validate([
      ...groupNameViolations(input.logGroupName),
      ...streamNameViolations(input.logStreamName),
    ]);
    const group = this.#state.group(input.logGroupName);
    const name = input.logStreamName ?? "";
    if (group.streams.has(name))
      throw this.#state.error(ResourceAlreadyExistsException, logsMessages.streamExists);
    group.streams.set(name, { name, creationTime: this.#state.ctx.clock.now(), events: [] });
    return {};
  }

  deleteLogStream(input: DeleteLogStreamCommandInput): Record<string, never> {
    this.#state.sync();
    this.#state.validate([
      ...groupNameViolations(input.logGroupName),
      ...streamNameViolations(input.logStreamName),
    ]);
    if (!this.#state.group(input.logGroupName).streams.delete(input.logStreamName ?? ""))
      throw this.#state.error(ResourceNotFoundException, logsMessages.streamMissing);
    return {};
  }

  describeLogStreams(input: DescribeLogStreamsCommandInput): DescribeLogStreamsResponse {
    this.#state.sync();
    const orderBy = input.orderBy ?? "LogStreamName";
    this.#state.validate([
      ...rangeViolations(input.limit, "limit", 1, 50),
      ...(orderBy === "LogStreamName" || orderBy === "LastEventTime"
        ? []
        : [constraint.enumValue(orderBy, "orderBy", ["LogStreamName", "LastEventTime"])]),
    ]);
    const prefix = input.logStreamNamePrefix;
    if (orderBy === "LastEventTime" && prefix !== undefined)
      throw this.#state.error(InvalidParameterException, logsMessages.orderByWithPrefix);
    const group = this.#state.groupFrom(input);
    const now = this.#state.ctx.clock.now();
    const rendered = [...group.streams.values()]
      .filter((stream) => prefix === undefined || stream.name.startsWith(prefix))
      .map((stream) => renderLogStream(group.name, stream, this.#state.arns, now));
    orderStreams(rendered, orderBy, input.descending ?? false);
    const { page, nextToken } = paginate(
      rendered,
      { maxResults: input.limit, nextToken: input.nextToken },
      {
        defaultMax: 50,
        invalidToken: () => this.#state.error(InvalidParameterException, logsMessages.invalidToken),
      },
    );
    return { logStreams: page, ...(nextToken === undefined ? {} : { nextToken }) };
  }

  putLogEvents(input: PutLogEventsCommandInput): PutLogEventsResponse {
    this.#state.sync();
    this.#state.validate([
      ...groupNameViolations(input.logGroupName),
      ...streamNameViolations(input.logStreamName),
      ...this.#events.putViolations(input),
    ]);
    this.#events.checkBatch(input);
    const group = this.#state.group(input.logGroupName);
    const stream = group.streams.get(input.logStreamName ?? "");
    if (!stream) throw this.#state.error(ResourceNotFoundException, logsMessages.streamMissing);
    return this.#events.put(group, stream, input);
  }

  getLogEvents(input: GetLogEventsCommandInput): GetLogEventsResponse {
    this.#state.sync();
    this.#state.validate([
      ...streamNameViolations(input.logStreamName),
      ...this.#events.readViolations(input),
    ]);
    const group = this.#state.groupFrom(input);
    const stream = group.streams.get(input.logStreamName ?? "");
    if (!stream) throw this.#state.error(ResourceNotFoundException, logsMessages.streamMissing);
    return this.#events.get(stream, input);
  }

  filterLogEvents(input: FilterLogEventsCommandInput): FilterLogEventsResponse {
    this.#state.sync();
    this.#events.throttleFilterLogEvents();
    this.#state.validate(this.#events.filterViolations(input));
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined)
      throw this.#state.error(InvalidParameterException, logsMessages.namesAndPrefix);
    const group = this.#state.groupFrom(input);
    // CloudWatch rejects the whole request when any one of the named streams does not exist, rather than
    // reading the others (percona/rds_exporter, enhanced/scraper.go and issue #81).
    if (input.logStreamNames?.some((name) => !group.streams.has(name)))
      throw this.#state.error(ResourceNotFoundException, logsMessages.streamMissing);
    return this.#events.filter(group, input);
  }
}

/** The CloudWatch Logs commands the simulator answers: operation name → [SDK command class, LogsSimulator method]. */
export const logsCommands = {
  CreateLogGroup: [CreateLogGroupCommand, "createLogGroup"],
  DeleteLogGroup: [DeleteLogGroupCommand, "deleteLogGroup"],
  DescribeLogGroups: [DescribeLogGroupsCommand, "describeLogGroups"],
  PutRetentionPolicy: [PutRetentionPolicyCommand, "putRetentionPolicy"],
  DeleteRetentionPolicy: [DeleteRetentionPolicyCommand, "deleteRetentionPolicy"],
  TagResource: [TagResourceCommand, "tagResource"],
  UntagResource: [UntagResourceCommand, "untagResource"],
  ListTagsForResource: [ListTagsForResourceCommand, "listTagsForResource"],
  CreateLogStream: [CreateLogStreamCommand, "createLogStream"],
  DeleteLogStream: [DeleteLogStreamCommand, "deleteLogStream"],
  DescribeLogStreams: [DescribeLogStreamsCommand, "describeLogStreams"],
  PutLogEvents: [PutLogEventsCommand, "putLogEvents"],
  GetLogEvents: [GetLogEventsCommand, "getLogEvents"],
  FilterLogEvents: [FilterLogEventsCommand, "filterLogEvents"],
} as const satisfies Record<string, readonly [unknown, keyof LogsSimulator]>;

export type LogsCommandName = keyof typeof logsCommands;

export type LogsInput<N extends LogsCommandName> = LogsSimulator[(typeof logsCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

export type LogsInputs = { [N in LogsCommandName]: LogsInput<N> };

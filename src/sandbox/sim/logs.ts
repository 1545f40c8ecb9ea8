/**
 * Simulated Amazon CloudWatch Logs: log groups (retention, tags), log streams, events written with
 * PutLogEvents or by the ECS agent's awslogs driver (ecs-logs.ts), and the reads — DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents and FilterLogEvents (filter patterns, pages, an optional rate limit) —
 * with CloudWatch Logs' validation and errors (AWS JSON 1.1, like ECS and SSM).
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
  TooManyTagsException,
  UntagResourceCommand,
  type UntagResourceCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { createSimContext, paginate, type SimContext } from "./core.js";
import { type ModeledExceptionClass, modeledError, type ServiceErrorProfile } from "./errors.js";
import { LogsEvents } from "./logs-events.js";
import {
  compareEvents,
  constraint,
  groupNameViolations,
  type LogEventRecord,
  type LogEventView,
  type LogGroupRecord,
  type LogGroupView,
  LogsArns,
  logsErrorProfile,
  logsMessages,
  MAX_TAGS,
  orderStreams,
  RETENTION_DAYS,
  rangeViolations,
  renderEvent,
  renderLogGroup,
  renderLogStream,
  storedBytesOf,
  streamNameViolations,
  throttlingError,
  validationMessage,
  visibleEvents,
} from "./logs-model.js";

export type { LogEventView, LogGroupView } from "./logs-model.js";

export interface LogsSimulatorOptions {
  /**
   * FilterLogEvents calls allowed within any second of simulated time; the next one fails with
   * ThrottlingException "Rate exceeded". Off by default (CloudWatch's quota is 5 per account and region).
   */
  filterLogEventsPerSecond?: number;
  /**
   * At most this many events on one FilterLogEvents or GetLogEvents page, below `limit` (CloudWatch: up to
   * 10,000 events or 1 MB). Default 50, so that readers must follow `nextToken`.
   */
  pageSize?: number;
}

/** What the awslogs driver (ecs-logs.ts) uses of the simulator. */
export type LogsWriterView = Pick<
  LogsSimulator,
  "hasLogGroup" | "createLogGroup" | "createLogStream" | "appendEvents" | "onBeforeRead"
>;

export class LogsSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #arns: LogsArns;
  readonly #groups = new Map<string, LogGroupRecord>();
  readonly #readHooks: Array<(now: number) => void> = [];
  readonly #events: LogsEvents;
  #options: Required<LogsSimulatorOptions>;
  #seq = 0;

  constructor(context: SimContext = createSimContext(), options: LogsSimulatorOptions = {}) {
    this.#ctx = context;
    this.#arns = new LogsArns(context.region, context.accountId);
    this.#options = { filterLogEventsPerSecond: Infinity, pageSize: 50 };
    this.setOptions(options);
    this.#events = new LogsEvents({
      now: () => this.#ctx.clock.now(),
      options: () => this.#options,
      append: (group, stream, events) => this.appendEvents(group, stream, events),
      lastSeq: () => this.#seq,
      invalid: (message) => this.#error(InvalidParameterException, message),
      throttled: () => throttlingError(this.#ctx.ids),
    });
    this.errorProfile = logsErrorProfile(this.#arns);
  }

  // ===============================================================================================
  // Test setup and inspection

  /** Changes the page size or the FilterLogEvents rate limit from now on. */
  setOptions(options: LogsSimulatorOptions): void {
    this.#options = {
      filterLogEventsPerSecond: options.filterLogEventsPerSecond ?? this.#options.filterLogEventsPerSecond,
      pageSize: options.pageSize ?? this.#options.pageSize,
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
    this.#sync();
    const group = this.#groups.get(name);
    if (!group) return undefined;
    const now = this.#ctx.clock.now();
    return {
      name: group.name,
      arn: this.#arns.group(group.name),
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
    this.#sync();
    return [...this.#groups.keys()].sort();
  }

  /**
   * The events of a group (or of one of its streams) as FilterLogEvents would return them all: ingested
   * ones only, by timestamp, ingestion time and insertion. Empty for a group or stream that does not exist.
   */
  events(group: string, stream?: string): LogEventView[] {
    this.#sync();
    const record = this.#groups.get(group);
    if (!record) return [];
    const now = this.#ctx.clock.now();
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
    this.#sync();
    if (!this.#groups.has(group)) this.createLogGroup({ logGroupName: group });
    if (!this.#groups.get(group)?.streams.has(stream))
      this.createLogStream({ logGroupName: group, logStreamName: stream });
    const now = this.#ctx.clock.now();
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
    return this.#groups.has(name);
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
    const record = this.#groups.get(group)?.streams.get(stream);
    if (!record) return undefined;
    const stored = events.map((event) => ({ stream, ...event, seq: ++this.#seq }));
    record.events.push(...stored);
    return stored;
  }

  /** Runs `hook(now)` before every read, e.g. so that running containers write what they printed until now. */
  onBeforeRead(hook: (now: number) => void): void {
    this.#readHooks.push(hook);
  }

  // ===============================================================================================
  // API: groups

  createLogGroup(input: CreateLogGroupCommandInput): Record<string, never> {
    this.#sync();
    const name = input.logGroupName;
    this.#validate(groupNameViolations(name));
    if (name?.startsWith("aws/")) throw this.#error(InvalidParameterException, logsMessages.reservedPrefix);
    if (Object.keys(input.tags ?? {}).length > MAX_TAGS)
      throw this.#error(TooManyTagsException, logsMessages.tooManyTags);
    if (this.#groups.has(name ?? ""))
      throw this.#error(ResourceAlreadyExistsException, logsMessages.groupExists);
    this.#groups.set(name ?? "", {
      name: name ?? "",
      creationTime: this.#ctx.clock.now(),
      retentionInDays: undefined,
      kmsKeyId: input.kmsKeyId,
      logGroupClass: input.logGroupClass ?? "STANDARD",
      tags: { ...input.tags },
      streams: new Map(),
    });
    return {};
  }

  deleteLogGroup(input: DeleteLogGroupCommandInput): Record<string, never> {
    this.#sync();
    this.#validate(groupNameViolations(input.logGroupName));
    if (!this.#groups.delete(input.logGroupName ?? ""))
      throw this.#error(ResourceNotFoundException, logsMessages.groupMissing);
    return {};
  }

  describeLogGroups(input: DescribeLogGroupsCommandInput = {}): DescribeLogGroupsResponse {
    this.#sync();
    if (input.accountIdentifiers || input.includeLinkedAccounts || input.logGroupIdentifiers) {
      throw new Error(
        "simulated CloudWatch Logs does not implement cross-account or identifier DescribeLogGroups",
      );
    }
    const { logGroupNamePrefix: prefix, logGroupNamePattern: pattern } = input;
    this.#validate([
      ...(prefix === undefined ? [] : groupNameViolations(prefix, "logGroupNamePrefix")),
      ...rangeViolations(input.limit, "limit", 1, 50),
    ]);
    if (prefix !== undefined && pattern !== undefined)
      throw this.#error(InvalidParameterException, logsMessages.prefixAndPattern);
    const now = this.#ctx.clock.now();
    const matching = [...this.#groups.values()]
      .filter((group) => prefix === undefined || group.name.startsWith(prefix))
      .filter((group) => pattern === undefined || group.name.includes(pattern))
      .filter((group) => input.logGroupClass === undefined || group.logGroupClass === input.logGroupClass)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { page, nextToken } = paginate(
      matching,
      { maxResults: input.limit, nextToken: input.nextToken },
      {
        defaultMax: 50,
        invalidToken: () => this.#error(InvalidParameterException, logsMessages.invalidToken),
      },
    );
    const namesOnly = pattern !== undefined;
    return {
      logGroups: page.map((group) => renderLogGroup(group, this.#arns, now, { namesOnly })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  putRetentionPolicy(input: PutRetentionPolicyCommandInput): Record<string, never> {
    this.#sync();
    const days = input.retentionInDays;
    this.#validate([
      ...groupNameViolations(input.logGroupName),
      ...(days === undefined || days === null
        ? [constraint.notNull("retentionInDays")]
        : RETENTION_DAYS.includes(days)
          ? []
          : [constraint.enumValue(days, "retentionInDays", RETENTION_DAYS)]),
    ]);
    this.#group(input.logGroupName).retentionInDays = days;
    return {};
  }

  deleteRetentionPolicy(input: DeleteRetentionPolicyCommandInput): Record<string, never> {
    this.#sync();
    this.#validate(groupNameViolations(input.logGroupName));
    this.#group(input.logGroupName).retentionInDays = undefined;
    return {};
  }

  tagResource(input: TagResourceCommandInput): Record<string, never> {
    this.#sync();
    const group = this.#taggable(input.resourceArn);
    const tags = { ...group.tags, ...input.tags };
    if (Object.keys(tags).length > MAX_TAGS)
      throw this.#error(TooManyTagsException, logsMessages.tooManyTags);
    group.tags = tags;
    return {};
  }

  untagResource(input: UntagResourceCommandInput): Record<string, never> {
    this.#sync();
    const group = this.#taggable(input.resourceArn);
    for (const key of input.tagKeys ?? []) delete group.tags[key];
    return {};
  }

  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    this.#sync();
    return { tags: { ...this.#taggable(input.resourceArn).tags } };
  }

  // ===============================================================================================
  // API: streams and events

  createLogStream(input: CreateLogStreamCommandInput): Record<string, never> {
    this.#sync();
    this.#validate([
      ...groupNameViolations(input.logGroupName),
      ...streamNameViolations(input.logStreamName),
    ]);
    const group = this.#group(input.logGroupName);
    const name = input.logStreamName ?? "";
    if (group.streams.has(name)) throw this.#error(ResourceAlreadyExistsException, logsMessages.streamExists);
    group.streams.set(name, { name, creationTime: this.#ctx.clock.now(), events: [] });
    return {};
  }

  deleteLogStream(input: DeleteLogStreamCommandInput): Record<string, never> {
    this.#sync();
    this.#validate([
      ...groupNameViolations(input.logGroupName),
      ...streamNameViolations(input.logStreamName),
    ]);
    if (!this.#group(input.logGroupName).streams.delete(input.logStreamName ?? ""))
      throw this.#error(ResourceNotFoundException, logsMessages.streamMissing);
    return {};
  }

  describeLogStreams(input: DescribeLogStreamsCommandInput): DescribeLogStreamsResponse {
    this.#sync();
    const orderBy = input.orderBy ?? "LogStreamName";
    this.#validate([
      ...rangeViolations(input.limit, "limit", 1, 50),
      ...(orderBy === "LogStreamName" || orderBy === "LastEventTime"
        ? []
        : [constraint.enumValue(orderBy, "orderBy", ["LogStreamName", "LastEventTime"])]),
    ]);
    const prefix = input.logStreamNamePrefix;
    if (orderBy === "LastEventTime" && prefix !== undefined)
      throw this.#error(InvalidParameterException, logsMessages.orderByWithPrefix);
    const group = this.#groupFrom(input);
    const now = this.#ctx.clock.now();
    const rendered = [...group.streams.values()]
      .filter((stream) => prefix === undefined || stream.name.startsWith(prefix))
      .map((stream) => renderLogStream(group.name, stream, this.#arns, now));
    orderStreams(rendered, orderBy, input.descending ?? false);
    const { page, nextToken } = paginate(
      rendered,
      { maxResults: input.limit, nextToken: input.nextToken },
      {
        defaultMax: 50,
        invalidToken: () => this.#error(InvalidParameterException, logsMessages.invalidToken),
      },
    );
    return { logStreams: page, ...(nextToken === undefined ? {} : { nextToken }) };
  }

  putLogEvents(input: PutLogEventsCommandInput): PutLogEventsResponse {
    this.#sync();
    this.#validate([
      ...groupNameViolations(input.logGroupName),
      ...streamNameViolations(input.logStreamName),
      ...this.#events.putViolations(input),
    ]);
    this.#events.checkBatch(input);
    const group = this.#group(input.logGroupName);
    const stream = group.streams.get(input.logStreamName ?? "");
    if (!stream) throw this.#error(ResourceNotFoundException, logsMessages.streamMissing);
    return this.#events.put(group, stream, input);
  }

  getLogEvents(input: GetLogEventsCommandInput): GetLogEventsResponse {
    this.#sync();
    this.#validate([...streamNameViolations(input.logStreamName), ...this.#events.readViolations(input)]);
    const group = this.#groupFrom(input);
    const stream = group.streams.get(input.logStreamName ?? "");
    if (!stream) throw this.#error(ResourceNotFoundException, logsMessages.streamMissing);
    return this.#events.get(stream, input);
  }

  filterLogEvents(input: FilterLogEventsCommandInput): FilterLogEventsResponse {
    this.#sync();
    this.#events.throttleFilterLogEvents();
    this.#validate(this.#events.filterViolations(input));
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined)
      throw this.#error(InvalidParameterException, logsMessages.namesAndPrefix);
    const group = this.#groupFrom(input);
    // CloudWatch rejects the whole request when any one of the named streams does not exist, rather than
    // reading the others (percona/rds_exporter, enhanced/scraper.go and issue #81).
    if (input.logStreamNames?.some((name) => !group.streams.has(name)))
      throw this.#error(ResourceNotFoundException, logsMessages.streamMissing);
    return this.#events.filter(group, input);
  }

  // ===============================================================================================
  // Internals

  #sync(): void {
    this.#ctx.clock.advance();
    const now = this.#ctx.clock.now();
    for (const hook of this.#readHooks) hook(now);
  }

  #validate(violations: readonly string[]): void {
    const message = validationMessage(violations);
    if (message) throw this.#error(InvalidParameterException, message);
  }

  #group(name: string | undefined): LogGroupRecord {
    const group = this.#groups.get(name ?? "");
    if (!group) throw this.#error(ResourceNotFoundException, logsMessages.groupMissing);
    return group;
  }

  /** `logGroupName` or `logGroupIdentifier` (a name or the group's ARN), one of the two. */
  #groupFrom(input: {
    logGroupName?: string | undefined;
    logGroupIdentifier?: string | undefined;
  }): LogGroupRecord {
    const { logGroupName: name, logGroupIdentifier: identifier } = input;
    if (name !== undefined && identifier !== undefined)
      throw this.#error(InvalidParameterException, logsMessages.nameAndIdentifier);
    if (name === undefined && identifier === undefined)
      throw this.#error(InvalidParameterException, logsMessages.groupRequired);
    if (name !== undefined) {
      this.#validate(groupNameViolations(name));
      return this.#group(name);
    }
    const resolved = identifier?.startsWith("arn:")
      ? this.#arns.groupName(identifier, { allowWildcard: false })
      : identifier;
    return this.#group(resolved);
  }

  /** TagResource and friends take the group's ARN without the trailing ":*". */
  #taggable(arn: string | undefined): LogGroupRecord {
    const name = this.#arns.groupName(arn ?? "", { allowWildcard: false });
    if (name === undefined) throw this.#error(InvalidParameterException, logsMessages.invalidArn(arn ?? ""));
    return this.#group(name);
  }

  #error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E {
    return modeledError(Exception, message, this.#ctx.ids);
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

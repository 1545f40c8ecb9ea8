/**
 * Log groups in the simulated CloudWatch Logs: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, their retention
 * (Put/DeleteRetentionPolicy) and tags (TagResource, UntagResource, ListTagsForResource), with CloudWatch Logs'
 * validation and wording.
 */
import {
  type CreateLogGroupCommandInput,
  type DeleteLogGroupCommandInput,
  type DeleteRetentionPolicyCommandInput,
  type DescribeLogGroupsCommandInput,
  type DescribeLogGroupsResponse,
  InvalidParameterException,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResponse,
  type PutRetentionPolicyCommandInput,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  type TagResourceCommandInput,
  TooManyTagsException,
  type UntagResourceCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { paginate } from "./core.js";
import {
  constraint,
  groupNameViolations,
  logsMessages,
  MAX_TAGS,
  RETENTION_DAYS,
  rangeViolations,
  renderLogGroup,
} from "./logs-model.js";
import type { LogsState } from "./logs-state.js";

export class LogGroups {
  readonly #state: LogsState;

  constructor(state: LogsState) {
    this.#state = state;
  }

  createLogGroup(input: CreateLogGroupCommandInput): Record<string, never> {
    this.#state.sync();
    const name = input.logGroupName;
    this.#state.validate(groupNameViolations(name));
    if (name?.startsWith("aws/"))
      throw this.#state.error(InvalidParameterException, logsMessages.reservedPrefix);
    if (Object.keys(input.tags ?? {}).length > MAX_TAGS)
      throw this.#state.error(TooManyTagsException, logsMessages.tooManyTags);
    if (this.#state.groups.has(name ?? ""))
      throw this.#state.error(ResourceAlreadyExistsException, logsMessages.groupExists);
    this.#state.groups.set(name ?? "", {
      name: name ?? "",
      creationTime: this.#state.ctx.clock.now(),
      retentionInDays: undefined,
      kmsKeyId: input.kmsKeyId,
      logGroupClass: input.logGroupClass ?? "STANDARD",
      tags: { ...input.tags },
      streams: new Map(),
    });
    return {};
  }

  deleteLogGroup(input: DeleteLogGroupCommandInput): Record<string, never> {
    this.#state.sync();
    this.#state.validate(groupNameViolations(input.logGroupName));
    if (!this.#state.groups.delete(input.logGroupName ?? ""))
      throw this.#state.error(ResourceNotFoundException, logsMessages.groupMissing);
    return {};
  }

  describeLogGroups(input: DescribeLogGroupsCommandInput = {}): DescribeLogGroupsResponse {
    this.#state.sync();
    if (input.accountIdentifiers || input.includeLinkedAccounts || input.logGroupIdentifiers) {
      throw new Error(
        "simulated CloudWatch Logs does not implement cross-account or identifier DescribeLogGroups",
      );
    }
    const { logGroupNamePrefix: prefix, logGroupNamePattern: pattern } = input;
    this.#state.validate([
      ...(prefix === undefined ? [] : groupNameViolations(prefix, "logGroupNamePrefix")),
      ...rangeViolations(input.limit, "limit", 1, 50),
    ]);
    if (prefix !== undefined && pattern !== undefined)
      throw this.#state.error(InvalidParameterException, logsMessages.prefixAndPattern);
    const now = this.#state.ctx.clock.now();
    const matching = [...this.#state.groups.values()]
      .filter((group) => prefix === undefined || group.name.startsWith(prefix))
      .filter((group) => pattern === undefined || group.name.includes(pattern))
      .filter((group) => input.logGroupClass === undefined || group.logGroupClass === input.logGroupClass)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { page, nextToken } = paginate(
      matching,
      { maxResults: input.limit, nextToken: input.nextToken },
      {
        defaultMax: 50,
        invalidToken: () => this.#state.error(InvalidParameterException, logsMessages.invalidToken),
      },
    );
    const namesOnly = pattern !== undefined;
    return {
      logGroups: page.map((group) => renderLogGroup(group, this.#state.arns, now, { namesOnly })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  putRetentionPolicy(input: PutRetentionPolicyCommandInput): Record<string, never> {
    this.#state.sync();
    const days = input.retentionInDays;
    this.#state.validate([
      ...groupNameViolations(input.logGroupName),
      ...(days === undefined || days === null
        ? [constraint.notNull("retentionInDays")]
        : RETENTION_DAYS.includes(days)
          ? []
          : [constraint.enumValue(days, "retentionInDays", RETENTION_DAYS)]),
    ]);
    this.#state.group(input.logGroupName).retentionInDays = days;
    return {};
  }

  deleteRetentionPolicy(input: DeleteRetentionPolicyCommandInput): Record<string, never> {
    this.#state.sync();
    this.#state.validate(groupNameViolations(input.logGroupName));
    this.#state.group(input.logGroupName).retentionInDays = undefined;
    return {};
  }

  tagResource(input: TagResourceCommandInput): Record<string, never> {
    this.#state.sync();
    const group = this.#state.taggable(input.resourceArn);
    const tags = { ...group.tags, ...input.tags };
    if (Object.keys(tags).length > MAX_TAGS)
      throw this.#state.error(TooManyTagsException, logsMessages.tooManyTags);
    group.tags = tags;
    return {};
  }

  untagResource(input: UntagResourceCommandInput): Record<string, never> {
    this.#state.sync();
    const group = this.#state.taggable(input.resourceArn);
    for (const key of input.tagKeys ?? []) delete group.tags[key];
    return {};
  }

  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    this.#state.sync();
    return { tags: { ...this.#state.taggable(input.resourceArn).tags } };
  }
}

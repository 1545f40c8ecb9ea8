/**
 * What the parts of the simulated CloudWatch Logs share (logs.ts wires them together): the log groups with their
 * streams and events, the options in force, and the checks and lookups API calls start with.
 */
import { InvalidParameterException, ResourceNotFoundException } from "@aws-sdk/client-cloudwatch-logs";
import type { SimContext } from "./core.js";
import { type ModeledExceptionClass, modeledError } from "./errors.js";
import {
  groupNameViolations,
  type LogGroupRecord,
  LogsArns,
  logsMessages,
  validationMessage,
} from "./logs-model.js";

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

export class LogsState {
  readonly ctx: SimContext;
  readonly arns: LogsArns;
  readonly groups = new Map<string, LogGroupRecord>();
  /** Run before every read (`LogsSimulator.onBeforeRead`). */
  readonly readHooks: Array<(now: number) => void> = [];
  options: Required<LogsSimulatorOptions> = { filterLogEventsPerSecond: Infinity, pageSize: 50 };
  /** The last event's insertion number: events are numbered in the order they were stored. */
  seq = 0;

  constructor(context: SimContext) {
    this.ctx = context;
    this.arns = new LogsArns(context.region, context.accountId);
  }

  /** Runs what is due, then the read hooks (running containers write what they printed until now). */
  sync(): void {
    this.ctx.clock.advance();
    const now = this.ctx.clock.now();
    for (const hook of this.readHooks) hook(now);
  }

  validate(violations: readonly string[]): void {
    const message = validationMessage(violations);
    if (message) throw this.error(InvalidParameterException, message);
  }

  group(name: string | undefined): LogGroupRecord {
    const group = this.groups.get(name ?? "");
    if (!group) throw this.error(ResourceNotFoundException, logsMessages.groupMissing);
    return group;
  }

  /** `logGroupName` or `logGroupIdentifier` (a name or the group's ARN), one of the two. */
  groupFrom(input: {
    logGroupName?: string | undefined;
    logGroupIdentifier?: string | undefined;
  }): LogGroupRecord {
    const { logGroupName: name, logGroupIdentifier: identifier } = input;
    if (name !== undefined && identifier !== undefined)
      throw this.error(InvalidParameterException, logsMessages.nameAndIdentifier);
    if (name === undefined && identifier === undefined)
      throw this.error(InvalidParameterException, logsMessages.groupRequired);
    if (name !== undefined) {
      this.validate(groupNameViolations(name));
      return this.group(name);
    }
    const resolved = identifier?.startsWith("arn:")
      ? this.arns.groupName(identifier, { allowWildcard: false })
      : identifier;
    return this.group(resolved);
  }

  /** TagResource and friends take the group's ARN without the trailing ":*". */
  taggable(arn: string | undefined): LogGroupRecord {
    const name = this.arns.groupName(arn ?? "", { allowWildcard: false });
    if (name === undefined) throw this.error(InvalidParameterException, logsMessages.invalidArn(arn ?? ""));
    return this.group(name);
  }

  error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E {
    return modeledError(Exception, message, this.ctx.ids);
  }
}

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import type { AwsConfig } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import { LOGS_PERMISSIONS } from "./logs-permissions.js";
import type { PermissionTable } from "./permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of LogsApi without a declaration. */
const DECLARED: PermissionTable<LogsApi> = LOGS_PERMISSIONS;

export interface LogGroupFacts {
  name: string;
  /** Undefined: kept forever. */
  retentionInDays?: number | undefined;
  storedBytes?: number | undefined;
}

export interface LogEvent {
  stream: string;
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
  eventId: string;
}

export interface LogEventsPage {
  events: LogEvent[];
  nextToken?: string | undefined;
}

/** The part of CloudWatch Logs that mcctl uses. */
export interface LogsApi {
  /** The group of exactly that name, or undefined. */
  findLogGroup(name: string): Promise<LogGroupFacts | undefined>;
  createLogGroup(name: string, tags: Record<string, string>): Promise<void>;
  setRetention(name: string, days: number): Promise<void>;
  /**
   * One page of FilterLogEvents; the caller pages on (and paces itself within the quota). CloudWatch Logs
   * refuses the whole request (ResourceNotFoundException) when any of `streams` does not exist; no
   * `streams` reads every stream of the group. `startFromHead: false` reads the newest events first.
   */
  filterEvents(request: {
    group: string;
    streams: readonly string[];
    startTime?: number | undefined;
    filterPattern?: string | undefined;
    startFromHead?: boolean | undefined;
    limit?: number | undefined;
    nextToken?: string | undefined;
  }): Promise<LogEventsPage>;
  /**
   * Which of `streams` exist in the group: one DescribeLogStreams a name, with the name as the prefix
   * (the exact name sorts first). Fails with ResourceNotFoundException when the group does not exist.
   */
  existingStreams(group: string, streams: readonly string[]): Promise<Set<string>>;
  /** False when there is no such group (any more). */
  deleteLogGroup(name: string): Promise<boolean>;
}

export function createLogsApi(config: AwsConfig, limits: AwsLimits = {}): LogsApi {
  const client = new CloudWatchLogsClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  return {
    findLogGroup: (name) =>
      call({ declared: DECLARED.findLogGroup }, async () => {
        let nextToken: string | undefined;
        do {
          const output = await client.send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken, limit: 50 }),
          );
          const found = output.logGroups?.find((group) => group.logGroupName === name);
          if (found) return { name, retentionInDays: found.retentionInDays, storedBytes: found.storedBytes };
          nextToken = output.nextToken;
        } while (nextToken);
        return undefined;
      }),

    createLogGroup: (name, tags) =>
      call({ declared: DECLARED.createLogGroup }, async () => {
        try {
          await client.send(new CreateLogGroupCommand({ logGroupName: name, tags }));
        } catch (error) {
          // Made meanwhile (another run): what was wanted exists.
          if (awsErrorName(error) !== "ResourceAlreadyExistsException") throw error;
        }
      }),

    setRetention: (name, days) =>
      call({ declared: DECLARED.setRetention }, async () => {
        await client.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }));
      }),

    filterEvents: (request) =>
      call({ declared: DECLARED.filterEvents }, async () => {
        const output = await client.send(
          new FilterLogEventsCommand({
            logGroupName: request.group,
            ...(request.streams.length > 0 ? { logStreamNames: [...request.streams] } : {}),
            ...(request.startTime === undefined ? {} : { startTime: request.startTime }),
            ...(request.filterPattern ? { filterPattern: request.filterPattern } : {}),
            ...(request.startFromHead === undefined ? {} : { startFromHead: request.startFromHead }),
            ...(request.limit === undefined ? {} : { limit: request.limit }),
            ...(request.nextToken ? { nextToken: request.nextToken } : {}),
          }),
        );
        return {
          events: (output.events ?? []).map((event) => ({
            stream: event.logStreamName ?? "",
            timestamp: event.timestamp ?? 0,
            message: event.message ?? "",
            eventId: event.eventId ?? `${event.logStreamName}/${event.timestamp}`,
          })),
          nextToken: output.nextToken,
        };
      }),

    existingStreams: (group, streams) =>
      call({ declared: DECLARED.existingStreams }, async () => {
        const found = new Set<string>();
        for (const stream of streams) {
          const output = await client.send(
            new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: stream, limit: 1 }),
          );
          if (output.logStreams?.[0]?.logStreamName === stream) found.add(stream);
        }
        return found;
      }),

    deleteLogGroup: (name) =>
      call({ declared: DECLARED.deleteLogGroup }, async () => {
        try {
          await client.send(new DeleteLogGroupCommand({ logGroupName: name }));
          return true;
        } catch (error) {
          if (awsErrorName(error) === "ResourceNotFoundException") return false;
          throw error;
        }
      }),
  };
}

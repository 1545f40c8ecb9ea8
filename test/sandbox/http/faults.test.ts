// The server's scripted faults on every served service, each in that service's own words: throttling that
// the SDK retries, 5xx answers, access denied, no answer, a reset connection and an HTML page.
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { AccessDeniedException, DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { GetInstanceProfileCommand } from "@aws-sdk/client-iam";
import { DescribeDBEngineVersionsCommand } from "@aws-sdk/client-rds";
import { DescribeParametersCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import type { HttpFault } from "../../../src/sandbox/http/server.js";
import { type ServedService, useServedPair, withoutMetadata } from "./round-trip.js";

const pair = useServedPair();

interface Probe {
  operation: string;
  command: () => object;
  /** The service's throttling code, 5xx code and access-denied code and status. */
  throttling: string;
  serverError: string;
  accessDenied: [string, number];
  /** An AWS JSON 1.1 service (else a query protocol). */
  json?: boolean;
  arrange?: () => void;
}

const probes: Record<ServedService, Probe> = {
  ECS: {
    operation: "DescribeClusters",
    command: () => new DescribeClustersCommand({ clusters: ["mc"] }),
    throttling: "ThrottlingException",
    serverError: "InternalFailure",
    accessDenied: ["AccessDeniedException", 400],
    json: true,
  },
  SSM: {
    operation: "DescribeParameters",
    command: () => new DescribeParametersCommand({}),
    throttling: "ThrottlingException",
    serverError: "InternalFailure",
    accessDenied: ["AccessDeniedException", 400],
    json: true,
  },
  CloudWatchLogs: {
    operation: "DescribeLogGroups",
    command: () => new DescribeLogGroupsCommand({}),
    throttling: "ThrottlingException",
    serverError: "InternalFailure",
    accessDenied: ["AccessDeniedException", 400],
    json: true,
  },
  EC2: {
    operation: "DescribeVpcs",
    command: () => new DescribeVpcsCommand({}),
    throttling: "RequestLimitExceeded",
    serverError: "InternalError",
    accessDenied: ["UnauthorizedOperation", 403],
  },
  RDS: {
    operation: "DescribeDBEngineVersions",
    command: () => new DescribeDBEngineVersionsCommand({ Engine: "mysql" }),
    throttling: "Throttling",
    serverError: "InternalFailure",
    accessDenied: ["AccessDenied", 403],
  },
  IAM: {
    operation: "GetInstanceProfile",
    command: () => new GetInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }),
    throttling: "Throttling",
    serverError: "InternalFailure",
    accessDenied: ["AccessDenied", 403],
    arrange: () => pair.arrange([(sim) => sim.iam.addInstanceProfile("ecsInstanceRole")]),
  },
  STS: {
    operation: "GetCallerIdentity",
    command: () => new GetCallerIdentityCommand({}),
    throttling: "Throttling",
    serverError: "InternalFailure",
    accessDenied: ["AccessDenied", 403],
  },
};

async function rejection(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

const faultsSeen = (service: ServedService) =>
  pair.server.requests
    .filter((request) => request.service === service)
    .map((request) => request.fault ?? "answered");

describe.each(Object.entries(probes) as [ServedService, Probe][])("%s", (service, probe) => {
  const inject = (fault: HttpFault, times = 1) =>
    pair.server.inject({ fault, service, command: probe.operation, times });

  it("answers throttling with the service's code, and the SDK retries it", async () => {
    probe.arrange?.();
    inject("throttling", 2);
    const output = await pair.client(service, { maxAttempts: 3 }).send(probe.command());
    expect(output).toHaveProperty("$metadata.attempts", 3);
    expect(faultsSeen(service)).toEqual(["throttling", "throttling", "answered"]);
    inject("throttling");
    const error = await rejection(pair.client(service).send(probe.command()));
    expect(error).toMatchObject({ name: probe.throttling, $metadata: { httpStatusCode: 400 } });
  });

  it("answers a 5xx, which the SDK retries", async () => {
    probe.arrange?.();
    inject("server-error");
    const error = await rejection(pair.client(service).send(probe.command()));
    expect(error).toMatchObject({
      name: probe.serverError,
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
    });
    inject("server-error");
    await pair.client(service, { maxAttempts: 2 }).send(probe.command());
    expect(faultsSeen(service)).toEqual(["server-error", "server-error", "answered"]);
  });

  it("answers access denied in IAM's words", async () => {
    inject("access-denied");
    const error = await rejection(pair.client(service).send(probe.command()));
    const [name, status] = probe.accessDenied;
    expect(error).toMatchObject({ name, $metadata: { httpStatusCode: status } });
    expect(error.message).toContain(`arn:aws:iam::123456789012:user/test is not authorized to perform: `);
    expect(error.message).toContain(`:${probe.operation}`);
    if (service === "ECS") expect(error).toBeInstanceOf(AccessDeniedException);
  });

  it("leaves a request unanswered until the client gives up", async () => {
    inject("hang");
    const error = await rejection(pair.client(service, { requestTimeoutMs: 200 }).send(probe.command()));
    expect(error.name).toBe("TimeoutError");
    for (let waited = 0; pair.server.requests[0]?.droppedAt === undefined && waited < 2_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(pair.server.requests[0]).toMatchObject({ fault: "hang", droppedAt: expect.any(Number) });
  });

  it("resets the connection", async () => {
    inject("reset");
    const error = await rejection(pair.client(service).send(probe.command()));
    expect(error).toMatchObject({ code: "ECONNRESET" });
  });

  it("answers an HTML page, which carries nothing the client can read as AWS's", async () => {
    inject("html");
    const outcome = await pair
      .client(service)
      .send(probe.command())
      .then(
        (output) => ({ output, error: undefined }),
        (error: Error & { $metadata?: object }) => ({ output: undefined, error }),
      );
    if (probe.json) {
      // The JSON clients refuse the page.
      expect(outcome.error?.$metadata).toMatchObject({ httpStatusCode: 200 });
    } else {
      // The SDK's XML parser reads the page as a document that has none of the output's members.
      expect(outcome.output && withoutMetadata(outcome.output)).toEqual({});
    }
    expect(pair.server.requests.map((request) => request.fault)).toEqual(["html"]);
  });
});

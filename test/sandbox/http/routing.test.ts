// How the sandbox's one endpoint routes requests to services (by the SigV4 credential scope) and what it
// answers requests it cannot route or read; what it records of each request.
import { DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { CreateBucketCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { credentials, useServedPair } from "./round-trip.js";

const pair = useServedPair();

const authorization = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDSANDBOXTEST/20260202/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

async function post(headers: Record<string, string>, body: string) {
  const response = await fetch(pair.server.url, { method: "POST", headers, body });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

describe("routing by the credential scope", () => {
  it("refuses an unsigned request, as AWS does", async () => {
    const answer = await post(
      { "content-type": "application/x-www-form-urlencoded" },
      "Action=GetCallerIdentity",
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("<Code>MissingAuthenticationToken</Code>");
  });

  it("names the services it serves when the scope names another", async () => {
    const answer = await post({ authorization: authorization("sqs") }, "Action=ListQueues");
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("<Code>UnknownService</Code>");
    expect(answer.body).toContain("ecs, ec2, s3, rds, sts, iam, ssm, logs");
  });

  it("answers an operation the simulator does not serve in the service's protocol", async () => {
    const json = await post(
      {
        authorization: authorization("ecs"),
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.CreateCapacityProvider",
      },
      "{}",
    );
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({ __type: "UnknownOperationException" });
    const query = await post(
      { authorization: authorization("rds") },
      "Action=CreateDBCluster&Version=2014-10-31",
    );
    expect(query.status).toBe(400);
    expect(query.body).toMatch(/^<ErrorResponse xmlns="http:\/\/rds\.amazonaws\.com\/doc\/2014-10-31\/">/);
    expect(query.body).toContain("<Code>InvalidAction</Code>");
  });

  it("serves S3 with its REST-XML protocol, path-style", async () => {
    const s3 = new S3Client({
      region: pair.sim.region,
      endpoint: pair.server.url,
      forcePathStyle: true,
      credentials,
      maxAttempts: 1,
    });
    const missing = await s3.send(new HeadBucketCommand({ Bucket: "mc-backups" })).then(
      () => undefined,
      (caught: Error & { $metadata?: { httpStatusCode?: number } }) => caught,
    );
    await s3.send(new CreateBucketCommand({ Bucket: "mc-backups" }));
    const found = await s3.send(new HeadBucketCommand({ Bucket: "mc-backups" }));
    s3.destroy();
    expect(missing?.name).toBe("NotFound");
    expect(missing?.$metadata?.httpStatusCode).toBe(404);
    expect(found.$metadata.httpStatusCode).toBe(200);
    expect(pair.server.requests.map((request) => `${request.service}:${request.command}`)).toEqual([
      "S3:HeadBucket",
      "S3:CreateBucket",
      "S3:HeadBucket",
    ]);
  });

  it("answers the awsQuery envelope with the service's namespace and a request id", async () => {
    const answer = await post(
      { authorization: authorization("sts") },
      "Action=GetCallerIdentity&Version=2011-06-15",
    );
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("text/xml");
    expect(answer.body).toMatch(
      /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><UserId>.+<\/UserId><Account>123456789012<\/Account><Arn>arn:aws:iam::123456789012:user\/test<\/Arn><\/GetCallerIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetCallerIdentityResponse>$/,
    );
  });

  it("answers the ec2Query envelope: requestId first, then the members", async () => {
    const answer = await post(
      { authorization: authorization("ec2") },
      "Action=DescribeKeyPairs&Version=2016-11-15",
    );
    expect(answer.body).toMatch(
      /^<DescribeKeyPairsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><keySet\/><\/DescribeKeyPairsResponse>$/,
    );
  });
});

describe("what the server records", () => {
  it("records each request's service, operation, input, time and fault", async () => {
    pair.server.inject({ fault: "throttling", service: "ECS", command: "DescribeClusters" });
    const seen: string[] = [];
    pair.server.onRequest((request) => seen.push(`${request.service}:${request.command}`));
    const ecs = pair.client("ECS", { maxAttempts: 2 });
    const before = Date.now();
    await ecs.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    expect(pair.server.requests).toEqual([
      expect.objectContaining({
        service: "ECS",
        command: "DescribeClusters",
        input: { clusters: ["mc"] },
        at: before,
        fault: "throttling",
      }),
      expect.objectContaining({ service: "ECS", command: "DescribeClusters", input: { clusters: ["mc"] } }),
    ]);
    expect(pair.server.requests[1]?.fault).toBeUndefined();
    expect(seen).toEqual(["ECS:DescribeClusters", "ECS:DescribeClusters"]);
    expect(pair.server.requestsOf("DescribeClusters", "ECS")).toHaveLength(2);
    expect(pair.server.requestsOf("DescribeClusters", "EC2")).toHaveLength(0);
  });

  it("acts out the simulator's own connection-reset fault instead of answering", async () => {
    pair.sim.faults.inject({ service: "ECS", command: "DescribeClusters", error: "connection-reset" });
    const error = await pair
      .client("ECS")
      .send(new DescribeClustersCommand({ clusters: ["mc"] }))
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toMatchObject({ code: "ECONNRESET" });
  });
});

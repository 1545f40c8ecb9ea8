// Every SSM and CloudWatch Logs operation the simulator answers, through real SDK clients and the sandbox's
// HTTP server (AWS JSON 1.1), against the same call made straight to a twin simulator.
import { describe, it } from "vitest";
import { logsCommands } from "../../../src/sandbox/sim/logs.js";
import { ssmCommands } from "../../../src/sandbox/sim/ssm.js";
import type { SimulatedAws } from "../../helpers/sim.js";
import { expectRoundTrip, type Scenario, useServedPair } from "./round-trip.js";

const pair = useServedPair();

const parameters = (sim: SimulatedAws) => {
  sim.ssm.putParameterDirectly({ Name: "/mc/db/password", Value: "s3cret", Type: "SecureString" });
  sim.ssm.putParameterDirectly({
    Name: "/mc/db/user",
    Value: "mc",
    Type: "String",
    Description: "database user",
    Tags: [{ Key: "app", Value: "mc" }],
  });
};

const ssm: Record<keyof typeof ssmCommands, Scenario> = {
  PutParameter: {
    input: () => ({
      Name: "/mc/db/password",
      Value: "s3cret",
      Type: "SecureString",
      Description: "the database password",
      Tags: [{ Key: "app", Value: "mc" }],
    }),
  },
  GetParameter: { arrange: [parameters], input: () => ({ Name: "/mc/db/password", WithDecryption: true }) },
  GetParameters: {
    arrange: [parameters],
    input: () => ({ Names: ["/mc/db/password", "/mc/db/user", "/mc/missing"], WithDecryption: false }),
  },
  DescribeParameters: {
    arrange: [parameters],
    input: () => ({ ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: ["/mc"] }] }),
  },
  DeleteParameter: { arrange: [parameters], input: () => ({ Name: "/mc/db/user" }) },
  DeleteParameters: { arrange: [parameters], input: () => ({ Names: ["/mc/db/user", "/mc/missing"] }) },
  AddTagsToResource: {
    arrange: [parameters],
    input: () => ({
      ResourceType: "Parameter",
      ResourceId: "/mc/db/user",
      Tags: [{ Key: "team", Value: "data" }],
    }),
  },
  ListTagsForResource: {
    arrange: [parameters],
    input: () => ({ ResourceType: "Parameter", ResourceId: "/mc/db/user" }),
  },
};

const GROUP = "/ecs/model-catalogue";
const group = (sim: SimulatedAws) => sim.logs.addGroup(GROUP, { retentionInDays: 30, tags: { app: "mc" } });
const events = (sim: SimulatedAws) =>
  sim.logs.putEvents(GROUP, "mc/mc/0123", ["starting", "listening on 8080", 'ready ✓ <ok> & "quoted"']);
const groupArn = (sim: SimulatedAws) =>
  (sim.logs.describeLogGroups({ logGroupNamePrefix: GROUP }).logGroups?.[0]?.logGroupArn ?? "").replace(
    /:\*$/,
    "",
  );

const logs: Record<keyof typeof logsCommands, Scenario> = {
  CreateLogGroup: { input: () => ({ logGroupName: GROUP, tags: { app: "mc" } }) },
  DeleteLogGroup: { arrange: [group], input: () => ({ logGroupName: GROUP }) },
  DescribeLogGroups: { arrange: [group, events], input: () => ({ logGroupNamePrefix: "/ecs/" }) },
  PutRetentionPolicy: { arrange: [group], input: () => ({ logGroupName: GROUP, retentionInDays: 14 }) },
  DeleteRetentionPolicy: { arrange: [group], input: () => ({ logGroupName: GROUP }) },
  TagResource: { arrange: [group], input: (sim) => ({ resourceArn: groupArn(sim), tags: { team: "data" } }) },
  UntagResource: { arrange: [group], input: (sim) => ({ resourceArn: groupArn(sim), tagKeys: ["app"] }) },
  ListTagsForResource: { arrange: [group], input: (sim) => ({ resourceArn: groupArn(sim) }) },
  CreateLogStream: { arrange: [group], input: () => ({ logGroupName: GROUP, logStreamName: "mc/mc/4567" }) },
  DeleteLogStream: {
    arrange: [group, events],
    input: () => ({ logGroupName: GROUP, logStreamName: "mc/mc/0123" }),
  },
  DescribeLogStreams: {
    arrange: [group, events, 1_000],
    input: () => ({ logGroupName: GROUP, orderBy: "LastEventTime", descending: true }),
  },
  PutLogEvents: {
    arrange: [group, (sim) => sim.logs.createLogStream({ logGroupName: GROUP, logStreamName: "mc/mc/4567" })],
    input: () => ({
      logGroupName: GROUP,
      logStreamName: "mc/mc/4567",
      logEvents: [
        { timestamp: Date.now() - 1_000, message: "first" },
        { timestamp: Date.now(), message: "second" },
      ],
    }),
  },
  GetLogEvents: {
    arrange: [group, events, 1_000],
    input: () => ({ logGroupName: GROUP, logStreamName: "mc/mc/0123", startFromHead: true }),
  },
  FilterLogEvents: {
    arrange: [group, events, 1_000],
    input: () => ({ logGroupName: GROUP, logStreamNamePrefix: "mc/", filterPattern: "listening" }),
  },
};

describe("SSM over HTTP (AWS JSON 1.1)", () => {
  it.each(Object.entries(ssm))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = ssmCommands[operation as keyof typeof ssmCommands];
    await expectRoundTrip(pair, "SSM", operation, Command, scenario);
  });
});

describe("CloudWatch Logs over HTTP (AWS JSON 1.1)", () => {
  it.each(Object.entries(logs))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = logsCommands[operation as keyof typeof logsCommands];
    await expectRoundTrip(pair, "CloudWatchLogs", operation, Command, scenario);
  });
});

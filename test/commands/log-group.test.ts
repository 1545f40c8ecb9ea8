import { readFile, writeFile } from "node:fs/promises";
import { ResourceAlreadyExistsException } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { runStatus } from "../../src/commands/status.js";
import { parseSettings, type Settings } from "../../src/config/settings.js";
import { McctlError, UsageError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { BASE_ENVIRONMENT, runService } from "../helpers/deployments.js";
import { LOG_TEST_SECRETS, registerModelCatalogue } from "../helpers/logs.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const sim = useSimulatedAws();

const GROUP = "/ecs/model-catalogue";
const AWSLOGS = {
  logDriver: "awslogs",
  options: { "awslogs-group": GROUP, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "mcctl" },
};
const MCCTL_GROUP_TAGS = { "managed-by": "mcctl", application: "model-catalogue" };

const savedSettings = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;
const commands = () => sim.calls.map((call) => call.command);
const logsCalls = () =>
  sim.calls.filter((call) => call.service === "CloudWatchLogs").map((call) => call.command);

/** register-task --yes again on mcctl.json as the first run saved it, edited by `change` (on disk too). */
async function registerAgain(
  path: string,
  change: (settings: Settings) => Settings = (settings) => settings,
) {
  const settings = change(await savedSettings(path));
  await writeFile(path, `${JSON.stringify(settings, null, 2)}\n`);
  const context = testContext({
    settings,
    settingsPath: path,
    env: { ...LOG_TEST_SECRETS },
    options: { yes: true },
  });
  sim.clearCalls();
  const result = await runRegisterTask(context, RegisterTaskOptionsSchema.parse({}));
  return { context, result };
}

const logDrivers = (revision = "model-catalogue:1") =>
  sim.ecs
    .describeTaskDefinition({ taskDefinition: revision })
    .taskDefinition?.containerDefinitions?.map((container) => [container.name, container.logConfiguration]);

describe("register-task and the log group", () => {
  it("creates /ecs/model-catalogue, tagged and kept 30 days, before it registers the revision that writes to it", async () => {
    const { context, result } = await registerModelCatalogue();

    expect(result).toMatchObject({ registered: true, revision: 1 });
    const group = sim.logs.group(GROUP);
    expect(group?.tags).toEqual(MCCTL_GROUP_TAGS);
    expect(group?.retentionInDays).toBe(30);
    expect(sim.callsOf("CreateLogGroup").map((call) => call.input)).toEqual([
      { logGroupName: GROUP, tags: MCCTL_GROUP_TAGS },
    ]);
    expect(sim.callsOf("PutRetentionPolicy").map((call) => call.input)).toEqual([
      { logGroupName: GROUP, retentionInDays: 30 },
    ]);
    const order = commands();
    expect(order.indexOf("CreateLogGroup")).toBeLessThan(order.indexOf("PutRetentionPolicy"));
    expect(order.indexOf("PutRetentionPolicy")).toBeLessThan(order.indexOf("RegisterTaskDefinition"));
    expect(logDrivers()).toEqual([
      ["mc", AWSLOGS],
      ["mc-es", AWSLOGS],
    ]);
    const stderr = context.captured.stderr();
    expect(stderr).toContain("\nLogs: + create CloudWatch Logs group /ecs/model-catalogue, kept 30 days\n");
    expect(stderr).toContain("✔ Created log group /ecs/model-catalogue (kept 30 days)\n");
    expect((await savedSettings(context.settings.path)).logs).toEqual({
      driver: "awslogs",
      group: GROUP,
      retentionDays: 30,
    });
  });

  it("lets the service's task start and write each container to mcctl/<container>/<task id>", async () => {
    await registerModelCatalogue();
    await runService(sim, "model-catalogue:1");

    const [task] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
    const id = task?.taskArn?.split("/").pop() ?? "";
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.logs.group(GROUP)?.streams).toEqual([`mcctl/mc-es/${id}`, `mcctl/mc/${id}`]);
    expect(sim.logs.events(GROUP, `mcctl/mc/${id}`)[0]?.message).toBe(
      "INFO  Starting Grails application (image metadata/registry:2)",
    );
  });

  it("a second run changes nothing: the plan says the group exists", async () => {
    const first = await registerModelCatalogue();

    const { context, result } = await registerAgain(first.context.settings.path);

    expect(result).toMatchObject({ registered: false, revision: 1 });
    expect(logsCalls()).toEqual(["DescribeLogGroups"]);
    expect(commands()).not.toContain("RegisterTaskDefinition");
    expect(context.captured.stderr()).toContain(
      "\nLogs: CloudWatch Logs group /ecs/model-catalogue (exists, kept 30 days)\n",
    );
    expect(context.captured.stderr()).not.toContain("log group");
    expect(sim.logs.groups()).toEqual([GROUP]);
  });

  it("logs.retentionDays: 7 in mcctl.json sets the retention without a new revision", async () => {
    const first = await registerModelCatalogue();

    const { context, result } = await registerAgain(first.context.settings.path, (settings) => ({
      ...settings,
      logs: { ...settings.logs, retentionDays: 7 },
    }));

    expect(result).toMatchObject({ registered: false, revision: 1 });
    const stderr = context.captured.stderr();
    expect(stderr).toContain("\nLogs: ~ /ecs/model-catalogue: keep events 7 days (now 30)\n");
    expect(stderr).toContain("✔ Log group /ecs/model-catalogue now keeps events 7 days\n");
    expect(logsCalls()).toEqual(["DescribeLogGroups", "PutRetentionPolicy"]);
    expect(sim.callsOf("PutRetentionPolicy")[0]?.input).toEqual({ logGroupName: GROUP, retentionInDays: 7 });
    expect(commands()).not.toContain("RegisterTaskDefinition");
    expect(sim.logs.group(GROUP)?.retentionInDays).toBe(7);
    expect((await savedSettings(first.context.settings.path)).logs).toEqual({
      driver: "awslogs",
      group: GROUP,
      retentionDays: 7,
    });
  });

  it("gives a group that keeps events forever the retention, and does not create it again", async () => {
    sim.logs.addGroup(GROUP);

    const { context } = await registerModelCatalogue();

    expect(context.captured.stderr()).toContain(
      "\nLogs: ~ /ecs/model-catalogue: keep events 30 days (now forever)\n",
    );
    expect(logsCalls()).toEqual(["DescribeLogGroups", "PutRetentionPolicy"]);
    expect(sim.logs.group(GROUP)?.retentionInDays).toBe(30);
    expect(sim.logs.group(GROUP)?.tags).toEqual({});
  });

  it("finds its group among more than 50 with the same prefix", async () => {
    for (let index = 0; index < 60; index++) sim.logs.addGroup(`${GROUP}-${String(index).padStart(2, "0")}`);
    sim.logs.addGroup(GROUP, { retentionInDays: 30 });

    const { context } = await registerModelCatalogue();

    expect(context.captured.stderr()).toContain(
      "\nLogs: CloudWatch Logs group /ecs/model-catalogue (exists, kept 30 days)\n",
    );
    expect(logsCalls().filter((command) => command !== "DescribeLogGroups")).toEqual([]);
  });

  it("goes on when another run created the group meanwhile, and still sets its retention", async () => {
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "CreateLogGroup",
      times: 1,
      error: () => {
        sim.logs.addGroup(GROUP);
        return new ResourceAlreadyExistsException({
          message: "The specified log group already exists",
          $metadata: { httpStatusCode: 400 },
        });
      },
    });

    const { result } = await registerModelCatalogue();

    expect(result).toMatchObject({ registered: true, revision: 1 });
    expect(sim.callsOf("CreateLogGroup")[0]?.error).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(sim.logs.group(GROUP)?.retentionInDays).toBe(30);
  });

  it("registers no revision when the log group cannot be made", async () => {
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "CreateLogGroup",
      error: "access-denied",
      times: 1,
    });

    const error = await registerModelCatalogue().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(/^AWS denied logs:CreateLogGroup in eu-west-1/);
    expect(commands()).not.toContain("RegisterTaskDefinition");
    expect(sim.logs.groups()).toEqual([]);
  });

  it("--dry-run shows the log group in the plan and creates nothing", async () => {
    const context = testContext({
      settings: { environment: { ...BASE_ENVIRONMENT } },
      env: { ...LOG_TEST_SECRETS },
    });

    await runRegisterTask(context, RegisterTaskOptionsSchema.parse({ dryRun: true }));

    expect(context.captured.stderr()).toContain(
      "\nLogs: + create CloudWatch Logs group /ecs/model-catalogue, kept 30 days\n",
    );
    expect(logsCalls()).toEqual(["DescribeLogGroups"]);
    expect(sim.logs.groups()).toEqual([]);
  });

  it("logs.group in mcctl.json names the group the containers write to", async () => {
    const { context } = await registerModelCatalogue({ logs: { group: "/mc/production" } });

    expect(sim.logs.groups()).toEqual(["/mc/production"]);
    expect(context.captured.stderr()).toContain(
      "\nLogs: + create CloudWatch Logs group /mc/production, kept 30 days\n",
    );
    const [[, mc]] = logDrivers() as [[string, { options: Record<string, string> }]];
    expect(mc.options["awslogs-group"]).toBe("/mc/production");
  });

  it('logs.driver: "syslog" registers the wiki\'s syslog and json-file and creates no group', async () => {
    const { context, result } = await registerModelCatalogue({ logs: { driver: "syslog" } });

    expect(result).toMatchObject({ registered: true, revision: 1 });
    expect(
      sim.callsOf("RegisterTaskDefinition")[0]?.input.containerDefinitions?.map((c) => c.logConfiguration),
    ).toEqual([{ logDriver: "syslog" }, { logDriver: "json-file" }]);
    expect(logDrivers()).toEqual([
      ["mc", { logDriver: "syslog" }],
      ["mc-es", { logDriver: "json-file" }],
    ]);
    expect(logsCalls()).toEqual([]);
    expect(sim.logs.groups()).toEqual([]);
    expect(context.captured.stderr()).not.toMatch(/^Logs:/m);
    expect((await savedSettings(context.settings.path)).logs).toEqual({ driver: "syslog" });
  });

  it("moving from syslog to CloudWatch Logs creates the group before the new revision", async () => {
    const first = await registerModelCatalogue({ logs: { driver: "syslog" } });

    const { result } = await registerAgain(first.context.settings.path, (settings) => ({
      ...settings,
      logs: { driver: "awslogs" },
    }));

    expect(result).toMatchObject({ registered: true, revision: 2 });
    const order = commands();
    expect(order.indexOf("CreateLogGroup")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("PutRetentionPolicy")).toBeLessThan(order.indexOf("RegisterTaskDefinition"));
    expect(logDrivers("model-catalogue:2")).toEqual([
      ["mc", AWSLOGS],
      ["mc-es", AWSLOGS],
    ]);
  });
});

describe("mcctl.json's logs", () => {
  const parse = (logs: unknown) => {
    try {
      parseSettings(JSON.stringify({ logs }), "mcctl.json");
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as UsageError).message;
    }
  };

  it("takes the drivers, a group CloudWatch Logs accepts and the retentions it offers", () => {
    expect(parse({ driver: "awslogs", group: "/ecs/mc_1.a#b", retentionDays: 3653 })).toBeUndefined();
    expect(parse({ driver: "syslog" })).toBeUndefined();
  });

  it("refuses another driver, a group CloudWatch Logs refuses and a retention it does not offer", () => {
    expect(parse({ driver: "fluentd" })).toBe(
      'mcctl.json: logs.driver must be "awslogs" or "syslog", got "fluentd"',
    );
    expect(parse({ group: "/ecs/model catalogue" })).toBe(
      'mcctl.json: logs.group "/ecs/model catalogue" may only hold letters, digits and . - _ / #',
    );
    expect(parse({ retentionDays: 8 })).toMatch(
      /^mcctl\.json: logs\.retentionDays 8 is not a retention CloudWatch Logs offers \(1, 3, 5, 7, 14, 30, .*, 3653 days\)$/,
    );
    expect(parse({ retention: 7 })).toBe("mcctl.json: logs has unknown key retention");
  });
});

describe("status names where the logs are", () => {
  const logsLine = (stdout: string) => stdout.split("\n").find((text) => text.startsWith("Logs "));

  it("the CloudWatch Logs group, and how to read it", async () => {
    await registerModelCatalogue();
    await runService(sim, "model-catalogue:1");
    const context = testContext();

    await runStatus(context, {});

    expect(logsLine(context.captured.stdout())).toBe(
      "Logs         CloudWatch Logs /ecs/model-catalogue: `mcctl logs` (`--follow`, `--previous`)",
    );
  });

  it("the instance, when the revision logs with syslog", async () => {
    await registerModelCatalogue({ logs: { driver: "syslog" } });
    await runService(sim, "model-catalogue:1");
    const context = testContext();

    await runStatus(context, {});

    expect(logsLine(context.captured.stdout())).toBe(
      "Logs         on the instance (syslog / json-file): ssh to it; `mcctl register-task` moves them to CloudWatch Logs",
    );
  });

  it("the group in --json", async () => {
    await registerModelCatalogue();
    await runService(sim, "model-catalogue:1");
    const context = testContext({ json: true });

    await runStatus(context, {});

    expect(JSON.parse(context.captured.stdout())).toMatchObject({ logGroup: GROUP });
  });
});

import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { VERBS } from "../../src/aws/verb-permissions.js";
import { buildProgram } from "../../src/cli.js";
import { runPermissions, verbsNamed } from "../../src/commands/permissions.js";
import type { PolicyDocument } from "../../src/domain/iam-policy.js";
import { UsageError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const sim = useSimulatedAws();
const ACCOUNT = "123456789012";

const actionsOf = (documents: readonly PolicyDocument[]) =>
  new Set(documents.flatMap((document) => document.Statement.flatMap((statement) => statement.Action)));
const resourcesOf = (documents: readonly PolicyDocument[], action: string) =>
  documents.flatMap((document) =>
    document.Statement.filter((statement) => statement.Action.includes(action)).flatMap((s) => s.Resource),
  );

/** Every leaf command of the CLI, as the operator types it ("secrets set", "backup list", "backup"). */
function cliVerbs(program: Command, prefix = ""): string[] {
  return program.commands.flatMap((command) => {
    if (command.name() === "help") return [];
    const name = `${prefix}${command.name()}`;
    if (command.commands.length === 0) return [name];
    const isDefault = (child: Command) =>
      (command as unknown as { _defaultCommandName?: string })._defaultCommandName === child.name();
    return command.commands.flatMap((child) =>
      isDefault(child) ? [name] : cliVerbs({ commands: [child] } as unknown as Command, `${name} `),
    );
  });
}

describe("mcctl permissions", () => {
  it("declares the calls of every command the CLI has, and of no other", () => {
    expect([...VERBS].sort()).toEqual(cliVerbs(buildProgram()).sort());
  });

  it("scopes restart to the deployment's service, tasks and log group, in the caller's account", async () => {
    const context = testContext({
      options: { cluster: "mc", service: "mc" },
      settings: { taskFamily: "mc-prod" },
    });
    const documents = await runPermissions(context, { commands: ["restart"] });
    expect(documents).toHaveLength(1);
    expect([...actionsOf(documents)].sort()).toEqual([
      "ecs:DescribeServices",
      "ecs:DescribeTaskDefinition",
      "ecs:DescribeTasks",
      "ecs:ListTasks",
      "ecs:UpdateService",
      "logs:DescribeLogStreams",
      "logs:FilterLogEvents",
    ]);
    expect(resourcesOf(documents, "ecs:UpdateService")).toEqual([
      `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/mc/mc`,
    ]);
    expect(resourcesOf(documents, "logs:FilterLogEvents")).toContain(
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/mc-prod:*`,
    );
    expect(context.captured.stdout()).toMatch(/^IAM policy for mcctl command: restart\n/);
    // Restart touches no bucket, database or instance profile: nothing to say of them, nothing to ask.
    expect(context.captured.stderr()).toBe("");
    expect(sim.callsOf("GetInstanceProfile")).toHaveLength(0);
    expect(context.captured.stdout()).toContain(JSON.stringify(documents[0], null, 2));
  });

  it("prints the document itself with --json, ready for aws iam create-policy", async () => {
    const context = testContext({ json: true });
    const documents = await runPermissions(context, { commands: ["status"] });
    expect(JSON.parse(context.captured.stdout())).toEqual(documents[0]);
  });

  it("passes only the deployment's roles: the execution role to ECS tasks, the instance role to EC2", async () => {
    sim.iam.addInstanceProfile("ecsInstanceRole", "ecs-host-role");
    const documents = await runPermissions(testContext(), { commands: ["setup"] });
    const passes = documents.flatMap((document) =>
      document.Statement.filter((statement) => statement.Action.includes("iam:PassRole")),
    );
    expect(passes.map((statement) => [statement.Resource, statement.Condition])).toEqual(
      expect.arrayContaining([
        [
          [`arn:aws:iam::${ACCOUNT}:role/mcctl-model-catalogue-execution`],
          { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        ],
        [
          [`arn:aws:iam::${ACCOUNT}:role/ecs-host-role`],
          { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
        ],
      ]),
    );
    expect(passes).toHaveLength(2);
  });

  it("names every bucket and database only before they are chosen, and says so", async () => {
    const unknown = testContext();
    const before = await runPermissions(unknown, { commands: ["destroy"] });
    expect(resourcesOf(before, "s3:DeleteBucket")).toEqual(["arn:aws:s3:::*"]);
    expect(unknown.captured.stderr()).toMatch(/no MC_S3_BUCKET yet/);
    const known = testContext({
      settings: {
        environment: {
          MC_S3_BUCKET: "mc-assets",
          METADATA_JDBC_URL: "jdbc:mysql://mc-db.abc.eu-west-1.rds.amazonaws.com:3306/mc",
        },
      },
    });
    const after = await runPermissions(known, { commands: ["destroy"] });
    expect(resourcesOf(after, "s3:DeleteBucket")).toEqual(["arn:aws:s3:::mc-assets"]);
    // The database, and the instances a restore makes of it (<db>-from-<time>): never another database.
    expect(resourcesOf(after, "rds:DeleteDBInstance")).toEqual([
      `arn:aws:rds:eu-west-1:${ACCOUNT}:db:mc-db`,
      `arn:aws:rds:eu-west-1:${ACCOUNT}:db:mc-db-from-*`,
    ]);
    expect(known.captured.stderr()).not.toMatch(/MC_S3_BUCKET|no database/);
  });

  it("requires DescribeParameters on every resource, as SSM does, and grants KMS only for a customer key", async () => {
    const plain = await runPermissions(testContext(), { commands: ["secrets", "list"] });
    expect(resourcesOf(plain, "ssm:DescribeParameters")).toEqual(["*"]);
    expect(
      actionsOf(await runPermissions(testContext(), { commands: ["secrets set"] })).has("kms:Encrypt"),
    ).toBe(false);
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const withKey = await runPermissions(testContext({ settings: { secrets: { kmsKey: key } } }), {
      commands: ["secrets set"],
    });
    expect(resourcesOf(withKey, "kms:Encrypt")).toEqual([key]);
  });

  it("splits every command's policy into documents IAM accepts", async () => {
    const documents = await runPermissions(testContext(), {});
    for (const document of documents) expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
    expect(actionsOf(documents).size).toBeGreaterThan(60);
  });

  it("uses --account instead of asking STS", async () => {
    const documents = await runPermissions(testContext(), { commands: ["restart"], account: "210987654321" });
    expect(resourcesOf(documents, "ecs:UpdateService")).toEqual([
      "arn:aws:ecs:eu-west-1:210987654321:service/default/mc",
    ]);
    expect(sim.callsOf("GetCallerIdentity")).toHaveLength(0);
  });

  it("refuses an unknown command or account with a usage error", async () => {
    await expect(runPermissions(testContext(), { commands: ["restrat"] })).rejects.toThrow(UsageError);
    await expect(runPermissions(testContext(), { account: "12" })).rejects.toThrow(/12-digit/);
  });
});

describe("mcctl permissions: names not known yet", () => {
  it("names every region, and says so, when no region is set", async () => {
    const context = testContext({ options: { region: "" } });
    (context.aws.config as { region?: string }).region = undefined;
    const documents = await runPermissions(context, { commands: ["restart"] });
    expect(resourcesOf(documents, "ecs:UpdateService")).toEqual([
      `arn:aws:ecs:*:${ACCOUNT}:service/default/mc`,
    ]);
    expect(context.captured.stderr()).toMatch(/no region is set: .*--region/);
  });

  it("passes the role of the instance profile mcctl.json names, and falls back to its name when IAM cannot say", async () => {
    sim.iam.addInstanceProfile("mc-hosts", "mc-hosts-role");
    const named = await runPermissions(
      testContext({ settings: { setup: { instance: { instanceProfile: "mc-hosts" } } } }),
      { commands: ["setup"] },
    );
    expect(resourcesOf(named, "iam:PassRole")).toContain(`arn:aws:iam::${ACCOUNT}:role/mc-hosts-role`);
    const unknown = testContext();
    const fallback = await runPermissions(unknown, { commands: ["setup"] });
    expect(resourcesOf(fallback, "iam:PassRole")).toContain(`arn:aws:iam::${ACCOUNT}:role/ecsInstanceRole`);
    expect(unknown.captured.stderr()).toMatch(/instance profile ecsInstanceRole could not be read/);
  });

  it("treats an empty or switched-off MC_S3_BUCKET as not chosen", async () => {
    const off = testContext({ settings: { environment: { MC_S3_BUCKET: false } } });
    expect(resourcesOf(await runPermissions(off, { commands: ["destroy"] }), "s3:DeleteBucket")).toEqual([
      "arn:aws:s3:::*",
    ]);
    const fromEnv = testContext({ env: { MC_S3_BUCKET: "from-env" } });
    expect(resourcesOf(await runPermissions(fromEnv, { commands: ["destroy"] }), "s3:DeleteBucket")).toEqual([
      "arn:aws:s3:::from-env",
    ]);
  });

  it("refuses an account id of the wrong length or with letters", async () => {
    for (const account of ["1234567890123", "x12345678901", "12345678901x"]) {
      await expect(runPermissions(testContext(), { account })).rejects.toThrow(/12-digit/);
    }
  });

  it("names the commands it knows when it does not know one", async () => {
    const error = await runPermissions(testContext(), { commands: ["restart", "bogus"] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('unknown command "bogus" for mcctl permissions');
    expect((error as UsageError).suggestion).toMatch(
      /^Name any of: setup, register-task, .*, permissions, sandbox reset, sandbox fail\.$/,
    );
  });
});

describe("verbsNamed", () => {
  it("reads two-word commands, expands secrets, and means every command when none is named", () => {
    expect(verbsNamed(["backup", "list", "restart"])).toEqual(["backup list", "restart"]);
    expect(verbsNamed(["backup"])).toEqual(["backup"]);
    expect(verbsNamed(["secrets"])).toEqual([
      "secrets list",
      "secrets set",
      "secrets rm",
      "secrets purge-plaintext",
    ]);
    expect(verbsNamed([])).toEqual(VERBS);
    expect(verbsNamed(["backup", "restart"])).toEqual(["backup", "restart"]);
    expect(verbsNamed(["secrets", "set", "secrets", "set"])).toEqual(["secrets set"]);
  });
});

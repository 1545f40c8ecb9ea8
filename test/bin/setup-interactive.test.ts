/**
 * The whole `mcctl setup` wizard (and `mcctl destroy`'s typed confirmation), end to end — every question, then the plan, one confirmation, then the
 * changes: the BUILT binary on a real terminal (node-pty) against
 * the simulated AWS (src/sandbox/sim), plugged in by test/bin/sim-preload.ts through `node --import`. Fully
 * offline; the simulator's timings are scaled down so that the waits take a second or two of real time.
 *
 * Re-running setup on the finished account is not covered here (a new process means a new, empty
 * simulator): test/commands/setup.test.ts checks that a re-run creates nothing.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, childEnv, makeTempDir, PtySession, REPO_ROOT, removeTempDir } from "./harness.js";
import type { LoggedCall } from "./sim-preload.js";

const ACCOUNT = "123456789012";
const BUCKET = `model-catalogue-assets-${ACCOUNT}`;
const HOST = "catalogue.example.org";
/** Typed at masked prompts: none may ever be drawn on the terminal or saved to mcctl.json. */
const SECRETS = {
  database: "Canary-Db-7e41c0",
  s3: "Canary-S3-Secret-5b2d",
};
const S3_KEY = "AKIAEXAMPLEE2E00001";

/** The questions in the order the wizard asks them (src/commands/setup.ts, src/operations/setup/). */
const Q = {
  confirm: `Set up Model Catalogue in account ${ACCOUNT}, region eu-west-1?`,
  bucket: "S3 bucket for Model Catalogue assets",
  dbIdentifier: "Identifier of the new MySQL instance",
  dbClass: "Instance class of the new MySQL instance",
  dbUser: "Master user of the new MySQL instance (METADATA_USERNAME)",
  dbName: "Database that RDS creates for Model Catalogue",
  generate: "Generate a strong master password?",
  dbPassword:
    'Master password of the new MySQL instance (8–41 characters, no / " @ or spaces) (METADATA_PASSWORD)',
  dbPasswordAgain: "The same master password again (METADATA_PASSWORD)",
  instanceType: "EC2 instance type of the container instance (4 vCPUs and 15 GiB or more)",
  keyPair: "Key pair for SSH to the container instance",
  subnet: "Subnet of the default VPC for the container instance",
  profile: "IAM instance profile of the container instance",
  notOffered: "m3.xlarge is not offered in eu-west-1 (a previous generation)",
  otherType: "Instance type to launch instead of m3.xlarge",
  host: "(METADATA_HOST)",
  scheme: "(METADATA_SCHEME)",
  name: "(MC_NAME)",
  supervisorEmail: "(MC_SUPERVISOR_EMAIL)",
  supervisorPassword: "(MC_SUPERVISOR_PASSWORD) — leave empty for none",
  mail: "Send e-mail (sign-up confirmations, password resets)?",
  s3Key: "(MC_S3_KEY) — leave empty for none",
  s3Secret: "(MC_S3_SECRET) — leave empty for none",
  google: "Allow users to log in with Google?",
  advanced: "Change advanced settings (JVM options, search batching, welcome texts, admin e-mail)?",
};

const ARROW_UP = "\x1b[A";
const PRELOAD_DIR = join(REPO_ROOT, "node_modules", ".cache", "mcctl-bin-tests");

let preload: string;
let dir: string;
let session: PtySession | undefined;

beforeAll(async () => {
  assertBuilt();
  // Inside the repository, so that node resolves the preload's external imports (@smithy/core/client
  // above all, which must be the very module the binary's SDK clients extend) from its node_modules.
  await mkdir(PRELOAD_DIR, { recursive: true });
  preload = join(PRELOAD_DIR, `sim-preload-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [join(REPO_ROOT, "test", "bin", "sim-preload.ts")],
    outfile: preload,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    packages: "external",
    logLevel: "warning",
  });
});

afterAll(async () => {
  if (preload) await rm(preload, { force: true });
});

beforeEach(async () => {
  dir = await makeTempDir();
});

afterEach(async () => {
  session?.dispose();
  session = undefined;
  await removeTempDir(dir);
});

describe("setup on a terminal, against the simulated AWS", () => {
  it("asks everything once, creates each resource once, waits until steady and prints the next steps", async () => {
    const configPath = join(dir, "mcctl.json");
    const logPath = join(dir, "sim-calls.json");
    const pty = new PtySession(
      ["setup", "--poll-interval", "200ms", "--timeout", "1m", "--config", configPath],
      { cwd: dir, env: childEnv(dir, { MCCTL_SIM_LOG: logPath }), nodeArgs: ["--import", preload] },
    );
    session = pty;

    await pty.waitFor(`AWS account ${ACCOUNT} (arn:aws:iam::${ACCOUNT}:user/test), region eu-west-1`);

    // 1. Bucket: the default name.
    await pty.ask(Q.bucket, "");
    // 2. Database: none exists, so a new one (defaults), with a typed password.
    await pty.ask(Q.dbIdentifier, "");
    await pty.ask(Q.dbClass, "");
    await pty.ask(Q.dbUser, "");
    await pty.ask(Q.dbName, "");
    await pty.ask(Q.generate, "n");
    await pty.ask(Q.dbPassword, SECRETS.database);
    await pty.ask(Q.dbPasswordAgain, SECRETS.database);
    // 3. Cluster and instance: the guide's m3.xlarge, which the region does not offer: the wizard says so
    // at once and offers m5.xlarge, before the other questions and before anything is created. Key pair "mc".
    await pty.ask(Q.instanceType, "");
    await pty.waitFor(Q.notOffered);
    await pty.ask(Q.otherType, "");
    await pty.waitFor(Q.keyPair);
    pty.type(ARROW_UP); // from the default "none (no SSH)" to "mc"
    await pty.waitFor("❯ mc");
    pty.answer("");
    await pty.ask(Q.subnet, "");
    await pty.ask(Q.profile, "");
    // 5. Model Catalogue settings (the database and bucket values are derived, not asked).
    await pty.ask(Q.host, HOST);
    await pty.ask(Q.scheme, "");
    await pty.ask(Q.name, "");
    await pty.ask(Q.supervisorEmail, "ops@example.org");
    await pty.ask(Q.supervisorPassword, "");
    await pty.ask(Q.mail, "n");
    await pty.ask(Q.s3Key, S3_KEY);
    await pty.ask(Q.s3Secret, SECRETS.s3);
    await pty.ask(Q.google, "n");
    await pty.ask(Q.advanced, "n");
    // Then the plan, and one confirmation: nothing was created before it.
    await pty.waitFor("Setup plan:");
    await pty.ask(Q.confirm, "y");

    // 6. The waits (RDS, the instance registering, the service) and the summary.
    const { exitCode } = await pty.waitForExit(60_000);
    const screen = pty.output;
    expect(exitCode, `exit code; screen:\n${screen}`).toBe(0);

    // No question was asked twice, and nothing asked for what setup derives itself.
    for (const question of [
      Q.bucket,
      Q.dbIdentifier,
      Q.instanceType,
      Q.otherType,
      Q.profile,
      Q.google,
      Q.advanced,
    ]) {
      expect(occurrences(screen, `✔ ${question}`), question).toBe(1);
    }
    // The bucket question names MC_S3_BUCKET (it is that variable); the application questions do not ask it again.
    for (const derived of ["(METADATA_JDBC_URL)", "(MC_S3_REGION)", "(MC_ALLOW_SIGNUP)"]) {
      expect(screen, `${derived} was asked`).not.toContain(derived);
    }

    // The summary on stdout: done, where it runs, what to do next.
    expect(screen).toContain(`Model Catalogue is set up in account ${ACCOUNT}, eu-west-1.`);
    // One created resource a line.
    expect(screen).toMatch(
      new RegExp(
        [
          "created:",
          "\\+ IAM role mcctl-model-catalogue-execution",
          "\\+ SSM parameters METADATA_PASSWORD, MC_S3_KEY, MC_S3_SECRET under /mcctl/model-catalogue",
          `\\+ S3 bucket ${BUCKET}`,
          "\\+ security group sg-\\w+ \\(database\\)",
          "\\+ MySQL instance model-catalogue",
        ].join("\\r?\\n {4}"),
      ),
    );
    expect(screen).toContain("task definition model-catalogue:1, service mc");
    expect(screen).toMatch(/reachable now at http:\/\/ec2-[\d-]+\.eu-west-1\.compute\.amazonaws\.com\//);
    expect(screen).toContain(`users will reach it at http://${HOST}/ (METADATA_HOST)`);
    expect(screen).toContain(`Next steps:\n  - point DNS for ${HOST} at the instance`);
    expect(screen).toContain('- on first start, run the "Reindex Catalogue" admin action');
    expect(screen).toContain('- change the supervisor password: it is the default "supervisor"');
    expect(screen.replace(/\s+/g, " ")).toContain(`${configPath} describes this deployment (never secrets).`);
    // The generated database password went to SSM, never to the screen or a task definition.
    const put = (JSON.parse(await readFile(logPath, "utf8")) as LoggedCall[]).filter(
      (call) => call.command === "PutParameter",
    );
    expect(put.map((call) => inputOf(call).Name)).toEqual(
      ["METADATA_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET"].map((name) => `/mcctl/model-catalogue/${name}`),
    );
    for (const call of put) expect(screen).not.toContain(inputOf(call).Value);

    // The call log: each resource created exactly once, in the wizard's order.
    const calls = JSON.parse(await readFile(logPath, "utf8")) as LoggedCall[];
    const succeeded = (command: string) => calls.filter((call) => call.command === command && !call.error);
    const creates = calls
      .filter((call) => !call.error && /^(Create|Run|Register)/.test(call.command))
      .map((call) => `${call.service}:${call.command}`);
    expect(creates).toEqual([
      "IAM:CreateRole",
      "S3:CreateBucket",
      "EC2:CreateSecurityGroup",
      "RDS:CreateDBInstance",
      "ECS:CreateCluster",
      "EC2:CreateSecurityGroup",
      "EC2:RunInstances",
      "CloudWatchLogs:CreateLogGroup",
      "ECS:RegisterTaskDefinition",
      "ECS:CreateService",
    ]);
    // One launch, of the offered type: m3.xlarge never reached RunInstances.
    const offerings = calls.filter((call) => call.command === "DescribeInstanceTypeOfferings");
    expect(offerings.map((call) => inputOf(call).Filters[0].Values[0])).toEqual(["m3.xlarge", "m5.xlarge"]);
    const launches = calls.filter((call) => call.command === "RunInstances");
    expect(launches.map((call) => [inputOf(call).InstanceType, call.error ?? "ok"])).toEqual([
      ["m5.xlarge", "ok"],
    ]);
    expect(inputOf(launches[0]).KeyName).toBe("mc");
    const ports = succeeded("AuthorizeSecurityGroupIngress")
      .flatMap((call) => inputOf(call).IpPermissions as { FromPort: number }[])
      .map((permission) => permission.FromPort)
      .sort();
    expect(ports, "HTTP and SSH into the instances, MySQL into the database").toEqual([22, 3306, 80]);
    // The new database has its own security group, and MySQL is allowed into that one.
    expect(succeeded("CreateSecurityGroup").map((call) => inputOf(call).GroupName)).toEqual([
      "model-catalogue-db",
      "model-catalogue-ecs-instances",
    ]);
    const databaseGroups = inputOf(succeeded("CreateDBInstance")[0]).VpcSecurityGroupIds as string[];
    expect(databaseGroups).toHaveLength(1);
    const mysqlRule = succeeded("AuthorizeSecurityGroupIngress").find(
      (call) => inputOf(call).IpPermissions[0].FromPort === 3306,
    );
    expect(inputOf(mysqlRule).GroupId).toBe(databaseGroups[0]);
    expect(inputOf(launches[0]).NetworkInterfaces[0].Groups).not.toContain(databaseGroups[0]);

    // The plan has one line per resource; apply reports each creation once, after the confirmation.
    expect(occurrences(screen, `+ S3 bucket: ${BUCKET} in eu-west-1`)).toBe(1);
    expect(occurrences(screen, "+ Database security group: model-catalogue-db")).toBe(1);
    expect(occurrences(screen, "+ MySQL database: model-catalogue (MySQL 5.7.44")).toBe(1);
    expect(occurrences(screen, "+ Database access: MySQL (TCP 3306)")).toBe(1);
    expect(occurrences(screen, `Created S3 bucket ${BUCKET}`)).toBe(1);
    expect(screen.indexOf(`Created S3 bucket ${BUCKET}`)).toBeGreaterThan(screen.indexOf(`✔ ${Q.confirm}`));

    // The typed password reached RDS and SSM (the task definition references it), and the derived values
    // are the real ones.
    const created = inputOf(succeeded("CreateDBInstance")[0]);
    expect(created).toMatchObject({
      DBInstanceIdentifier: "model-catalogue",
      DBInstanceClass: "db.t2.small",
      EngineVersion: "5.7.44",
      MasterUsername: "mcadmin",
      DBName: "mc",
      MasterUserPassword: SECRETS.database,
    });
    const taskDefinition = inputOf(succeeded("RegisterTaskDefinition")[0]) as {
      containerDefinitions: { name: string; environment?: { name: string; value: string }[] }[];
    };
    const mc = taskDefinition.containerDefinitions.find((container) => container.name === "mc");
    const environment = Object.fromEntries((mc?.environment ?? []).map((pair) => [pair.name, pair.value]));
    expect(environment).toMatchObject({
      METADATA_HOST: HOST,
      METADATA_SCHEME: "http",
      MC_SUPERVISOR_EMAIL: "ops@example.org",
      METADATA_USERNAME: "mcadmin",
      MC_S3_BUCKET: BUCKET,
      MC_S3_REGION: "eu-west-1",
    });
    for (const name of ["METADATA_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET"]) {
      expect(environment).not.toHaveProperty(name);
    }
    const stored = Object.fromEntries(put.map((call) => [inputOf(call).Name, inputOf(call)]));
    expect(stored["/mcctl/model-catalogue/METADATA_PASSWORD"]).toMatchObject({
      Type: "SecureString",
      Value: SECRETS.database,
    });
    expect(stored["/mcctl/model-catalogue/MC_S3_KEY"]?.Value).toBe(S3_KEY);
    expect(stored["/mcctl/model-catalogue/MC_S3_SECRET"]?.Value).toBe(SECRETS.s3);
    expect(environment.METADATA_JDBC_URL).toMatch(
      /^jdbc:mysql:\/\/model-catalogue\.[a-z]+\.eu-west-1\.rds\.amazonaws\.com:3306\/mc\?/,
    );
    expect(environment).not.toHaveProperty("MC_SUPERVISOR_PASSWORD");
    expect(inputOf(succeeded("CreateService")[0])).toMatchObject({ cluster: "default", serviceName: "mc" });

    // Secrets: never drawn, never saved.
    const saved = await readFile(configPath, "utf8");
    for (const secret of Object.values(SECRETS)) {
      expect(pty.rawOutput).not.toContain(secret);
      expect(screen).not.toContain(secret);
      expect(saved).not.toContain(secret);
    }
    // The answers are saved, so that a re-run asks nothing it knows.
    expect(JSON.parse(saved)).toMatchObject({
      region: "eu-west-1",
      taskDefinition: "model-catalogue:1",
      setup: {
        database: {
          identifier: "model-catalogue",
          create: true,
          engineVersion: "5.7.44",
          instanceClass: "db.t2.small",
          storageGiB: 20,
          masterUsername: "mcadmin",
          databaseName: "mc",
        },
        instance: {
          type: "m5.xlarge",
          keyPair: "mc",
          subnetId: inputOf(launches[0]).NetworkInterfaces[0].SubnetId,
          instanceProfile: "ecsInstanceRole",
          securityGroupId: expect.stringMatching(/^sg-/),
          instanceId: expect.stringMatching(/^i-/),
        },
      },
      environment: {
        METADATA_HOST: HOST,
        MC_SUPERVISOR_EMAIL: "ops@example.org",
        MC_S3_BUCKET: BUCKET,
        METADATA_USERNAME: "mcadmin",
        METADATA_JDBC_URL: environment.METADATA_JDBC_URL,
      },
      features: { mail: false, assets: true, google: false, advanced: false },
    });
  }, 90_000);
});

// biome-ignore lint/suspicious/noExplicitAny: the logged inputs are plain JSON, inspected loosely.
function inputOf(call: LoggedCall | undefined): Record<string, any> {
  if (!call) throw new Error("no such call in the simulator's log");
  return call.input as Record<string, unknown>;
}

function occurrences(text: string, wanted: string): number {
  return text.replace(/\s+/g, " ").split(wanted.replace(/\s+/g, " ")).length - 1;
}

describe("destroy on a terminal, against the simulated AWS", () => {
  const destroy = (logPath: string) =>
    new PtySession(["destroy", "--poll-interval", "200ms", "--config", join(dir, "mcctl.json")], {
      cwd: dir,
      env: childEnv(dir, { MCCTL_SIM_LOG: logPath, MCCTL_SIM_SEED: "leftovers" }),
      nodeArgs: ["--import", preload],
    });
  const confirm = "Type the service name (mc) to confirm:";

  it("deletes only after the service name is typed; anything else cancels with exit 1", async () => {
    await writeFile(join(dir, "mcctl.json"), `${JSON.stringify({ taskFamily: "model-catalogue" })}\n`);
    const cancelledLog = join(dir, "cancelled.json");
    session = destroy(cancelledLog);
    await session.waitFor("- delete log group /ecs/model-catalogue");
    await session.ask(confirm, "y");
    const cancelled = await session.waitForExit();
    expect(cancelled.exitCode).toBe(1);
    expect(session.output).toContain(
      'cancelled: "y" is not the service name (mc); nothing was changed and nothing was saved',
    );
    const readOnly = JSON.parse(await readFile(cancelledLog, "utf8")) as LoggedCall[];
    expect(readOnly.filter((call) => /^(Delete|Deregister|Terminate|Update)/.test(call.command))).toEqual([]);
    session.dispose();

    const log = join(dir, "destroyed.json");
    session = destroy(log);
    await session.ask(confirm, "mc");
    const done = await session.waitForExit();
    expect(done.exitCode).toBe(0);
    expect(session.output).toContain("Destroyed what mcctl created for mc.");
    expect(session.output).not.toContain("Canary-Leftover");
    const calls = JSON.parse(await readFile(log, "utf8")) as LoggedCall[];
    expect(calls.filter((call) => /^Delete/.test(call.command)).map((call) => call.command)).toEqual([
      "DeleteParameter",
      "DeleteLogGroup",
    ]);
  });
});

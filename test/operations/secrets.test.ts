import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi, type EcsApi } from "../../src/aws/ecs.js";
import { createIamApi, type IamApi } from "../../src/aws/iam.js";
import { createLogsApi, type LogsApi } from "../../src/aws/logs.js";
import { createSsmApi, type SsmApi } from "../../src/aws/ssm.js";
import type { Settings } from "../../src/config/settings.js";
import { type SecretStore, STORED_IN_SSM, withSecretReferences } from "../../src/domain/secrets.js";
import { McctlError } from "../../src/errors.js";
import { applyRegistration } from "../../src/operations/registration.js";
import { applySecretStore, SECRET_TAGS } from "../../src/operations/secrets.js";
import { planRegistration, type RegistrationPlan } from "../../src/plan/registration.js";
import {
  planSecretStore,
  readStoredSecrets,
  resolveSecretStore,
  type SecretStorePlan,
  secretStoreChanges,
} from "../../src/plan/secrets.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { scriptedAsker } from "../helpers/asker.js";
import { captureOutput } from "../helpers/context.js";
import { testTarget } from "../helpers/secrets.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const FAMILY = "model-catalogue";
const ROLE = "mcctl-model-catalogue-execution";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const PARAMETERS = "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue";
const TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555";
const CANARY = "CANARY-secret-value-5e1d";
const MUTATING = /^(Create|Put|Attach|Register|Update|Delete|Tag|Deregister)/;

const sim = useSimulatedAws();
let aws: { ssm: SsmApi; iam: IamApi; ecs: EcsApi; logs: LogsApi };

beforeEach(() => {
  aws = {
    ssm: createSsmApi(config),
    iam: createIamApi(config),
    ecs: createEcsApi(config),
    logs: createLogsApi(config),
  };
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

const store = (overrides: Partial<SecretStore> = {}): SecretStore => ({
  ...resolveSecretStore({}, FAMILY, testTarget()),
  ...overrides,
});

async function plan(environment: Record<string, string>, where: SecretStore = store()) {
  return planSecretStore(aws, {
    store: where,
    stored: await readStoredSecrets(aws.ssm, where),
    environment,
    kept: [],
    family: FAMILY,
    cluster: "mc",
  });
}

/** Applies a plan with a reporter drawing on a captured terminal: `lines()` is what the operator saw. */
async function apply(planned: SecretStorePlan) {
  const captured = captureOutput();
  const written = await applySecretStore(aws, terminalReporter(captured.output), planned);
  const lines = captured.all().trimEnd().split("\n");
  return { written, lines, all: captured.all };
}

describe("applySecretStore: the execution role", () => {
  it("creates the role trusting ECS tasks, tagged as mcctl's, with the managed execution policy and read access to exactly the path", async () => {
    const { lines } = await apply(await plan({ METADATA_PASSWORD: CANARY }));

    const role = sim.iam.role(ROLE);
    expect(role?.arn).toBe(ROLE_ARN);
    expect(role?.trustPolicy).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    expect(role?.tags).toEqual([
      { Key: "managed-by", Value: "mcctl" },
      { Key: "application", Value: "model-catalogue" },
    ]);
    expect(role?.attached).toEqual([TASK_EXECUTION_POLICY]);
    expect(role?.inline).toEqual({
      "mcctl-read-secrets": {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadMcctlSecrets",
            Effect: "Allow",
            Action: "ssm:GetParameters",
            Resource: `${PARAMETERS}/*`,
          },
        ],
      },
    });
    expect(sim.iam.roleTrusts(ROLE, "ecs-tasks.amazonaws.com")).toBe(true);
    expect(sim.iam.roleAllows(ROLE, "ssm:GetParameters", `${PARAMETERS}/METADATA_PASSWORD`)).toBe(true);
    // Not a parameter of another deployment, even one whose path starts the same.
    expect(
      sim.iam.roleAllows(
        ROLE,
        "ssm:GetParameters",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue-staging/METADATA_PASSWORD",
      ),
    ).toBe(false);
    expect(
      sim.iam.roleAllows(ROLE, "ssm:GetParameters", "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db"),
    ).toBe(false);
    expect(sim.iam.roleAllows(ROLE, "kms:Decrypt", KEY_ARN)).toBe(false);
    expect(mutatingCalls()).toEqual([
      "IAM:CreateRole",
      "IAM:AttachRolePolicy",
      "IAM:PutRolePolicy",
      "SSM:PutParameter",
    ]);
    expect(lines.slice(0, 3)).toEqual([
      "✔ Created IAM role mcctl-model-catalogue-execution (ECS task execution)",
      "✔ Attached AmazonECSTaskExecutionRolePolicy to mcctl-model-catalogue-execution",
      `✔ Allowed mcctl-model-catalogue-execution to read ${PARAMETERS}/*`,
    ]);
  });

  it("lets the role decrypt with the store's customer key, and with no other key", async () => {
    sim.ssm.addKmsKey(KEY_ARN);

    const { lines } = await apply(await plan({ METADATA_PASSWORD: CANARY }, store({ kmsKeyArn: KEY_ARN })));

    expect(sim.iam.roleAllows(ROLE, "kms:Decrypt", KEY_ARN)).toBe(true);
    expect(sim.iam.roleAllows(ROLE, "kms:Decrypt", OTHER_KEY_ARN)).toBe(false);
    expect(sim.iam.role(ROLE)?.inline["mcctl-read-secrets"]?.Statement).toEqual([
      { Sid: "ReadMcctlSecrets", Effect: "Allow", Action: "ssm:GetParameters", Resource: `${PARAMETERS}/*` },
      { Sid: "DecryptMcctlSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN },
    ]);
    expect(lines).toContain(
      `✔ Allowed mcctl-model-catalogue-execution to read ${PARAMETERS}/* and ${KEY_ARN}`,
    );
  });

  it("only puts the policy back on a role whose policy someone changed: no second CreateRole or AttachRolePolicy", async () => {
    await apply(await plan({ METADATA_PASSWORD: CANARY }));
    await aws.iam.putInlinePolicy(ROLE, "mcctl-read-secrets", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: `${PARAMETERS}/OTHER` }],
    });
    expect(sim.iam.roleAllows(ROLE, "ssm:GetParameters", `${PARAMETERS}/METADATA_PASSWORD`)).toBe(false);
    const again = await plan({ METADATA_PASSWORD: STORED_IN_SSM });
    sim.clearCalls();

    const { written, lines } = await apply(again);

    expect(mutatingCalls()).toEqual(["IAM:PutRolePolicy"]);
    expect(written).toEqual([]);
    expect(lines).toEqual([`✔ Allowed mcctl-model-catalogue-execution to read ${PARAMETERS}/*`]);
    expect(sim.iam.roleAllows(ROLE, "ssm:GetParameters", `${PARAMETERS}/METADATA_PASSWORD`)).toBe(true);
  });

  it("leaves an execution role named in mcctl.json as it is", async () => {
    sim.iam.addRole("team-mc-execution");
    const where = store();
    const planned = await planSecretStore(aws, {
      store: where,
      stored: await readStoredSecrets(aws.ssm, where),
      environment: { METADATA_PASSWORD: CANARY },
      kept: [],
      family: FAMILY,
      cluster: "mc",
      executionRole: "team-mc-execution",
    });

    await apply(planned);

    expect(mutatingCalls()).toEqual(["SSM:PutParameter"]);
    expect(sim.iam.role("team-mc-execution")?.attached).toEqual([]);
    expect(sim.iam.role("team-mc-execution")?.inline).toEqual({});
    expect(sim.iam.role(ROLE)).toBeUndefined();
  });

  it("completes a role left half-made by a run that IAM stopped: the next plan only puts the policy", async () => {
    sim.faults.inject({ service: "IAM", command: "PutRolePolicy", error: "access-denied" });
    await expect(apply(await plan({ METADATA_PASSWORD: CANARY }))).rejects.toThrow(
      "AWS denied iam:PutRolePolicy in eu-west-1",
    );
    expect(sim.ssm.parameters()).toEqual([]);

    const again = await plan({ METADATA_PASSWORD: CANARY });
    expect(again.role).toMatchObject({ create: false, attachManagedPolicy: false, putPolicy: true });
    expect(again.secrets.map((secret) => secret.action)).toEqual(["create"]);
    sim.clearCalls();
    await apply(again);

    expect(mutatingCalls()).toEqual(["IAM:PutRolePolicy", "SSM:PutParameter"]);
    expect(sim.iam.roleAllows(ROLE, "ssm:GetParameters", `${PARAMETERS}/METADATA_PASSWORD`)).toBe(true);
  });

  it("names the denied IAM action and the way around it when IAM refuses to create the role, and writes no parameter", async () => {
    const planned = await plan({ METADATA_PASSWORD: CANARY });
    sim.faults.inject({ service: "IAM", command: "CreateRole", error: "access-denied" });

    const error = await apply(planned).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      "AWS denied iam:CreateRole in eu-west-1 for arn:aws:iam::123456789012:user/test",
    );
    expect((error as McctlError).suggestion).toContain(
      'name it in mcctl.json ("secrets": {"executionRole": "<name>"})',
    );
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
    expect(sim.ssm.parameters()).toEqual([]);
  });

  it("when IAM refuses the policy of a role mcctl has just created, does not advise creating the role", async () => {
    const planned = await plan({ METADATA_PASSWORD: CANARY });
    sim.faults.inject({ service: "IAM", command: "PutRolePolicy", error: "access-denied" });

    const error = (await apply(planned).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as McctlError;

    expect(sim.iam.role(ROLE)).toBeDefined();
    expect(error.message).toBe(
      "AWS denied iam:PutRolePolicy in eu-west-1 for arn:aws:iam::123456789012:user/test",
    );
    expect(error.suggestion).not.toMatch(/create the (execution )?role/i);
    expect(error.suggestion).toContain(`Or have an administrator give role ${ROLE} its policies`);
  });
});

describe("applySecretStore: a change of customer key", () => {
  /** Cluster mc with one host, and model-catalogue:1 reading METADATA_PASSWORD as `wiring` says. */
  function registerReadingRevision(planned: SecretStorePlan) {
    addMcHost(sim, "mc");
    sim.ecs.registerTaskDefinition(
      withSecretReferences(mcTaskDefinition({ family: FAMILY }), "mc", ["METADATA_PASSWORD"], planned.wiring),
    );
  }

  it.each([
    ["with the same key", KEY_ARN],
    ["with another customer key", OTHER_KEY_ARN],
    ["with the AWS-managed key instead", undefined],
  ])(
    "keeps the stored secrets readable by the execution role after registering again %s",
    async (_case, newKey) => {
      sim.ssm.addKmsKey(KEY_ARN);
      sim.ssm.addKmsKey(OTHER_KEY_ARN);
      sim.ecs.addCluster("mc");
      const first = await plan({ METADATA_PASSWORD: CANARY }, store({ kmsKeyArn: KEY_ARN }));
      await apply(first);
      registerReadingRevision(first);

      // The operator changes "secrets.kmsKey" in mcctl.json (or --kms-key) and registers again.
      await apply(await plan({ METADATA_PASSWORD: STORED_IN_SSM }, store({ kmsKeyArn: newKey })));
      sim.ecs.createService(mcServiceInput({ taskDefinition: `${FAMILY}:1` }));
      await vi.advanceTimersByTimeAsync(15_000);

      const [task] = sim.ecs.tasks({ serviceName: "mc" });
      expect(task?.stoppedReason).toBeUndefined();
      expect(task?.lastStatus).toBe("RUNNING");
      expect(sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc")?.METADATA_PASSWORD).toBe(CANARY);
    },
  );
});

describe("applySecretStore: the parameters", () => {
  it("writes a new parameter as a tagged SecureString without Overwrite, and a replaced one with Overwrite and no tags", async () => {
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
      Value: "old-supervisor",
      Type: "SecureString",
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    });
    const planned = await plan({ METADATA_PASSWORD: CANARY, MC_SUPERVISOR_PASSWORD: `${CANARY}-sup` });
    expect(planned.secrets.map((secret) => `${secret.variable}:${secret.action}`)).toEqual([
      "MC_SUPERVISOR_PASSWORD:update",
      "METADATA_PASSWORD:create",
    ]);

    const { written } = await apply(planned);

    expect(sim.callsOf("PutParameter").map((call) => call.input)).toEqual([
      {
        Name: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
        Value: `${CANARY}-sup`,
        Type: "SecureString",
        KeyId: "alias/aws/ssm",
        Description: "Model Catalogue MC_SUPERVISOR_PASSWORD, written by mcctl",
        Overwrite: true,
      },
      {
        Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
        Value: CANARY,
        Type: "SecureString",
        KeyId: "alias/aws/ssm",
        Description: "Model Catalogue METADATA_PASSWORD, written by mcctl",
        Tags: [
          { Key: "managed-by", Value: "mcctl" },
          { Key: "application", Value: "model-catalogue" },
        ],
      },
    ]);
    expect(written).toEqual([
      {
        variable: "MC_SUPERVISOR_PASSWORD",
        parameter: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
        action: "update",
        before: 1,
        after: 2,
      },
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "create",
        before: undefined,
        after: 1,
      },
    ]);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")).toMatchObject({
      type: "SecureString",
      value: CANARY,
      keyId: "alias/aws/ssm",
      customerKeyArn: undefined,
      version: 1,
      tags: [
        { Key: "managed-by", Value: "mcctl" },
        { Key: "application", Value: "model-catalogue" },
      ],
    });
    // The replaced parameter keeps the tags it had.
    expect(sim.ssm.parameter("/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD")).toMatchObject({
      value: `${CANARY}-sup`,
      version: 2,
      tags: [{ Key: "managed-by", Value: "mcctl" }],
    });
  });

  it("encrypts new and replaced parameters with the store's customer key", async () => {
    sim.ssm.addKmsKey(KEY_ARN);
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/MC_S3_SECRET",
      Value: "old-s3",
      Type: "SecureString",
    });
    const planned = await plan(
      { METADATA_PASSWORD: CANARY, MC_S3_SECRET: `${CANARY}-s3` },
      store({ kmsKeyArn: KEY_ARN }),
    );

    await apply(planned);

    expect(sim.callsOf("PutParameter").map((call) => [call.input.Name, call.input.KeyId])).toEqual([
      ["/mcctl/model-catalogue/METADATA_PASSWORD", KEY_ARN],
      ["/mcctl/model-catalogue/MC_S3_SECRET", KEY_ARN],
    ]);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.customerKeyArn).toBe(KEY_ARN);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/MC_S3_SECRET")).toMatchObject({
      customerKeyArn: KEY_ARN,
      version: 2,
      value: `${CANARY}-s3`,
    });
  });

  it("re-encrypts a kept secret with the key the store names now: the same value, overwritten as a new version", async () => {
    await apply(await plan({ METADATA_PASSWORD: CANARY }));
    sim.ssm.addKmsKey(KEY_ARN);
    const again = await plan({ METADATA_PASSWORD: STORED_IN_SSM }, store({ kmsKeyArn: KEY_ARN }));
    sim.clearCalls();

    const { written, lines, all } = await apply(again);

    expect(mutatingCalls()).toEqual(["IAM:PutRolePolicy", "SSM:PutParameter"]);
    expect(sim.callsOf("PutParameter")[0]?.input).toMatchObject({
      Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
      Value: CANARY,
      KeyId: KEY_ARN,
      Overwrite: true,
    });
    expect(sim.callsOf("PutParameter")[0]?.input).not.toHaveProperty("Tags");
    expect(written).toEqual([
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "rekey",
        before: 1,
        after: 2,
      },
    ]);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")).toMatchObject({
      value: CANARY,
      customerKeyArn: KEY_ARN,
      version: 2,
    });
    expect(lines).toEqual([
      `✔ Allowed mcctl-model-catalogue-execution to read ${PARAMETERS}/* and ${KEY_ARN}`,
      `✔ Re-encrypted METADATA_PASSWORD with ${KEY_ARN} (/mcctl/model-catalogue/METADATA_PASSWORD, version 1 → 2)`,
    ]);
    expect(all()).not.toContain(CANARY);
  });

  it("does not write the secrets it keeps", async () => {
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
      Value: CANARY,
      Type: "SecureString",
    });
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
      Value: "supervisor",
      Type: "SecureString",
    });
    const planned = await plan({
      METADATA_PASSWORD: CANARY,
      MC_SUPERVISOR_PASSWORD: STORED_IN_SSM,
      MC_S3_KEY: "AKIAEXAMPLE",
    });
    expect(planned.secrets.map((secret) => `${secret.variable}:${secret.action}`)).toEqual([
      "MC_SUPERVISOR_PASSWORD:keep",
      "METADATA_PASSWORD:keep",
      "MC_S3_KEY:create",
    ]);

    const { written } = await apply(planned);

    expect(sim.callsOf("PutParameter").map((call) => call.input.Name)).toEqual([
      "/mcctl/model-catalogue/MC_S3_KEY",
    ]);
    expect(written.map((secret) => secret.variable)).toEqual(["MC_S3_KEY"]);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.version).toBe(1);
  });

  it("says what it stored and replaced, with parameter names and versions and never a value", async () => {
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
      Value: "old-supervisor",
      Type: "SecureString",
    });
    const planned = await plan({ METADATA_PASSWORD: CANARY, MC_SUPERVISOR_PASSWORD: `${CANARY}-sup` });

    const { lines, all } = await apply(planned);

    expect(lines).toEqual([
      "✔ Created IAM role mcctl-model-catalogue-execution (ECS task execution)",
      "✔ Attached AmazonECSTaskExecutionRolePolicy to mcctl-model-catalogue-execution",
      `✔ Allowed mcctl-model-catalogue-execution to read ${PARAMETERS}/*`,
      "✔ Replaced MC_SUPERVISOR_PASSWORD in SSM (/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD, version 1 → 2)",
      "✔ Stored METADATA_PASSWORD in SSM as a SecureString (/mcctl/model-catalogue/METADATA_PASSWORD, version 1)",
    ]);
    expect(all()).not.toContain(CANARY);
    expect(all()).not.toContain("old-supervisor");
  });

  it("refuses to write the placeholder for a stored secret as a value", async () => {
    const planned = await plan({ METADATA_PASSWORD: CANARY });
    const forged: SecretStorePlan = { ...planned, values: new Map([["METADATA_PASSWORD", STORED_IN_SSM]]) };

    await expect(apply(forged)).rejects.toThrow("refusing to write the placeholder of METADATA_PASSWORD");
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
  });
});

describe("secretStoreChanges", () => {
  it("is true for a plan that writes a parameter or the role, false once everything is in place", async () => {
    const first = await plan({ METADATA_PASSWORD: CANARY });
    expect(secretStoreChanges(first)).toBe(true);
    await apply(first);

    const kept = await plan({ METADATA_PASSWORD: STORED_IN_SSM });
    expect(secretStoreChanges(kept)).toBe(false);
    expect(secretStoreChanges({ ...kept, role: { ...kept.role, putPolicy: true } })).toBe(true);
    expect(secretStoreChanges({ ...kept, role: { ...kept.role, attachManagedPolicy: true } })).toBe(true);
    expect(secretStoreChanges(await plan({ METADATA_PASSWORD: `${CANARY}-new` }))).toBe(true);
  });

  it("tags what mcctl creates as its own, for Model Catalogue", () => {
    expect(SECRET_TAGS).toEqual({ "managed-by": "mcctl", application: "model-catalogue" });
  });
});

describe("applyRegistration", () => {
  const settings: Settings = {
    environment: {
      METADATA_HOST: "mc.example.com",
      METADATA_JDBC_URL: "jdbc:mysql://db.example.com/mc",
      METADATA_USERNAME: "mc",
    },
  };

  /** The plan register-task makes for `env` (no terminal), after mcctl.json `recorded` if any. */
  async function registration(env: Record<string, string>, recorded?: string): Promise<RegistrationPlan> {
    return planRegistration(
      {
        settings: recorded ? { ...settings, taskDefinition: recorded } : settings,
        env,
        interactive: false,
        region: "eu-west-1",
        cluster: "mc",
        service: "mc",
      },
      scriptedAsker({}).asker,
      { ...aws, target: testTarget() },
    );
  }

  async function register(planned: RegistrationPlan) {
    const captured = captureOutput();
    const outcome = await applyRegistration(aws, terminalReporter(captured.output), {
      ...planned,
      storeSecrets: secretStoreChanges(planned.secrets),
      baseline: planned.baseline?.taskDefinition,
    });
    return { outcome, all: captured.all };
  }

  it("stores the role and secrets before registering the revision that references them", async () => {
    const planned = await registration({ METADATA_PASSWORD: CANARY });
    expect(planned.register).toBe(true);

    const { outcome, all } = await register(planned);

    expect(mutatingCalls()).toEqual([
      "IAM:CreateRole",
      "IAM:AttachRolePolicy",
      "IAM:PutRolePolicy",
      "SSM:PutParameter",
      // The log group the revision writes to exists before the revision does, too.
      "CloudWatchLogs:CreateLogGroup",
      "CloudWatchLogs:PutRetentionPolicy",
      "ECS:RegisterTaskDefinition",
    ]);
    expect(outcome.revision?.taskDefinitionArn).toBe(
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:1",
    );
    expect(outcome.revision?.executionRoleArn).toBe(ROLE_ARN);
    expect(outcome.revision?.containerDefinitions?.find((c) => c.name === "mc")?.secrets).toEqual([
      { name: "METADATA_PASSWORD", valueFrom: `${PARAMETERS}/METADATA_PASSWORD` },
    ]);
    expect(outcome.written.map((secret) => `${secret.variable}:${secret.action}:${secret.after}`)).toEqual([
      "METADATA_PASSWORD:create:1",
    ]);
    expect(JSON.stringify(sim.callsOf("RegisterTaskDefinition")[0]?.input)).not.toContain(CANARY);
    expect(all()).not.toContain(CANARY);
  });

  it("registers nothing and writes nothing when nothing changed: the baseline is the outcome", async () => {
    await register(await registration({ METADATA_PASSWORD: CANARY }));
    const again = await registration({}, "model-catalogue:1");
    expect(again.register).toBe(false);
    sim.clearCalls();

    const { outcome } = await register(again);

    expect(mutatingCalls()).toEqual([]);
    expect(outcome.revision?.taskDefinitionArn).toBe(
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:1",
    );
    expect(outcome.written).toEqual([]);
  });

  it("registers a revision without touching SSM or IAM when only a plain setting changed", async () => {
    await register(await registration({ METADATA_PASSWORD: CANARY }));
    const again = await registration({ MC_NAME: "Renamed" }, "model-catalogue:1");
    expect(again.register).toBe(true);
    expect(secretStoreChanges(again.secrets)).toBe(false);
    sim.clearCalls();

    const { outcome } = await register(again);

    expect(mutatingCalls()).toEqual(["ECS:RegisterTaskDefinition"]);
    expect(outcome.revision?.revision).toBe(2);
    expect(outcome.written).toEqual([]);
  });

  it("writes a changed secret as a new version without registering a revision: the references stay the same", async () => {
    await register(await registration({ METADATA_PASSWORD: CANARY }));
    const again = await registration({ METADATA_PASSWORD: `${CANARY}-new` }, "model-catalogue:1");
    expect(again.register).toBe(false);
    sim.clearCalls();

    const { outcome } = await register(again);

    expect(mutatingCalls()).toEqual(["SSM:PutParameter"]);
    expect(outcome.written).toEqual([
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "update",
        before: 1,
        after: 2,
      },
    ]);
    expect(outcome.revision?.revision).toBe(1);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.value).toBe(`${CANARY}-new`);
  });
});

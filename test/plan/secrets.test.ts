import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi, type EcsApi } from "../../src/aws/ecs.js";
import { createIamApi, type IamApi } from "../../src/aws/iam.js";
import { createSsmApi, type SsmApi } from "../../src/aws/ssm.js";
import type { Settings } from "../../src/config/settings.js";
import { executionRolePolicy, type SecretStore, STORED_IN_SSM } from "../../src/domain/secrets.js";
import { McctlError, UsageError } from "../../src/errors.js";
import { applySecretStore } from "../../src/operations/secrets.js";
import type { Target } from "../../src/plan/account.js";
import {
  knownSecrets,
  planSecretStore,
  readStoredSecrets,
  resolveSecretStore,
  type SecretStorePlan,
  type SecretStoreRequest,
} from "../../src/plan/secrets.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { testTarget } from "../helpers/secrets.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const FAMILY = "model-catalogue";
const ROLE = "mcctl-model-catalogue-execution";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const PARAMETERS = "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue";
const TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CANARY = "CANARY-secret-value-5e1d";
const MUTATING = /^(Create|Put|Attach|Register|Update|Delete|Tag)/;

const sim = useSimulatedAws();
let aws: { ssm: SsmApi; iam: IamApi; ecs: EcsApi };

beforeEach(() => {
  aws = { ssm: createSsmApi(config), iam: createIamApi(config), ecs: createEcsApi(config) };
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

/** The default store of the default family in the simulator's account and region. */
const store = (overrides: Partial<SecretStore> = {}): SecretStore => ({
  ...resolveSecretStore({}, FAMILY, testTarget()),
  ...overrides,
});

/** A SecureString seeded as if mcctl (or an operator) had written it: `values` are its versions in turn. */
function seedParameter(variable: string, ...values: string[]) {
  values.forEach((value, index) => {
    sim.ssm.putParameterDirectly({
      Name: `/mcctl/model-catalogue/${variable}`,
      Value: value,
      Type: "SecureString",
      ...(index > 0 ? { Overwrite: true } : {}),
    });
  });
}

/** What `register-task` asks the planner: the resolved environment, with what SSM holds read first. */
async function plan(
  environment: Record<string, string>,
  options: Partial<Omit<SecretStoreRequest, "environment" | "stored">> = {},
): Promise<SecretStorePlan> {
  const where = options.store ?? store();
  return planSecretStore(aws, {
    store: where,
    stored: await readStoredSecrets(aws.ssm, where),
    environment,
    kept: [],
    family: FAMILY,
    cluster: "mc",
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

/** Applies a plan as register-task does, so that the next plan finds what it made. */
async function apply(planned: SecretStorePlan) {
  await applySecretStore(aws, terminalReporter(captureOutput().output), planned);
}

describe("planSecretStore: each secret's fate", () => {
  it("creates a parameter for each secret set in the environment, in the order Model Catalogue lists them, and changes nothing", async () => {
    const planned = await plan({
      METADATA_HOST: "mc.example.com",
      METADATA_PASSWORD: CANARY,
      MC_SUPERVISOR_PASSWORD: `${CANARY}-sup`,
    });

    expect(planned.secrets).toEqual([
      {
        variable: "MC_SUPERVISOR_PASSWORD",
        parameter: "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
        action: "create",
        version: undefined,
        lastModified: undefined,
        from: undefined,
      },
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "create",
        version: undefined,
        lastModified: undefined,
        from: undefined,
      },
    ]);
    expect([...planned.values]).toEqual([
      ["MC_SUPERVISOR_PASSWORD", `${CANARY}-sup`],
      ["METADATA_PASSWORD", CANARY],
    ]);
    expect(planned.unused).toEqual([]);
    expect(planned.notes).toEqual([]);
    expect(planned.wiring.executionRoleArn).toBe(ROLE_ARN);
    expect(planned.wiring.valueFrom("METADATA_PASSWORD")).toBe(`${PARAMETERS}/METADATA_PASSWORD`);
    // Only the values map holds a value: what a plan prints is built from the rest.
    const { values: _values, ...printable } = planned;
    expect(JSON.stringify(printable)).not.toContain(CANARY);
    expect(mutatingCalls()).toEqual([]);
    expect(sim.callsOf("GetParameter")).toHaveLength(0);
  });

  it("migrates a plain value kept from the baseline revision, naming the revision it comes from", async () => {
    const planned = await plan(
      { METADATA_PASSWORD: CANARY, MC_S3_KEY: "AKIAEXAMPLE" },
      { kept: ["METADATA_PASSWORD"], plainFrom: "model-catalogue:7" },
    );

    expect(planned.secrets).toEqual([
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "migrate",
        version: undefined,
        lastModified: undefined,
        from: "model-catalogue:7",
      },
      {
        variable: "MC_S3_KEY",
        parameter: "/mcctl/model-catalogue/MC_S3_KEY",
        action: "create",
        version: undefined,
        lastModified: undefined,
        from: undefined,
      },
    ]);
    expect(planned.values.get("METADATA_PASSWORD")).toBe(CANARY);
  });

  it("updates a stored secret set to a different value: the plan names its current version, the values hold the new one", async () => {
    seedParameter("METADATA_PASSWORD", "first", "second");
    const modified = sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.lastModified;

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.secrets).toEqual([
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "update",
        version: 2,
        lastModified: modified,
        from: undefined,
      },
    ]);
    expect(modified).toBeInstanceOf(Date);
    expect([...planned.values]).toEqual([["METADATA_PASSWORD", CANARY]]);
    // It read the parameter, decrypted, only to compare it.
    expect(sim.callsOf("GetParameter").map((call) => call.input)).toEqual([
      { Name: "/mcctl/model-catalogue/METADATA_PASSWORD", WithDecryption: true },
    ]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("keeps a secret that stands for what SSM holds, without reading it", async () => {
    seedParameter("METADATA_PASSWORD", "stored");

    const planned = await plan({ METADATA_PASSWORD: STORED_IN_SSM });

    expect(planned.secrets).toEqual([
      {
        variable: "METADATA_PASSWORD",
        parameter: "/mcctl/model-catalogue/METADATA_PASSWORD",
        action: "keep",
        version: 1,
        lastModified: sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.lastModified,
      },
    ]);
    expect(planned.values.size).toBe(0);
    expect(sim.callsOf("GetParameter")).toHaveLength(0);
  });

  it("keeps a stored secret set again to the value it has: no new version to write", async () => {
    seedParameter("METADATA_PASSWORD", "old", CANARY);

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.secrets.map(({ variable, action, version }) => ({ variable, action, version }))).toEqual([
      { variable: "METADATA_PASSWORD", action: "keep", version: 2 },
    ]);
    expect(planned.values.size).toBe(0);
    expect(sim.callsOf("GetParameter")).toHaveLength(1);
  });

  it("re-encrypts a kept secret written with another key than the store names now, reading its value to write it again", async () => {
    seedParameter("METADATA_PASSWORD", CANARY);

    const planned = await plan(
      { METADATA_PASSWORD: STORED_IN_SSM },
      { store: store({ kmsKeyArn: KEY_ARN }) },
    );

    expect(planned.secrets.map(({ variable, action, version }) => ({ variable, action, version }))).toEqual([
      { variable: "METADATA_PASSWORD", action: "rekey", version: 1 },
    ]);
    expect([...planned.values]).toEqual([["METADATA_PASSWORD", CANARY]]);
    expect(sim.callsOf("GetParameter").map((call) => call.input)).toEqual([
      { Name: "/mcctl/model-catalogue/METADATA_PASSWORD", WithDecryption: true },
    ]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("re-encrypts a secret set again to its value when the store's key changed back to the AWS-managed one", async () => {
    sim.ssm.addKmsKey(KEY_ARN);
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
      Value: CANARY,
      Type: "SecureString",
      KeyId: KEY_ARN,
    });

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.secrets.map((secret) => `${secret.variable}:${secret.action}`)).toEqual([
      "METADATA_PASSWORD:rekey",
    ]);
    expect(planned.values.get("METADATA_PASSWORD")).toBe(CANARY);
  });

  it("keeps a secret written with the store's key named by its id rather than its ARN", async () => {
    sim.ssm.addKmsKey(KEY_ARN);
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
      Value: CANARY,
      Type: "SecureString",
      KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });

    const planned = await plan(
      { METADATA_PASSWORD: STORED_IN_SSM },
      { store: store({ kmsKeyArn: KEY_ARN }) },
    );

    expect(planned.secrets.map((secret) => `${secret.variable}:${secret.action}`)).toEqual([
      "METADATA_PASSWORD:keep",
    ]);
    expect(planned.values.size).toBe(0);
    expect(sim.callsOf("GetParameter")).toHaveLength(0);
  });

  it("plans an update rather than failing when SSM denies reading the stored value to compare it", async () => {
    seedParameter("METADATA_PASSWORD", CANARY);
    sim.faults.inject({ service: "SSM", command: "GetParameter", error: "access-denied" });

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.secrets.map(({ variable, action, version }) => ({ variable, action, version }))).toEqual([
      { variable: "METADATA_PASSWORD", action: "update", version: 1 },
    ]);
    expect(planned.values.get("METADATA_PASSWORD")).toBe(CANARY);
    expect(sim.callsOf("GetParameter").map((call) => call.error !== undefined)).toEqual([true]);
  });

  it("fails on an SSM error other than a denied read of the value", async () => {
    seedParameter("METADATA_PASSWORD", CANARY);
    sim.faults.inject({ service: "SSM", command: "GetParameter", error: "throttling" });

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toBe("AWS is throttling ssm:GetParameter requests");
  });

  it("refuses, before any change, to replace a parameter under the path that is a plain String, which SSM cannot turn into a SecureString", async () => {
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/METADATA_PASSWORD",
      Value: "made by hand",
      Type: "String",
    });

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toContain("/mcctl/model-catalogue/METADATA_PASSWORD");
    expect(mutatingCalls()).toEqual([]);
  });

  it("lists the stored parameters the environment no longer sets as unused, and ignores others under the path", async () => {
    seedParameter("MC_S3_SECRET", "s3-secret");
    seedParameter("MC_S3_KEY", "s3-key");
    seedParameter("METADATA_PASSWORD", CANARY);
    seedParameter("SOMETHING_ELSE", "not mcctl's");

    const planned = await plan({ METADATA_PASSWORD: STORED_IN_SSM });

    expect(planned.unused).toEqual([
      "/mcctl/model-catalogue/MC_S3_KEY",
      "/mcctl/model-catalogue/MC_S3_SECRET",
    ]);
    expect(planned.secrets.map((secret) => `${secret.variable}:${secret.action}`)).toEqual([
      "METADATA_PASSWORD:keep",
    ]);
  });

  it("reads stored secrets of its own path only: a parameter of another family is not this one's", async () => {
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue-staging/METADATA_PASSWORD",
      Value: "staging",
      Type: "SecureString",
    });

    const stored = await readStoredSecrets(aws.ssm, store());

    expect([...stored.keys()]).toEqual([]);
  });
});

describe("planSecretStore: the execution role", () => {
  it("creates the role when there is none, its ARN and managed policy in the caller's account and partition", async () => {
    const target: Target = {
      account: "210987654321",
      arn: "arn:aws-cn:iam::210987654321:user/ops",
      region: "cn-north-1",
    };
    const where = resolveSecretStore({}, FAMILY, target);

    const planned = await plan({ METADATA_PASSWORD: CANARY }, { store: where });

    expect(planned.role).toEqual({
      name: ROLE,
      arn: `arn:aws-cn:iam::210987654321:role/${ROLE}`,
      managed: true,
      create: true,
      attachManagedPolicy: true,
      putPolicy: true,
      managedPolicyArn: "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadMcctlSecrets",
            Effect: "Allow",
            Action: "ssm:GetParameters",
            Resource: "arn:aws-cn:ssm:cn-north-1:210987654321:parameter/mcctl/model-catalogue/*",
          },
        ],
      },
    });
    expect(planned.wiring.executionRoleArn).toBe(`arn:aws-cn:iam::210987654321:role/${ROLE}`);
    expect(sim.callsOf("GetRole").map((call) => call.input)).toEqual([{ RoleName: ROLE }]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("has nothing to do for the role once a plan was applied", async () => {
    await apply(await plan({ METADATA_PASSWORD: CANARY }));
    sim.clearCalls();

    const again = await plan({ METADATA_PASSWORD: STORED_IN_SSM });

    expect(again.role).toMatchObject({
      name: ROLE,
      arn: ROLE_ARN,
      managed: true,
      create: false,
      attachManagedPolicy: false,
      putPolicy: false,
    });
    expect(again.notes).toEqual([]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("puts the inline policy again when it no longer matches the store: a customer key was added", async () => {
    await apply(await plan({ METADATA_PASSWORD: CANARY }));

    const again = await plan({ METADATA_PASSWORD: STORED_IN_SSM }, { store: store({ kmsKeyArn: KEY_ARN }) });

    expect(again.role).toMatchObject({ create: false, attachManagedPolicy: false, putPolicy: true });
    expect(again.role.policy.Statement).toEqual([
      {
        Sid: "ReadMcctlSecrets",
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: `${PARAMETERS}/*`,
      },
      { Sid: "DecryptMcctlSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN },
    ]);
  });

  it("attaches the managed execution policy again when someone detached it", async () => {
    sim.iam.addRole(ROLE, {
      tags: { "managed-by": "mcctl" },
      inline: { "mcctl-read-secrets": executionRolePolicy(store()) },
    });

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.role).toMatchObject({
      arn: ROLE_ARN,
      managed: true,
      create: false,
      attachManagedPolicy: true,
      putPolicy: false,
      managedPolicyArn: TASK_EXECUTION_POLICY,
    });
  });

  it("refuses a role of its name that mcctl did not create, and says how to use it as it is", async () => {
    sim.iam.addRole(ROLE, { attached: [TASK_EXECUTION_POLICY] });

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toBe(
      "IAM role mcctl-model-catalogue-execution exists but mcctl did not create it, so mcctl will not change it",
    );
    expect(error.suggestion).toBe(
      'To use it as it is, add "secrets": {"executionRole": "mcctl-model-catalogue-execution"} to mcctl.json.',
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("refuses its own role when the role no longer lets ECS tasks assume it", async () => {
    sim.iam.addRole(ROLE, { trustedService: "ec2.amazonaws.com", tags: { "managed-by": "mcctl" } });

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toBe(
      "IAM role mcctl-model-catalogue-execution does not let ECS tasks assume it, so tasks could not read their secrets",
    );
    expect(error.suggestion).toBe(
      "Add ecs-tasks.amazonaws.com to its trust policy: aws iam update-assume-role-policy --role-name mcctl-model-catalogue-execution --policy-document file://trust.json",
    );
  });

  it("refuses an execution role named in mcctl.json that does not exist", async () => {
    const error = await failure(plan({ METADATA_PASSWORD: CANARY }, { executionRole: "team-mc-execution" }));

    expect(error.message).toBe(
      'execution role team-mc-execution (mcctl.json "secrets.executionRole") does not exist',
    );
    expect(error.suggestion).toBe(
      'Create it, or remove "executionRole" from mcctl.json so that mcctl creates mcctl-model-catalogue-execution.',
    );
  });

  it("refuses an execution role named in mcctl.json that ECS tasks cannot assume", async () => {
    sim.iam.addRole("team-mc-execution", { trustedService: "lambda.amazonaws.com" });

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }, { executionRole: "team-mc-execution" }));

    expect(error.message).toBe(
      "IAM role team-mc-execution does not let ECS tasks assume it, so tasks could not read their secrets",
    );
  });

  it("uses an execution role named in mcctl.json as it is, with IAM's ARN, and says what it must allow", async () => {
    sim.iam.addRole("team-mc-execution", { path: "/service-role/" });

    const planned = await plan(
      { METADATA_PASSWORD: CANARY },
      { executionRole: "team-mc-execution", store: store({ kmsKeyArn: KEY_ARN }) },
    );

    expect(planned.role).toMatchObject({
      name: "team-mc-execution",
      arn: "arn:aws:iam::123456789012:role/service-role/team-mc-execution",
      managed: false,
      create: false,
      attachManagedPolicy: false,
      putPolicy: false,
    });
    expect(planned.wiring.executionRoleArn).toBe(
      "arn:aws:iam::123456789012:role/service-role/team-mc-execution",
    );
    expect(planned.notes).toEqual([
      `mcctl uses execution role team-mc-execution as it is: it must allow ssm:GetParameters on ${PARAMETERS}/*, kms:Decrypt on ${KEY_ARN} and, for the containers' output in CloudWatch Logs, logs:CreateLogStream and logs:PutLogEvents (AmazonECSTaskExecutionRolePolicy allows both)`,
    ]);
    // Its policies are none of mcctl's business.
    expect(sim.callsOf("ListAttachedRolePolicies")).toHaveLength(0);
    expect(sim.callsOf("GetRolePolicy")).toHaveLength(0);
  });

  it("names the denied IAM action and the way around it when IAM refuses to show the role", async () => {
    sim.faults.inject({ service: "IAM", command: "GetRole", error: "access-denied" });

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toBe("AWS denied iam:GetRole in eu-west-1 for arn:aws:iam::123456789012:user/test");
    expect(error.suggestion).toBe(
      'Ask an administrator to allow iam:GetRole for your IAM user or role. Or have an administrator create the execution role and name it in mcctl.json ("secrets": {"executionRole": "<name>"}).',
    );
  });
});

describe("planSecretStore: the container instances' agents", () => {
  beforeEach(() => {
    sim.ecs.addCluster("mc");
  });

  it("refuses before any change when an instance's agent is too old to fetch secrets, naming it and the update command", async () => {
    sim.ecs.addContainerInstance("mc", { ec2InstanceId: "i-0aaaaaaaaaaaaaaa1" });
    const old = sim.ecs.addContainerInstance("mc", {
      ec2InstanceId: "i-0bbbbbbbbbbbbbbb2",
      agentVersion: "1.21.0",
    });
    const id = old.containerInstanceArn?.split("/").pop();

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toBe(
      "container instance i-0bbbbbbbbbbbbbbb2 (agent 1.21.0) in cluster mc runs an ECS agent older than 1.22.0, which cannot fetch secrets from SSM Parameter Store; nothing was changed",
    );
    expect(error.suggestion).toBe(
      `Update the agent first: aws ecs update-container-agent --cluster mc --container-instance ${id} (or replace the instance with one from the current ECS-optimized AMI), then run the command again.`,
    );
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(mutatingCalls()).toEqual([]);
  });

  it("refuses an instance whose agent was downgraded after it registered", async () => {
    const instance = sim.ecs.addContainerInstance("mc", { ec2InstanceId: "i-0ccccccccccccccc3" });
    sim.ecs.setContainerInstanceAgentVersion(instance.containerInstanceArn ?? "", "1.20.0");

    const error = await failure(plan({ METADATA_PASSWORD: CANARY }));

    expect(error.message).toContain("container instance i-0ccccccccccccccc3 (agent 1.20.0) in cluster mc");
  });

  it("accepts agent 1.22.0, the first that fetches secrets", async () => {
    sim.ecs.addContainerInstance("mc", { agentVersion: "1.22.0" });

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.notes).toEqual([]);
  });

  it("only notes an instance whose agent version it cannot read", async () => {
    sim.ecs.addContainerInstance("mc", { ec2InstanceId: "i-0ddddddddddddddd4", agentVersion: "dev" });

    const planned = await plan({ METADATA_PASSWORD: CANARY });

    expect(planned.notes).toEqual([
      "container instance i-0ddddddddddddddd4 (agent dev) reports no agent version mcctl can read; secrets need agent 1.22.0 or later",
    ]);
  });

  it("does not look at the agents when the deployment has no secret", async () => {
    sim.ecs.addContainerInstance("mc", { agentVersion: "1.21.0" });

    const planned = await plan({ METADATA_HOST: "mc.example.com" });

    expect(planned.secrets).toEqual([]);
    expect(sim.callsOf("ListContainerInstances")).toHaveLength(0);
  });

  it("has nothing to say about agents when the cluster does not exist yet", async () => {
    const planned = await plan({ METADATA_PASSWORD: CANARY }, { cluster: "not-yet" });

    expect(planned.notes).toEqual([]);
    expect(sim.callsOf("ListContainerInstances").map((call) => call.input?.cluster)).toEqual(["not-yet"]);
  });
});

describe("resolveSecretStore", () => {
  it("puts the store under /mcctl/<family> in the caller's account, partition and region by default", () => {
    expect(resolveSecretStore({}, "mc-test", testTarget("210987654321", "us-east-2"))).toEqual({
      partition: "aws",
      region: "us-east-2",
      account: "210987654321",
      path: "/mcctl/mc-test",
      kmsKeyArn: undefined,
    });
  });

  it("takes the path from mcctl.json", () => {
    const settings: Settings = { secrets: { path: "/team/mc" } };

    expect(resolveSecretStore(settings, FAMILY, testTarget()).path).toBe("/team/mc");
  });

  it("takes the --kms-key flag over mcctl.json's key", () => {
    const other = "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555";
    const settings: Settings = { secrets: { kmsKey: KEY_ARN } };

    expect(resolveSecretStore(settings, FAMILY, testTarget()).kmsKeyArn).toBe(KEY_ARN);
    expect(resolveSecretStore(settings, FAMILY, testTarget(), other).kmsKeyArn).toBe(other);
  });

  it("completes a bare key id to an ARN in the caller's account, region and partition", () => {
    const target: Target = {
      account: "210987654321",
      arn: "arn:aws-cn:sts::210987654321:assumed-role/ops/me",
      region: "cn-north-1",
    };

    expect(resolveSecretStore({}, FAMILY, target, "1234abcd-12ab-34cd-56ef-1234567890ab").kmsKeyArn).toBe(
      "arn:aws-cn:kms:cn-north-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
  });

  it("refuses a key alias as a usage error: an IAM policy cannot grant kms:Decrypt through an alias", () => {
    let error: unknown;
    try {
      resolveSecretStore({}, FAMILY, testTarget(), "alias/mc-secrets");
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      "KMS key \"alias/mc-secrets\" is an alias; give the key's ARN or id (the execution role's policy must name the key itself)",
    );
    expect((error as UsageError).suggestion).toBe(
      "Find the key's ARN with `aws kms describe-key --key-id alias/<name>`.",
    );
    expect((error as UsageError).exitCode).toBe(2);
  });

  it("refuses an alias given as an ARN too", () => {
    expect(() =>
      resolveSecretStore({}, FAMILY, testTarget(), "arn:aws:kms:eu-west-1:123456789012:alias/mc-secrets"),
    ).toThrow(UsageError);
  });
});

describe("knownSecrets", () => {
  it("takes the secrets SSM holds as stored, over a plain value of the baseline, and the baseline's other plain secrets as they are", async () => {
    seedParameter("METADATA_PASSWORD", "in-ssm");
    const baseline: TaskDefinition = {
      family: FAMILY,
      revision: 3,
      containerDefinitions: [
        {
          name: "mc",
          environment: [
            { name: "METADATA_HOST", value: "mc.example.com" },
            { name: "METADATA_PASSWORD", value: "plain-old" },
            { name: "MC_S3_KEY", value: "AKIAEXAMPLE" },
          ],
        },
        { name: "mc-es", environment: [{ name: "MC_S3_SECRET", value: "not the mc container's" }] },
      ],
    };

    const known = knownSecrets(await readStoredSecrets(aws.ssm, store()), baseline);

    expect(known).toEqual({ METADATA_PASSWORD: STORED_IN_SSM, MC_S3_KEY: "AKIAEXAMPLE" });
  });

  it("knows nothing without a baseline and without parameters", async () => {
    expect(knownSecrets(await readStoredSecrets(aws.ssm, store()), undefined)).toEqual({});
  });
});

import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  agentSecretsProblem,
  defaultExecutionRoleName,
  defaultSecretPath,
  executionRolePolicy,
  kmsKeyArn,
  OPTIONAL_SECRETS,
  parameterArn,
  partitionOf,
  placeholderWiring,
  plainSecretValues,
  plainTextSecrets,
  SECRET_VARIABLES,
  type SecretStore,
  samePolicy,
  secretDeliveries,
  trustsEcsTasks,
  validateSecretPath,
  withSecretReferences,
} from "../../src/domain/secrets.js";
import { TEST_WIRING } from "../helpers/secrets.js";

const STORE: SecretStore = {
  partition: "aws",
  region: "eu-west-1",
  account: "123456789012",
  path: "/mcctl/model-catalogue",
};

describe("the secret variables", () => {
  it("are the six Model Catalogue reads, of which the database password and supervisor password are required", () => {
    expect([...SECRET_VARIABLES].sort()).toEqual([
      "MC_GOOGLE_SECRET",
      "MC_MAIL_PASSWORD",
      "MC_S3_KEY",
      "MC_S3_SECRET",
      "MC_SUPERVISOR_PASSWORD",
      "METADATA_PASSWORD",
    ]);
    expect([...OPTIONAL_SECRETS].sort()).toEqual([
      "MC_GOOGLE_SECRET",
      "MC_MAIL_PASSWORD",
      "MC_S3_KEY",
      "MC_S3_SECRET",
      "MC_SUPERVISOR_PASSWORD",
    ]);
  });
});

describe("parameter names and ARNs", () => {
  it("puts a family's secrets under /mcctl/<family>, the ARN in the caller's partition", () => {
    expect(defaultSecretPath("model-catalogue")).toBe("/mcctl/model-catalogue");
    expect(parameterArn(STORE, "METADATA_PASSWORD")).toBe(
      "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/METADATA_PASSWORD",
    );
    expect(parameterArn({ ...STORE, partition: "aws-cn", region: "cn-north-1" }, "X")).toBe(
      "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/mcctl/model-catalogue/X",
    );
    expect(partitionOf("arn:aws-us-gov:sts::123456789012:assumed-role/a/b")).toBe("aws-us-gov");
    expect(partitionOf("arn:aws:iam::123456789012:user/x")).toBe("aws");
    expect(partitionOf("not an arn")).toBe("aws");
  });

  it.each([
    ["/mcctl/model-catalogue", undefined],
    ["/a", undefined],
    ["/team.a/mc_1-x", undefined],
    ["mcctl/x", 'must start with "/"'],
    ["/mcctl/x/", 'must not end with "/"'],
    ["/mcctl//x", "between single slashes"],
    ["/mcctl/a b", "between single slashes"],
    ["/aws/mc", "reserved by AWS"],
    ["/SSM/mc", "reserved by AWS"],
    [`/${"a".repeat(1000)}`, "characters long"],
  ])("path %s: %s", (path, problem) => {
    const found = validateSecretPath(path);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it("gives offline dry runs ARNs that say what is not known yet", () => {
    const wiring = placeholderWiring("mc", undefined);
    expect(wiring.valueFrom("METADATA_PASSWORD")).toBe(
      "arn:aws:ssm:<region>:<account>:parameter/mcctl/mc/METADATA_PASSWORD",
    );
    expect(wiring.executionRoleArn).toBe("arn:aws:iam::<account>:role/mcctl-mc-execution");
    const named = placeholderWiring("mc", { path: "/team/mc", executionRole: "their-role" });
    expect(named.valueFrom("X")).toContain(":parameter/team/mc/X");
    expect(named.executionRoleArn).toBe("arn:aws:iam::<account>:role/their-role");
  });
});

describe("kmsKeyArn", () => {
  const where = { partition: "aws", region: "eu-west-1", account: "123456789012" };
  const id = "1234abcd-12ab-34cd-56ef-1234567890ab";

  it("takes a key ARN as it is and completes a key id in the account and region", () => {
    const arn = `arn:aws:kms:eu-west-1:123456789012:key/${id}`;
    expect(kmsKeyArn(arn, where)).toEqual({ arn });
    expect(kmsKeyArn(id, where)).toEqual({ arn });
    expect(kmsKeyArn(`mrk-${"a".repeat(32)}`, where)).toEqual({
      arn: `arn:aws:kms:eu-west-1:123456789012:key/mrk-${"a".repeat(32)}`,
    });
  });

  it("refuses an alias, which an IAM policy cannot grant kms:Decrypt through, and anything else", () => {
    expect(kmsKeyArn("alias/mc", where)).toEqual({ problem: expect.stringContaining("is an alias") });
    expect(kmsKeyArn("arn:aws:kms:eu-west-1:123456789012:alias/mc", where)).toEqual({
      problem: expect.stringContaining("is an alias"),
    });
    expect(kmsKeyArn("my key", where)).toEqual({
      problem: expect.stringContaining("not a key ARN or key id"),
    });
  });
});

describe("the execution role", () => {
  it("is named after the family, within IAM's 64 characters, and two long families never share one", () => {
    expect(defaultExecutionRoleName("model-catalogue")).toBe("mcctl-model-catalogue-execution");
    const long = defaultExecutionRoleName(`${"f".repeat(100)}-a`);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^mcctl-f+-[0-9a-f]{8}-execution$/);
    expect(defaultExecutionRoleName(`${"f".repeat(100)}-b`)).not.toBe(long);
    expect(defaultExecutionRoleName("f".repeat(48))).toBe(`mcctl-${"f".repeat(48)}-execution`);
    expect(defaultExecutionRoleName("f".repeat(49))).toMatch(/-[0-9a-f]{8}-execution$/);
  });

  it("may read exactly the family's path, and decrypt only with a customer key", () => {
    expect(executionRolePolicy(STORE)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadMcctlSecrets",
          Effect: "Allow",
          Action: "ssm:GetParameters",
          Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/*",
        },
      ],
    });
    const key = "arn:aws:kms:eu-west-1:123456789012:key/k";
    expect(executionRolePolicy({ ...STORE, kmsKeyArn: key }).Statement[1]).toEqual({
      Sid: "DecryptMcctlSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: key,
    });
  });

  it("is trusted by ECS tasks only when the trust policy allows ecs-tasks.amazonaws.com to assume it", () => {
    const trust = (service: unknown, effect = "Allow", action: unknown = "sts:AssumeRole") => ({
      Version: "2012-10-17",
      Statement: [{ Effect: effect, Principal: { Service: service }, Action: action }],
    });
    expect(trustsEcsTasks(trust("ecs-tasks.amazonaws.com"))).toBe(true);
    expect(trustsEcsTasks(trust(["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]))).toBe(true);
    expect(trustsEcsTasks(trust("ecs-tasks.amazonaws.com", "Allow", ["sts:AssumeRole"]))).toBe(true);
    expect(trustsEcsTasks(trust("ec2.amazonaws.com"))).toBe(false);
    expect(trustsEcsTasks(trust("ecs-tasks.amazonaws.com", "Deny"))).toBe(false);
    expect(trustsEcsTasks(trust("ecs-tasks.amazonaws.com", "Allow", "sts:TagSession"))).toBe(false);
    expect(trustsEcsTasks(undefined)).toBe(false);
    expect(trustsEcsTasks({ Statement: "nonsense" })).toBe(false);
  });

  it("compares policies by meaning, not by the order of their keys", () => {
    const policy = executionRolePolicy(STORE);
    const reordered = JSON.parse(
      '{"Statement":[{"Resource":"arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/*","Action":"ssm:GetParameters","Effect":"Allow","Sid":"ReadMcctlSecrets"}],"Version":"2012-10-17"}',
    );
    expect(samePolicy(policy, reordered)).toBe(true);
    expect(samePolicy(policy, executionRolePolicy({ ...STORE, path: "/other" }))).toBe(false);
    expect(samePolicy(policy, undefined)).toBe(false);
  });
});

describe("agentSecretsProblem", () => {
  it.each([
    ["1.22.0", undefined],
    ["1.97.1", undefined],
    ["2.0.0", undefined],
    ["1.23.0", undefined],
    ["v1.22.1", undefined],
    ["1.21.9", "too-old"],
    ["1.9.40", "too-old"],
    ["0.99.99", "too-old"],
    [undefined, "unknown"],
    ["", "unknown"],
    ["1.22", "unknown"],
    ["latest", "unknown"],
  ])("agent %s: %s", (version, problem) => {
    expect(agentSecretsProblem(version)).toBe(problem);
  });
});

describe("secrets in a revision", () => {
  const revision = {
    containerDefinitions: [
      {
        name: "mc",
        environment: [
          { name: "MC_NAME", value: "Catalogue" },
          { name: "METADATA_PASSWORD", value: "CANARY-plain" },
        ],
        secrets: [{ name: "MC_MAIL_PASSWORD", valueFrom: TEST_WIRING.valueFrom("MC_MAIL_PASSWORD") }],
      },
      { name: "mc-es", environment: [{ name: "ES_HEAP_SIZE", value: "2g" }] },
    ],
  };

  it("says how each is delivered, plain or referenced, never with its value", () => {
    expect([...secretDeliveries(revision)]).toEqual([
      ["METADATA_PASSWORD", { kind: "plain" }],
      ["MC_MAIL_PASSWORD", { kind: "reference", valueFrom: TEST_WIRING.valueFrom("MC_MAIL_PASSWORD") }],
    ]);
    expect(JSON.stringify([...secretDeliveries(revision)])).not.toContain("CANARY");
    expect(plainTextSecrets(revision)).toEqual(["METADATA_PASSWORD"]);
    expect(plainTextSecrets({ containerDefinitions: [] })).toEqual([]);
    expect(secretDeliveries(undefined).size).toBe(0);
  });

  it("gives the plain values of one container, the source of a migration", () => {
    expect(plainSecretValues(revision, "mc")).toEqual({ METADATA_PASSWORD: "CANARY-plain" });
    expect(plainSecretValues(revision, "mc-es")).toEqual({});
    expect(plainSecretValues(undefined, "mc")).toEqual({});
  });

  it("moves named plain values to references, with the execution role, keeping everything else", () => {
    const input: RegisterTaskDefinitionCommandInput = { family: "f", ...structuredClone(revision) };
    const moved = withSecretReferences(input, "mc", ["METADATA_PASSWORD"], TEST_WIRING);
    expect(moved.executionRoleArn).toBe(TEST_WIRING.executionRoleArn);
    expect(moved.containerDefinitions?.[0]).toEqual({
      name: "mc",
      environment: [{ name: "MC_NAME", value: "Catalogue" }],
      secrets: [
        { name: "MC_MAIL_PASSWORD", valueFrom: TEST_WIRING.valueFrom("MC_MAIL_PASSWORD") },
        { name: "METADATA_PASSWORD", valueFrom: TEST_WIRING.valueFrom("METADATA_PASSWORD") },
      ],
    });
    expect(moved.containerDefinitions?.[1]).toBe(input.containerDefinitions?.[1]);
    expect(JSON.stringify(moved)).not.toContain("CANARY");
    expect(withSecretReferences(revision, "mc", [], TEST_WIRING)).toBe(revision);
  });
});

describe("the edges of the secret rules", () => {
  it("reads paths, partitions and keys whole, not from somewhere inside the text", () => {
    expect(validateSecretPath("/")).toContain("between single slashes");
    expect(validateSecretPath("/team/aws")).toBeUndefined();
    const longest = `/${"p".repeat(1011 - "MC_SUPERVISOR_PASSWORD".length - 2)}`;
    expect(validateSecretPath(longest)).toBeUndefined();
    expect(validateSecretPath(`${longest}p`)).toContain("characters long");
    expect(partitionOf("see arn:aws-cn:sts::123456789012:x")).toBe("aws");
    const where = { partition: "aws", region: "eu-west-1", account: "123456789012" };
    const arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(kmsKeyArn(`x${arn}`, where)).toHaveProperty("problem");
    expect(kmsKeyArn(`${arn} `, where)).toHaveProperty("problem");
    expect(kmsKeyArn("arn:aws1:kms:eu-west-1:123456789012:key/abc", where)).toHaveProperty("problem");
    expect(kmsKeyArn("x/1234abcd-12ab-34cd-56ef-1234567890ab", where)).toHaveProperty("problem");
    expect(kmsKeyArn("1234abcd-12ab-34cd-56ef-1234567890ab/x", where)).toHaveProperty("problem");
    expect(kmsKeyArn("my/alias/mc", where)).toEqual({ problem: expect.stringContaining("not a key ARN") });
  });

  it("reads agent versions from their start, with numbers of any length", () => {
    expect(agentSecretsProblem("x1.22.0")).toBe("unknown");
    expect(agentSecretsProblem("10.0.0")).toBeUndefined();
    expect(agentSecretsProblem("1.100.0")).toBeUndefined();
    expect(agentSecretsProblem("1.22.10")).toBeUndefined();
    expect(agentSecretsProblem("1.21.100")).toBe("too-old");
  });

  it("skips entries without a name or a value, and compares nested policy keys in any order", () => {
    const revision = {
      containerDefinitions: [
        {
          name: "mc",
          environment: [
            { name: "METADATA_PASSWORD" },
            { value: "x" },
            { name: "MC_MAIL_PASSWORD", value: "" },
          ],
          secrets: [{ name: "MC_S3_KEY" } as { name: string; valueFrom: string }],
        },
      ],
    };
    expect([...secretDeliveries(revision)]).toEqual([["MC_MAIL_PASSWORD", { kind: "plain" }]]);
    expect(plainSecretValues(revision, "mc")).toEqual({});
    expect(samePolicy({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toBe(true);
    expect(samePolicy({ a: { x: 1, y: 2 } }, { a: { y: 1, x: 2 } })).toBe(false);
  });

  it("sorts the moved references with the kept ones, and drops an environment left empty", () => {
    const input: RegisterTaskDefinitionCommandInput = {
      family: "f",
      containerDefinitions: [
        {
          name: "mc",
          environment: [
            { name: "METADATA_PASSWORD", value: "a" },
            { name: "MC_MAIL_PASSWORD", value: "b" },
          ],
          secrets: [{ name: "MC_S3_KEY", valueFrom: "k" }],
        },
      ],
    };
    const moved = withSecretReferences(input, "mc", ["METADATA_PASSWORD", "MC_MAIL_PASSWORD"], TEST_WIRING);
    const mc = moved.containerDefinitions?.[0];
    expect(mc?.secrets?.map((secret) => secret.name)).toEqual([
      "MC_MAIL_PASSWORD",
      "MC_S3_KEY",
      "METADATA_PASSWORD",
    ]);
    expect(mc).not.toHaveProperty("environment");
  });
});

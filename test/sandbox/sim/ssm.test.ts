import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  HierarchyTypeMismatchException,
  InvalidFilterOption,
  InvalidKeyId,
  InvalidResourceId,
  ListTagsForResourceCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterPatternMismatchException,
  PutParameterCommand,
  SSMClient,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

let sim: SimulatedAws;
let ssm: SSMClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
  ssm = new SSMClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("PutParameter / GetParameter", () => {
  it("creates version 1, overwrites to 2, 3…, and keeps the history", async () => {
    const first = await ssm.send(
      new PutParameterCommand({ Name: "/mcctl/db-password", Value: "one", Type: "SecureString" }),
    );
    expect(first).toMatchObject({ Version: 1, Tier: "Standard" });
    await vi.advanceTimersByTimeAsync(60_000);
    await ssm.send(new PutParameterCommand({ Name: "/mcctl/db-password", Value: "two", Overwrite: true }));
    const third = await ssm.send(
      new PutParameterCommand({
        Name: "/mcctl/db-password",
        Value: "two",
        Type: "SecureString",
        Overwrite: true,
      }),
    );
    expect(third.Version).toBe(3); // the same value is a new version too

    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: "/mcctl/db-password", WithDecryption: true }),
    );
    expect(Parameter).toEqual({
      Name: "/mcctl/db-password",
      Type: "SecureString",
      Value: "two",
      Version: 3,
      LastModifiedDate: new Date(T0 + 60_000),
      ARN: "arn:aws:ssm:eu-west-1:111122223333:parameter/mcctl/db-password",
      DataType: "text",
    });
    expect(sim.ssm.parameter("/mcctl/db-password")).toMatchObject({
      value: "two",
      version: 3,
      keyId: "alias/aws/ssm",
      customerKeyArn: undefined,
      history: [
        { version: 1, value: "one", lastModified: new Date(T0) },
        { version: 2, value: "two" },
        { version: 3, value: "two" },
      ],
    });
    const second = await ssm.send(
      new GetParameterCommand({ Name: "/mcctl/db-password:1", WithDecryption: true }),
    );
    expect(second.Parameter).toMatchObject({ Value: "one", Version: 1, Selector: ":1" });
  });

  it("never returns a SecureString's value without decryption: an opaque ciphertext instead", async () => {
    sim.ssm.putParameterDirectly({ Name: "/mcctl/secret", Value: "hunter2", Type: "SecureString" });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: "/mcctl/secret" }));
    expect(Parameter?.Value).toMatch(/^AQICAH[A-Za-z0-9+/]+=*$/);
    expect(Parameter?.Value).not.toContain("hunter2");
    expect(Buffer.from(Parameter?.Value ?? "", "base64").toString("latin1")).not.toContain("hunter2");
    // A plain String is returned as it is either way.
    sim.ssm.putParameterDirectly({ Name: "/mcctl/url", Value: "https://x", Type: "String" });
    expect((await ssm.send(new GetParameterCommand({ Name: "/mcctl/url" }))).Parameter?.Value).toBe(
      "https://x",
    );
  });

  it("answers by ARN as well as by name", async () => {
    sim.ssm.putParameterDirectly({ Name: "/mcctl/url", Value: "https://x", Type: "String" });
    const arn = "arn:aws:ssm:eu-west-1:111122223333:parameter/mcctl/url";
    expect((await ssm.send(new GetParameterCommand({ Name: arn }))).Parameter?.Name).toBe("/mcctl/url");
    expect(sim.ssm.parameter(arn)?.value).toBe("https://x");
  });

  it("fails like SSM: exists without Overwrite, tags with Overwrite, too long, no type, not found", async () => {
    sim.ssm.putParameterDirectly({ Name: "/mcctl/x", Value: "v", Type: "String" });
    const exists = await failure(
      ssm.send(new PutParameterCommand({ Name: "/mcctl/x", Value: "w", Type: "String" })),
    );
    expect(exists).toBeInstanceOf(ParameterAlreadyExists);
    expect(exists).toMatchObject({
      message:
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      $metadata: { httpStatusCode: 400 },
    });

    const tagged = await failure(
      ssm.send(
        new PutParameterCommand({
          Name: "/mcctl/y",
          Value: "v",
          Type: "String",
          Overwrite: true,
          Tags: [{ Key: "a", Value: "b" }],
        }),
      ),
    );
    expect(tagged).toBeInstanceOf(ValidationException);
    expect((tagged as Error).message).toBe(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );

    const big = await failure(
      ssm.send(new PutParameterCommand({ Name: "/mcctl/big", Value: "x".repeat(4097), Type: "String" })),
    );
    expect((big as Error).message).toMatch(
      /^Standard tier parameters support a maximum parameter value of 4096 characters\./,
    );
    expect(
      sim.ssm.putParameterDirectly({ Name: "/mcctl/big", Value: "x".repeat(4096), Type: "String" }),
    ).toBe(1);

    const untyped = await failure(ssm.send(new PutParameterCommand({ Name: "/mcctl/new", Value: "v" })));
    expect(untyped).toMatchObject({
      name: "ValidationException",
      message: "A parameter type is required when you create a parameter.",
    });

    // SSM sends ParameterNotFound without a message: SDK v3 fills in "UnknownError".
    const missing = await failure(ssm.send(new GetParameterCommand({ Name: "/mcctl/nope" })));
    expect(missing).toBeInstanceOf(ParameterNotFound);
    expect(missing).toMatchObject({ name: "ParameterNotFound", message: "UnknownError" });
  });

  it("checks names: hierarchy with a leading slash, allowed characters, reserved prefixes, length with the ARN", async () => {
    const put = (Name: string) =>
      failure(ssm.send(new PutParameterCommand({ Name, Value: "v", Type: "String" })));
    for (const name of [
      "mcctl/x",
      "/mcctl//x",
      "/mcctl/x/",
      "/mc ctl",
      "/aws/x",
      "/AWS/x",
      "ssm-x",
      "/SSM/x",
      "awsome",
    ]) {
      const error = await put(name);
      expect(error, name).toBeInstanceOf(ValidationException);
      expect((error as Error).message, name).toMatch(
        /^Parameter name: can't be prefixed with "aws" or "ssm"/,
      );
    }
    expect(
      await put(`/${"a".repeat(1011 - "arn:aws:ssm:eu-west-1:111122223333:parameter/".length)}`),
    ).toBeUndefined();
    const tooLong = await put(
      `/${"b".repeat(1011 - "arn:aws:ssm:eu-west-1:111122223333:parameter/".length + 1)}`,
    );
    expect(tooLong).toBeInstanceOf(ValidationException);
    const deep = await put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join("/")}`);
    expect(deep).toMatchObject({ name: "HierarchyLevelLimitExceededException" });
    expect(await put("plain_name-1.0")).toBeUndefined();
    // Reading "/aws/…" (public parameters) is allowed; it is just not there.
    expect(await failure(ssm.send(new GetParameterCommand({ Name: "/aws/service/x" })))).toBeInstanceOf(
      ParameterNotFound,
    );
  });

  it("SecureString keys: alias/aws/ssm by default, customer keys once registered (by ARN, id or alias), InvalidKeyId otherwise", async () => {
    const put = (Name: string, KeyId?: string) =>
      ssm.send(new PutParameterCommand({ Name, Value: "s", Type: "SecureString", KeyId }));
    const unknown = await failure(put("/mcctl/a", KEY));
    expect(unknown).toBeInstanceOf(InvalidKeyId);
    expect((unknown as Error).message).toMatch(
      /^Key 'arn:aws:kms:eu-west-1:111122223333:key\/1234abcd-12ab-34cd-56ef-1234567890ab' does not exist \(Service: AWSKMS;/,
    );
    expect(await failure(put("/mcctl/a", "alias/mcctl"))).toMatchObject({
      name: "InvalidKeyId",
      message: expect.stringMatching(/^Alias arn:aws:kms:eu-west-1:111122223333:alias\/mcctl is not found\./),
    });

    expect(sim.ssm.addKmsKey("1234abcd-12ab-34cd-56ef-1234567890ab", { alias: "mcctl" })).toBe(KEY);
    await put("/mcctl/a", KEY);
    await put("/mcctl/b", "1234abcd-12ab-34cd-56ef-1234567890ab");
    await put("/mcctl/c", "alias/mcctl");
    await put("/mcctl/d");
    expect(sim.ssm.parameters().map((p) => [p.name, p.keyId, p.customerKeyArn])).toEqual([
      ["/mcctl/a", KEY, KEY],
      ["/mcctl/b", "1234abcd-12ab-34cd-56ef-1234567890ab", KEY],
      ["/mcctl/c", "alias/mcctl", KEY],
      ["/mcctl/d", "alias/aws/ssm", undefined],
    ]);
    const keyForString = await failure(
      ssm.send(new PutParameterCommand({ Name: "/mcctl/e", Value: "v", Type: "String", KeyId: KEY })),
    );
    expect(keyForString).toBeInstanceOf(ValidationException);
  });

  it("AllowedPattern, and no type change within a hierarchy", async () => {
    const mismatch = await failure(
      ssm.send(
        new PutParameterCommand({
          Name: "/mcctl/port",
          Value: "eighty",
          Type: "String",
          AllowedPattern: "^\\d+$",
        }),
      ),
    );
    expect(mismatch).toBeInstanceOf(ParameterPatternMismatchException);
    expect((mismatch as Error).message).toBe(
      "Parameter value, cannot be validated against allowedPattern: ^\\d+$",
    );
    sim.ssm.putParameterDirectly({ Name: "/mcctl/port", Value: "80", Type: "String" });
    const retyped = await failure(
      ssm.send(
        new PutParameterCommand({ Name: "/mcctl/port", Value: "80", Type: "SecureString", Overwrite: true }),
      ),
    );
    expect(retyped).toBeInstanceOf(HierarchyTypeMismatchException);
  });
});

describe("GetParameters / DeleteParameter(s)", () => {
  it("returns what exists and lists the rest as InvalidParameters; at most 10 names", async () => {
    sim.ssm.putParameterDirectly({ Name: "/mcctl/a", Value: "1", Type: "String" });
    sim.ssm.putParameterDirectly({ Name: "/mcctl/b", Value: "2", Type: "SecureString" });
    const output = await ssm.send(
      new GetParametersCommand({ Names: ["/mcctl/a", "/mcctl/missing", "/mcctl/b"], WithDecryption: true }),
    );
    expect(output.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ["/mcctl/a", "1"],
      ["/mcctl/b", "2"],
    ]);
    expect(output.InvalidParameters).toEqual(["/mcctl/missing"]);
    const eleven = Array.from({ length: 11 }, (_, i) => `/mcctl/p${i}`);
    expect(await failure(ssm.send(new GetParametersCommand({ Names: eleven })))).toBeInstanceOf(
      ValidationException,
    );
  });

  it("deletes one (ParameterNotFound when missing) or up to 10", async () => {
    for (const name of ["/mcctl/a", "/mcctl/b", "/mcctl/c"])
      sim.ssm.putParameterDirectly({ Name: name, Value: "v", Type: "String" });
    await ssm.send(new DeleteParameterCommand({ Name: "/mcctl/a" }));
    expect(sim.ssm.parameter("/mcctl/a")).toBeUndefined();
    expect(await failure(ssm.send(new DeleteParameterCommand({ Name: "/mcctl/a" })))).toBeInstanceOf(
      ParameterNotFound,
    );
    const output = await ssm.send(
      new DeleteParametersCommand({ Names: ["/mcctl/b", "/mcctl/a", "/mcctl/c"] }),
    );
    expect(output).toMatchObject({
      DeletedParameters: ["/mcctl/b", "/mcctl/c"],
      InvalidParameters: ["/mcctl/a"],
    });
    expect(sim.ssm.parameters()).toEqual([]);
  });
});

describe("DescribeParameters", () => {
  beforeEach(() => {
    sim.ssm.addKmsKey(KEY);
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/db/password",
      Value: "p",
      Type: "SecureString",
      KeyId: KEY,
      Description: "DB",
    });
    sim.ssm.putParameterDirectly({ Name: "/mcctl/db/user", Value: "u", Type: "String" });
    sim.ssm.putParameterDirectly({ Name: "/mcctl/s3-secret", Value: "s", Type: "SecureString" });
    sim.ssm.putParameterDirectly({ Name: "/other/x", Value: "x", Type: "StringList" });
    sim.ssm.putParameterDirectly({ Name: "top", Value: "t", Type: "String" });
  });

  const names = async (
    ParameterFilters: NonNullable<
      ConstructorParameters<typeof DescribeParametersCommand>[0]
    >["ParameterFilters"],
  ) =>
    (await ssm.send(new DescribeParametersCommand({ ParameterFilters, MaxResults: 50 }))).Parameters?.map(
      (p) => p.Name,
    );

  it("filters by Path (one level by default, or recursive), Name (Equals, BeginsWith) and Type", async () => {
    expect(await names([{ Key: "Path", Values: ["/mcctl"] }])).toEqual(["/mcctl/s3-secret"]);
    expect(await names([{ Key: "Path", Option: "Recursive", Values: ["/mcctl/"] }])).toEqual([
      "/mcctl/db/password",
      "/mcctl/db/user",
      "/mcctl/s3-secret",
    ]);
    expect(await names([{ Key: "Name", Values: ["/mcctl/db/user"] }])).toEqual(["/mcctl/db/user"]);
    expect(await names([{ Key: "Name", Option: "BeginsWith", Values: ["/mcctl/db"] }])).toEqual([
      "/mcctl/db/password",
      "/mcctl/db/user",
    ]);
    expect(
      await names([
        { Key: "Path", Option: "Recursive", Values: ["/"] },
        { Key: "Type", Values: ["SecureString"] },
      ]),
    ).toEqual(["/mcctl/db/password", "/mcctl/s3-secret"]);
    const bad = await failure(
      ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: "Path", Option: "Equals", Values: ["/"] }],
        }),
      ),
    );
    expect(bad).toBeInstanceOf(InvalidFilterOption);
    expect((bad as Error).message).toBe(
      "The following filter option is not valid: Equals. Valid options include: [Recursive, OneLevel].",
    );
  });

  it("renders metadata, never values; KeyId only for SecureStrings", async () => {
    const { Parameters = [] } = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: "Name", Values: ["/mcctl/db/password", "/mcctl/db/user"] }],
      }),
    );
    expect(Parameters).toEqual([
      {
        Name: "/mcctl/db/password",
        ARN: "arn:aws:ssm:eu-west-1:111122223333:parameter/mcctl/db/password",
        Type: "SecureString",
        KeyId: KEY,
        LastModifiedDate: new Date(T0),
        LastModifiedUser: "arn:aws:iam::111122223333:user/test",
        Description: "DB",
        Version: 1,
        Tier: "Standard",
        Policies: [],
        DataType: "text",
      },
      expect.not.objectContaining({ KeyId: expect.anything() }),
    ]);
    expect(JSON.stringify(Parameters)).not.toMatch(/"Value"/);
  });

  it("pages with MaxResults (default 10, at most 50) and NextToken", async () => {
    for (let i = 0; i < 12; i++)
      sim.ssm.putParameterDirectly({
        Name: `/many/p${String(i).padStart(2, "0")}`,
        Value: "v",
        Type: "String",
      });
    const filter = [{ Key: "Path", Values: ["/many"] }];
    const first = await ssm.send(new DescribeParametersCommand({ ParameterFilters: filter }));
    expect(first.Parameters).toHaveLength(10);
    const second = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: filter, NextToken: first.NextToken }),
    );
    expect(second.Parameters?.map((p) => p.Name)).toEqual(["/many/p10", "/many/p11"]);
    expect(second.NextToken).toBeUndefined();
    expect(await failure(ssm.send(new DescribeParametersCommand({ MaxResults: 51 })))).toBeInstanceOf(
      ValidationException,
    );
  });
});

describe("tags and faults", () => {
  it("tags a parameter with AddTagsToResource (ResourceType Parameter, ResourceId the name)", async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: "/mcctl/x",
        Value: "v",
        Type: "String",
        Tags: [{ Key: "app", Value: "mc" }],
      }),
    );
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "Parameter",
        ResourceId: "/mcctl/x",
        Tags: [
          { Key: "app", Value: "mcctl" },
          { Key: "env", Value: "prod" },
        ],
      }),
    );
    const { TagList } = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/mcctl/x" }),
    );
    expect(TagList).toEqual([
      { Key: "app", Value: "mcctl" },
      { Key: "env", Value: "prod" },
    ]);
    const missing = await failure(
      ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/nope" })),
    );
    expect(missing).toBeInstanceOf(InvalidResourceId);
  });

  it("logs calls under SSM and injects SSM's modeled ThrottlingException", async () => {
    sim.faults.inject({
      service: "SSM",
      command: "GetParameter",
      error: "throttling",
      match: (input) => input.Name === "/mcctl/x",
    });
    const throttled = await failure(ssm.send(new GetParameterCommand({ Name: "/mcctl/x" })));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(throttled).toMatchObject({ message: "Rate exceeded", $retryable: { throttling: true } });
    expect(sim.callsOf("GetParameter", "SSM").map((call) => call.input.Name)).toEqual(["/mcctl/x"]);
    sim.faults.inject({ service: "SSM", command: "PutParameter", error: "access-denied" });
    const denied = await failure(
      ssm.send(new PutParameterCommand({ Name: "/mcctl/x", Value: "v", Type: "String" })),
    );
    expect(denied).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        "ssm:PutParameter on resource: arn:aws:ssm:eu-west-1:111122223333:parameter/mcctl/x",
      ),
    });
  });
});

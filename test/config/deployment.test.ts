import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  adoptRevision,
  diffSettings,
  forgetDestroyed,
  withInputs,
  withSecretsStored,
} from "../../src/config/deployment.js";
import { gatherTaskInputs } from "../../src/config/task-inputs.js";
import { buildTaskDefinition } from "../../src/domain/task-definition.js";
import { diffTaskDefinitions } from "../../src/domain/task-definition-diff.js";
import { scriptedAsker } from "../helpers/asker.js";
import { TEST_WIRING } from "../helpers/secrets.js";

const JDBC = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const noQuestions = scriptedAsker({}).asker;

/** A revision as ECS describes it after registering `input`. */
function registered(input: ReturnType<typeof buildTaskDefinition>, revision: number): TaskDefinition {
  return {
    ...structuredClone(input),
    revision,
    status: "ACTIVE",
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${input.family}:${revision}`,
  } as TaskDefinition;
}

describe("adoptRevision", () => {
  it("describes a revision so that resolving the file again gives exactly that revision", async () => {
    const older = await gatherTaskInputs(
      {
        settings: {
          environment: {
            METADATA_HOST: "old.example.org",
            METADATA_JDBC_URL: JDBC,
            METADATA_USERNAME: "mc",
            MC_MAIL_HOST: "smtp.example.org",
            MC_MAIL_FROM: "mc@example.org",
          },
          mc: { image: "metadata/registry:2.0.0" },
        },
        env: { METADATA_PASSWORD: "old-pw" },
        interactive: false,
      },
      noQuestions,
    );
    const revision = registered(buildTaskDefinition(older.task, older.environment, TEST_WIRING), 3);
    // The file has moved on since (another host, no mail, a newer image); the rollback adopts revision 3.
    const file = {
      region: "eu-west-1",
      environment: { METADATA_HOST: "new.example.org", METADATA_JDBC_URL: JDBC, METADATA_USERNAME: "mc" },
      features: { mail: false, advanced: false },
      mc: { image: "metadata/registry:2.1.0" },
      taskDefinition: "model-catalogue:4",
    };
    const { settings, skipped } = adoptRevision(file, revision);
    expect(settings.taskDefinition).toBe("model-catalogue:3");
    expect(settings.region).toBe("eu-west-1");
    expect(settings.mc?.image).toBe("metadata/registry:2.0.0");
    expect(settings.features).toMatchObject({ mail: true, assets: false, advanced: false });
    expect(skipped).toEqual([]);
    expect(JSON.stringify(settings)).not.toContain("old-pw");

    const again = await gatherTaskInputs(
      { settings, env: {}, interactive: false, knownSecrets: { METADATA_PASSWORD: "old-pw" } },
      noQuestions,
    );
    expect(
      diffTaskDefinitions(revision, buildTaskDefinition(again.task, again.environment, TEST_WIRING)),
    ).toEqual([]);
  });

  it("names the variables of a revision that mcctl.json cannot hold", () => {
    const revision = {
      family: "model-catalogue",
      revision: 2,
      containerDefinitions: [
        { name: "mc", image: "metadata/registry:2", environment: [{ name: "SOMETHING_ELSE", value: "x" }] },
      ],
    } as TaskDefinition;
    expect(adoptRevision({}, revision).skipped).toEqual(["SOMETHING_ELSE"]);
  });
});

describe("withInputs and diffSettings", () => {
  it("replaces the described keys whole, so a variable dropped from the inputs leaves the file", () => {
    const before = {
      cluster: "prod",
      environment: { METADATA_HOST: "a.example.org", MC_MAIL_HOST: "smtp.example.org" },
      features: { mail: true, advanced: true },
    };
    const after = withInputs(before, {
      taskFamily: "model-catalogue",
      environment: { METADATA_HOST: "b.example.org" },
      features: { mail: false },
    });
    expect(after).toMatchObject({ cluster: "prod", features: { mail: false, advanced: true } });
    expect(after.environment).toEqual({ METADATA_HOST: "b.example.org" });
    expect(diffSettings(before, after)).toEqual([
      { key: "environment.MC_MAIL_HOST", before: "smtp.example.org" },
      { key: "environment.METADATA_HOST", before: "a.example.org", after: "b.example.org" },
      { key: "features.mail", before: true, after: false },
      { key: "taskFamily", after: "model-catalogue" },
    ]);
    expect(diffSettings(after, after)).toEqual([]);
  });

  it("drops secrets.deleted, every secret having been decided again, and keeps the rest of secrets", () => {
    const described = { taskFamily: "model-catalogue" };
    const after = withInputs({ secrets: { path: "/mc", deleted: ["MC_MAIL_PASSWORD"] } }, described);
    expect(after.secrets).toEqual({ path: "/mc" });
    expect(withInputs({ secrets: { deleted: ["MC_MAIL_PASSWORD"] } }, described).secrets).toBeUndefined();
  });
});

describe("forgetDestroyed", () => {
  const file = {
    region: "eu-west-1",
    taskDefinition: "model-catalogue:3",
    environment: { METADATA_HOST: "mc.example.org" },
    setup: {
      database: { identifier: "model-catalogue", create: true },
      instance: { type: "m5.xlarge", keyPair: false as const, instanceId: "i-0abc", securityGroupId: "sg-1" },
    },
  };

  it("forgets the revision, the instance and its group once they are gone, and keeps every answer", () => {
    expect(forgetDestroyed(file, { instance: true, securityGroups: ["sg-1", "sg-2"] })).toEqual({
      region: "eu-west-1",
      environment: { METADATA_HOST: "mc.example.org" },
      setup: {
        database: { identifier: "model-catalogue", create: true },
        instance: { type: "m5.xlarge", keyPair: false },
      },
    });
  });

  it("remembers an instance and a group that are still there", () => {
    const after = forgetDestroyed(file, { instance: false, securityGroups: ["sg-2"] });
    expect(after.setup?.instance).toEqual(file.setup.instance);
    expect(after.taskDefinition).toBeUndefined();
    expect(file.setup.instance.instanceId).toBe("i-0abc");
  });

  it("names the secrets it deleted, adding to the ones an earlier run named", () => {
    const earlier = { ...file, secrets: { path: "/mc", deleted: ["MC_S3_KEY"] } };
    const after = forgetDestroyed(earlier, {
      instance: true,
      securityGroups: [],
      secrets: ["METADATA_PASSWORD", "MC_S3_KEY"],
    });
    expect(after.secrets).toEqual({ path: "/mc", deleted: ["MC_S3_KEY", "METADATA_PASSWORD"] });
    expect(
      forgetDestroyed(file, { instance: true, securityGroups: [], secrets: [] }).secrets,
    ).toBeUndefined();
  });

  it("drops an instance section left empty, and leaves a file without setup alone", () => {
    expect(
      forgetDestroyed(
        { setup: { instance: { instanceId: "i-1", securityGroupId: "sg-1" } } },
        {
          instance: true,
          securityGroups: ["sg-1"],
        },
      ),
    ).toEqual({ setup: {} });
    expect(forgetDestroyed({ region: "eu-west-1" }, { instance: true, securityGroups: [] })).toEqual({
      region: "eu-west-1",
    });
  });
});

describe("withSecretsStored", () => {
  it("takes the secrets SSM holds again off secrets.deleted, and drops a list or section left empty", () => {
    const file = { secrets: { path: "/mc", deleted: ["MC_S3_KEY", "METADATA_PASSWORD"] } };
    expect(withSecretsStored(file, ["METADATA_PASSWORD"])).toEqual({
      secrets: { path: "/mc", deleted: ["MC_S3_KEY"] },
    });
    expect(withSecretsStored({ secrets: { deleted: ["METADATA_PASSWORD"] } }, ["METADATA_PASSWORD"])).toEqual(
      {},
    );
    expect(withSecretsStored(file, ["MC_MAIL_PASSWORD"])).toBe(file);
  });
});

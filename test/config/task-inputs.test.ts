import { describe, expect, it } from "vitest";
import { gatherTaskInputs, resolveTaskSettings } from "../../src/config/task-inputs.js";
import { MissingInputError, UsageError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";

const JDBC = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const fileEnvironment = { METADATA_HOST: "mc.example.com", METADATA_JDBC_URL: JDBC, METADATA_USERNAME: "mc" };
const noQuestions = scriptedAsker({}).asker;

describe("gatherTaskInputs without a terminal", () => {
  it("lists every missing value at once instead of asking", async () => {
    const attempt = gatherTaskInputs({ settings: {}, env: {}, interactive: false }, noQuestions);
    await expect(attempt).rejects.toBeInstanceOf(MissingInputError);
    await expect(attempt).rejects.toMatchObject({
      missing: ["METADATA_HOST", "METADATA_JDBC_URL", "METADATA_USERNAME", "METADATA_PASSWORD"],
      exitCode: 2,
    });
  });

  it("takes secrets from the environment and defaults for the rest", async () => {
    const inputs = await gatherTaskInputs(
      {
        settings: { environment: fileEnvironment },
        env: { METADATA_PASSWORD: "pw-from-env" },
        interactive: false,
      },
      noQuestions,
    );
    expect(inputs.environment).toMatchObject({
      ...fileEnvironment,
      METADATA_PASSWORD: "pw-from-env",
      MC_NAME: "Model Catalogue",
    });
    expect(inputs.environment.CATALINA_OPTS).toMatch(/-Xmx\d+[mg]/);
    expect(inputs.environment).not.toHaveProperty("MC_MAIL_HOST");
    expect(inputs.environment).not.toHaveProperty("MC_ALLOW_SIGNUP");
    expect(inputs.answers).toEqual({});
    expect(inputs.findings.map((finding) => finding.variable)).toContain("MC_SUPERVISOR_PASSWORD");
  });

  it("lets the environment win over the file", async () => {
    const inputs = await gatherTaskInputs(
      {
        settings: { environment: { ...fileEnvironment, MC_NAME: "From file" } },
        env: { METADATA_PASSWORD: "x", MC_NAME: "From env" },
        interactive: false,
      },
      noQuestions,
    );
    expect(inputs.environment.MC_NAME).toBe("From env");
  });

  it("rejects an invalid value from the environment, naming where it came from", async () => {
    const attempt = gatherTaskInputs(
      {
        settings: { environment: fileEnvironment },
        env: { METADATA_PASSWORD: "x", MC_ALLOW_SIGNUP: "false" },
        interactive: false,
      },
      noQuestions,
    );
    await expect(attempt).rejects.toThrow(/MC_ALLOW_SIGNUP \(from the environment\)/);
  });

  it("enables a switch stored as true and leaves it out when stored as false", async () => {
    const base = { ...fileEnvironment, MC_MAIL_HOST: "mx.example.com", MC_MAIL_FROM: "mc@example.com" };
    const on = await gatherTaskInputs(
      {
        settings: { environment: { ...base, MC_ALLOW_SIGNUP: true } },
        env: { METADATA_PASSWORD: "x" },
        interactive: false,
      },
      noQuestions,
    );
    expect(on.environment.MC_ALLOW_SIGNUP).toBe("true");
    const off = await gatherTaskInputs(
      {
        settings: { environment: { ...base, MC_ALLOW_SIGNUP: false } },
        env: { METADATA_PASSWORD: "x" },
        interactive: false,
      },
      noQuestions,
    );
    expect(off.environment).not.toHaveProperty("MC_ALLOW_SIGNUP");
  });

  it("refuses mail settings the app would ignore (no MC_MAIL_FROM), as the wiki's example has", async () => {
    const attempt = gatherTaskInputs(
      {
        settings: {
          environment: { ...fileEnvironment, MC_MAIL_HOST: "mx.example.com", MC_MAIL_PORT: "587" },
        },
        env: { METADATA_PASSWORD: "x" },
        interactive: false,
      },
      noQuestions,
    );
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(/MC_MAIL_FROM/);
  });
});

describe("gatherTaskInputs on a terminal", () => {
  it("asks for what is missing, in groups, and returns the non-secret answers to save", async () => {
    const { asker, asked } = scriptedAsker({
      METADATA_HOST: "catalogue.example.org",
      METADATA_SCHEME: undefined,
      MC_NAME: "Our Catalogue",
      MC_SUPERVISOR_EMAIL: "admin@example.org",
      MC_SUPERVISOR_PASSWORD: "s3cure-Pass",
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: "db-secret",
      "Send e-mail": true,
      MC_MAIL_HOST: "mx.example.org",
      MC_MAIL_PORT: undefined,
      MC_MAIL_USERNAME: "",
      MC_MAIL_PASSWORD: "",
      MC_MAIL_FROM: "catalogue@example.org",
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
      MC_ALLOW_SIGNUP: true,
    });
    const inputs = await gatherTaskInputs({ settings: {}, env: {}, interactive: true }, asker);
    expect(inputs.environment).toMatchObject({
      METADATA_HOST: "catalogue.example.org",
      METADATA_SCHEME: "http",
      MC_NAME: "Our Catalogue",
      METADATA_PASSWORD: "db-secret",
      MC_MAIL_FROM: "catalogue@example.org",
      MC_ALLOW_SIGNUP: "true",
    });
    expect(inputs.environment).not.toHaveProperty("MC_MAIL_PASSWORD");
    // Sign-up is offered only after mail is configured.
    const signupIndex = asked.findIndex((question) => question.includes("MC_ALLOW_SIGNUP"));
    const mailFromIndex = asked.findIndex((question) => question.includes("MC_MAIL_FROM"));
    expect(signupIndex).toBeGreaterThan(mailFromIndex);
    // Non-secret answers are returned for saving; secrets are not.
    const saved = JSON.stringify(inputs.answers);
    expect(inputs.answers.environment?.METADATA_HOST).toBe("catalogue.example.org");
    expect(inputs.answers.features).toMatchObject({ mail: true });
    expect(saved).not.toContain("db-secret");
    expect(saved).not.toContain("s3cure-Pass");
  });

  it("does not offer sign-up without mail, and asks nothing it already knows", async () => {
    const { asker, asked } = scriptedAsker({
      MC_SUPERVISOR_EMAIL: "",
      MC_SUPERVISOR_PASSWORD: "",
      "advanced settings": false,
    });
    await gatherTaskInputs(
      {
        settings: {
          environment: { ...fileEnvironment, MC_NAME: "X", METADATA_SCHEME: "https" },
          features: { mail: false, assets: false, google: false },
        },
        env: { METADATA_PASSWORD: "x" },
        interactive: true,
      },
      asker,
    );
    expect(asked.some((question) => question.includes("MC_ALLOW_SIGNUP"))).toBe(false);
    expect(asked.some((question) => question.includes("METADATA_HOST"))).toBe(false);
    expect(asked.some((question) => question.includes("Send e-mail") || question.includes("MC_MAIL_"))).toBe(
      false,
    );
  });
});

describe("resolveTaskSettings", () => {
  it("uses the family flag over the environment over the file over the default", () => {
    expect(resolveTaskSettings({}, {}).family).toBe("model-catalogue");
    expect(resolveTaskSettings({ taskFamily: "file" }, {}).family).toBe("file");
    expect(resolveTaskSettings({ taskFamily: "file" }, { MCCTL_TASK_FAMILY: "env" }).family).toBe("env");
    expect(resolveTaskSettings({ taskFamily: "file" }, { MCCTL_TASK_FAMILY: "env" }, "flag").family).toBe(
      "flag",
    );
  });

  it("derives the Elasticsearch heap from its memory unless given", () => {
    expect(resolveTaskSettings({ es: { memory: 6144 } }, {}).es.heapSize).toBe("3g");
    expect(resolveTaskSettings({ es: { memory: 6144, heapSize: "2g" } }, {}).es.heapSize).toBe("2g");
    expect(resolveTaskSettings({}, {}).es.heapSize).toBe("2g");
  });
});

describe("remembering answers", () => {
  it("remembers empty answers and the advanced choice, so a re-run asks only for secrets", async () => {
    const { asker } = scriptedAsker({
      METADATA_HOST: "mc.example.org",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      MC_SUPERVISOR_PASSWORD: "",
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: "pw",
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
    });
    const first = await gatherTaskInputs({ settings: {}, env: {}, interactive: true }, asker);
    expect(first.answers.environment).toMatchObject({
      MC_SUPERVISOR_EMAIL: false,
      MC_SUPERVISOR_PASSWORD: false,
    });
    expect(first.answers.features).toMatchObject({ advanced: false, mail: false });

    const second = scriptedAsker({ METADATA_PASSWORD: "pw" });
    const again = await gatherTaskInputs(
      { settings: first.answers, env: {}, interactive: true },
      second.asker,
    );
    expect(second.asked).toEqual([expect.stringContaining("METADATA_PASSWORD")]);
    expect(again.environment).not.toHaveProperty("MC_SUPERVISOR_EMAIL");
  });
});

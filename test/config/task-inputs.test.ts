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

  it("lists a secret destroy deleted as missing, unless SSM holds it again or mcctl.json says false", async () => {
    const settings = {
      environment: fileEnvironment,
      secrets: { deleted: ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD"] },
    };
    const attempt = gatherTaskInputs({ settings, env: {}, interactive: false }, noQuestions);
    await expect(attempt).rejects.toMatchObject({ missing: ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD"] });
    const kept = await gatherTaskInputs(
      {
        settings: { ...settings, environment: { ...fileEnvironment, MC_SUPERVISOR_PASSWORD: false } },
        env: {},
        interactive: false,
        knownSecrets: { METADATA_PASSWORD: "(stored in SSM)" },
      },
      noQuestions,
    );
    expect(kept.environment).not.toHaveProperty("MC_SUPERVISOR_PASSWORD");
    expect(kept.keptSecrets).toEqual(["METADATA_PASSWORD"]);
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
    // Everything it settled is described for mcctl.json, defaults included, and no secret.
    expect(inputs.settings.environment).toMatchObject({ ...fileEnvironment, MC_NAME: "Model Catalogue" });
    expect(JSON.stringify(inputs.settings)).not.toContain("pw-from-env");
    expect(inputs.findings.map((finding) => finding.variable)).toContain("MC_SUPERVISOR_PASSWORD");
  });

  it("stops warning about a bucket without its key pair once mcctl.json says the key is deliberately unset", async () => {
    const gather = (extra: Record<string, string | boolean>) =>
      gatherTaskInputs(
        {
          settings: { environment: { ...fileEnvironment, MC_S3_BUCKET: "mc-assets", ...extra } },
          env: { METADATA_PASSWORD: "x" },
          interactive: false,
        },
        noQuestions,
      );
    const warned = (await gather({})).findings.map((finding) => finding.variable);
    expect(warned).toContain("MC_S3_BUCKET");
    const quiet = await gather({ MC_S3_KEY: false });
    expect(quiet.findings.map((finding) => finding.variable)).not.toContain("MC_S3_BUCKET");
    // And the file keeps saying so.
    expect(quiet.settings.environment?.MC_S3_KEY).toBe(false);
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
    const saved = JSON.stringify(inputs.settings);
    expect(inputs.settings.environment?.METADATA_HOST).toBe("catalogue.example.org");
    expect(inputs.settings.features).toMatchObject({ mail: true });
    expect(saved).not.toContain("db-secret");
    expect(saved).not.toContain("s3cure-Pass");
  });

  it("does not offer sign-up without mail, and asks nothing it already knows", async () => {
    const { asker, asked } = scriptedAsker({
      "Review or change": false,
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
    expect(first.settings.environment).toMatchObject({
      MC_SUPERVISOR_EMAIL: false,
      MC_SUPERVISOR_PASSWORD: false,
    });
    expect(first.settings.features).toMatchObject({ advanced: false, mail: false });

    // A re-run offers a review of what is remembered (declined here) and asks only the unknown secret.
    const second = scriptedAsker({ "Review or change": false, METADATA_PASSWORD: "pw" });
    const again = await gatherTaskInputs(
      { settings: first.settings, env: {}, interactive: true },
      second.asker,
    );
    expect(second.asked).toEqual([
      expect.stringContaining("Review or change"),
      expect.stringContaining("METADATA_PASSWORD"),
    ]);
    expect(again.environment).not.toHaveProperty("MC_SUPERVISOR_EMAIL");
  });
});

describe("one truth: what gatherTaskInputs describes is what it resolves again", () => {
  const firstRun = () =>
    scriptedAsker({
      METADATA_HOST: "mc.example.org",
      METADATA_SCHEME: "https",
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "ops@example.org",
      MC_SUPERVISOR_PASSWORD: "sup-Secret-1",
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: "db-Secret-1",
      "Send e-mail": true,
      MC_MAIL_HOST: "smtp.example.org",
      MC_MAIL_PORT: undefined,
      MC_MAIL_USERNAME: "",
      MC_MAIL_PASSWORD: "",
      MC_MAIL_FROM: "mc@example.org",
      "Amazon S3?": true,
      MC_S3_BUCKET: "assets-bucket",
      MC_S3_REGION: undefined,
      MC_S3_KEY: "AKIAEXAMPLE",
      MC_S3_SECRET: "s3-Secret-1",
      "log in with Google": false,
      MC_ALLOW_SIGNUP: false,
      "advanced settings": true,
      MC_ADMIN_EMAIL: "",
      MC_SECURED_REVERSE_PROXY: true,
      MC_MAX_ACTIVE_USERS: "50",
      MC_WELCOME_JUMBO: "",
      MC_WELCOME_INFO: "",
      MC_ES_ELEMENTS_PER_BATCH: undefined,
      MC_ES_DELAY_AFTER_BATCH: undefined,
      CATALINA_OPTS: undefined,
    });

  it("the saved description, with the secrets ECS holds, resolves to the same environment without a question", async () => {
    const first = await gatherTaskInputs(
      { settings: {}, env: {}, interactive: true, region: "eu-west-1" },
      firstRun().asker,
    );
    const secrets = Object.fromEntries(
      ["METADATA_PASSWORD", "MC_SUPERVISOR_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET"].map((name) => [
        name,
        first.environment[name] as string,
      ]),
    );
    const again = await gatherTaskInputs(
      { settings: first.settings, env: {}, interactive: false, knownSecrets: secrets, region: "us-east-1" },
      noQuestions,
    );
    expect(again.environment).toEqual(first.environment);
    expect(again.settings).toEqual(first.settings);
    expect(again.keptSecrets.sort()).toEqual(Object.keys(secrets).sort());
    // Nothing secret is described, but every variable left empty is, so no default creeps in later.
    expect(JSON.stringify(first.settings)).not.toMatch(/Secret-1|AKIAEXAMPLE/);
    expect(first.settings.environment).toMatchObject({ MC_ADMIN_EMAIL: false, MC_MAIL_PASSWORD: false });
    expect(first.settings.environment?.MC_S3_REGION).toBe("eu-west-1");
  });

  it("a variable from the environment wins over the file and is what is described afterwards", async () => {
    const inputs = await gatherTaskInputs(
      {
        settings: { environment: fileEnvironment },
        env: { METADATA_PASSWORD: "x", METADATA_HOST: "new.example.org" },
        interactive: false,
      },
      noQuestions,
    );
    expect(inputs.environment.METADATA_HOST).toBe("new.example.org");
    expect(inputs.settings.environment?.METADATA_HOST).toBe("new.example.org");
  });

  it("a variable the environment sets replaces the secret ECS holds, and is not reported as kept", async () => {
    const inputs = await gatherTaskInputs(
      {
        settings: { environment: fileEnvironment },
        env: { METADATA_PASSWORD: "new" },
        interactive: false,
        knownSecrets: { METADATA_PASSWORD: "old", MC_SUPERVISOR_PASSWORD: "sup" },
      },
      noQuestions,
    );
    expect(inputs.environment).toMatchObject({ METADATA_PASSWORD: "new", MC_SUPERVISOR_PASSWORD: "sup" });
    expect(inputs.keptSecrets).toEqual(["MC_SUPERVISOR_PASSWORD"]);
  });

  it("a secret left unset in mcctl.json (false) stays unset even though ECS holds one", async () => {
    const inputs = await gatherTaskInputs(
      {
        settings: { environment: { ...fileEnvironment, MC_SUPERVISOR_PASSWORD: false } },
        env: { METADATA_PASSWORD: "x" },
        interactive: false,
        knownSecrets: { MC_SUPERVISOR_PASSWORD: "sup" },
      },
      noQuestions,
    );
    expect(inputs.environment).not.toHaveProperty("MC_SUPERVISOR_PASSWORD");
  });

  it("uses what setup derived when nothing else says, and warns when mcctl.json says otherwise", async () => {
    const derived = {
      METADATA_JDBC_URL: JDBC.replace("db.example.com", "rds.example.com"),
      METADATA_USERNAME: "admin",
    };
    const inputs = await gatherTaskInputs(
      {
        settings: { environment: { METADATA_HOST: "mc.example.com", METADATA_JDBC_URL: JDBC } },
        env: { METADATA_PASSWORD: "x" },
        interactive: false,
        derived,
      },
      noQuestions,
    );
    expect(inputs.environment.METADATA_USERNAME).toBe("admin");
    expect(inputs.environment.METADATA_JDBC_URL).toBe(JDBC);
    expect(inputs.findings).toContainEqual(
      expect.objectContaining({
        variable: "METADATA_JDBC_URL",
        message: expect.stringMatching(/mcctl\.json wins/),
      }),
    );
  });
});

describe("gatherTaskInputs: a review on a terminal re-run", () => {
  it("asks every remembered question again with the remembered answer as its default", async () => {
    const texts: { message: string; defaultValue?: string }[] = [];
    const { asker } = scriptedAsker({
      "Review or change": true,
      METADATA_HOST: "changed.example.org",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: undefined,
      MC_SUPERVISOR_PASSWORD: "",
      METADATA_JDBC_URL: undefined,
      METADATA_USERNAME: undefined,
      METADATA_PASSWORD: "",
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
    });
    const recording = {
      ...asker,
      askText: async (question: Parameters<typeof asker.askText>[0]) => {
        texts.push({ message: question.message, defaultValue: question.defaultValue });
        return asker.askText(question);
      },
    };
    const inputs = await gatherTaskInputs(
      {
        settings: {
          environment: {
            ...fileEnvironment,
            METADATA_SCHEME: "https",
            MC_NAME: "Ours",
            MC_SUPERVISOR_EMAIL: false,
          },
          features: { mail: false, assets: false, google: false, advanced: false },
        },
        env: {},
        interactive: true,
        knownSecrets: { METADATA_PASSWORD: "kept-pw", MC_SUPERVISOR_PASSWORD: "kept-sup" },
      },
      recording,
    );
    expect(texts.find((text) => text.message.includes("MC_NAME"))?.defaultValue).toBe("Ours");
    // A remembered "left unset" is offered as empty, not as the variable's default.
    expect(texts.find((text) => text.message.includes("MC_SUPERVISOR_EMAIL"))?.defaultValue).toBeUndefined();
    expect(inputs.environment).toMatchObject({
      METADATA_HOST: "changed.example.org",
      METADATA_SCHEME: "https",
      MC_NAME: "Ours",
      // An empty answer keeps a secret ECS holds.
      METADATA_PASSWORD: "kept-pw",
      MC_SUPERVISOR_PASSWORD: "kept-sup",
    });
    expect(inputs.settings.environment?.METADATA_HOST).toBe("changed.example.org");
  });
});

describe("gatherTaskInputs: warnings beside the questions they concern", () => {
  it("does not ask for the S3 secret once the key was left empty, and warns before the next group", async () => {
    const events: string[] = [];
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
      "Amazon S3?": true,
      MC_S3_BUCKET: "assets-bucket",
      MC_S3_REGION: undefined,
      MC_S3_KEY: "",
      "log in with Google": false,
      "advanced settings": false,
    });
    const logged = {
      ...asker,
      askText: async (question: Parameters<typeof asker.askText>[0]) => {
        events.push(`ask ${question.message}`);
        return asker.askText(question);
      },
      askSecret: async (question: Parameters<typeof asker.askSecret>[0]) => {
        events.push(`ask ${question.message}`);
        return asker.askSecret(question);
      },
      askConfirm: async (message: string, fallback?: boolean) => {
        events.push(`ask ${message}`);
        return asker.askConfirm(message, fallback);
      },
    };
    await gatherTaskInputs(
      {
        settings: {},
        env: {},
        interactive: true,
        notify: (finding) => events.push(`warn ${finding.variable}`),
      },
      logged,
    );
    expect(events.some((event) => event.includes("MC_S3_SECRET"))).toBe(false);
    const index = (pattern: RegExp) => events.findIndex((event) => pattern.test(event));
    // The supervisor-password warning comes right after the application questions, before the database ones.
    expect(index(/^warn MC_SUPERVISOR_PASSWORD/)).toBeGreaterThan(index(/^ask .*MC_SUPERVISOR_PASSWORD/));
    expect(index(/^warn MC_SUPERVISOR_PASSWORD/)).toBeLessThan(index(/^ask .*METADATA_JDBC_URL/));
    // The S3 warning comes right after the S3 questions, before Google's.
    expect(index(/^warn MC_S3_BUCKET/)).toBeGreaterThan(index(/^ask .*MC_S3_KEY/));
    expect(index(/^warn MC_S3_BUCKET/)).toBeLessThan(index(/^ask .*Google/));
  });
});

describe("the review question on a terminal re-run", () => {
  const settings = { environment: fileEnvironment, features: { mail: false, assets: false, google: false } };
  const secrets = { METADATA_PASSWORD: "Review-Pass-1", MC_SUPERVISOR_PASSWORD: "Review-Sup-1" };

  it("says the remembered settings are mcctl.json's", async () => {
    const script = scriptedAsker({ "Review or change them?": false, "": undefined });
    await gatherTaskInputs({ settings, env: secrets, interactive: true }, script.asker);
    expect(script.asked).toContain("mcctl remembers 3 settings in mcctl.json. Review or change them?");
  });

  it("says where they come from when the revision in service was adopted", async () => {
    const script = scriptedAsker({ "Review or change them?": false, "": undefined });
    await gatherTaskInputs(
      { settings, env: secrets, interactive: true, adoptedFrom: "model-catalogue:3" },
      script.asker,
    );
    expect(script.asked).toContain(
      "mcctl remembers 3 settings (mcctl.json and model-catalogue:3, in service). Review or change them?",
    );
  });
});

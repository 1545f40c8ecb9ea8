import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { McEnvironment } from "../../src/domain/environment.js";
import { analyseCatalinaOpts, suggestCatalinaOpts } from "../../src/domain/jvm.js";
import { checkEnvironment, type Finding } from "../../src/domain/rules.js";

interface SeedFixture {
  containerDefinitions: { name: string; environment: { name: string; value: string }[] }[];
}

const seed = JSON.parse(
  readFileSync(new URL("../fixtures/seed-task-definition.json", import.meta.url), "utf8"),
) as SeedFixture;
const SEED_ENV: McEnvironment = Object.fromEntries(
  (seed.containerDefinitions.find((container) => container.name === "mc")?.environment ?? []).map((entry) => [
    entry.name,
    entry.value,
  ]),
);
const SEED_OPTS = SEED_ENV.CATALINA_OPTS ?? "";
const CONTEXT = { mcMemoryMiB: 10240 };
const CANARY = "canary-Pa55-9d1e";

/** Sound in every respect, so that each test shows the one finding its change causes. */
const GOOD_ENV: McEnvironment = {
  METADATA_HOST: "catalogue.example.com",
  METADATA_JDBC_URL:
    "jdbc:mysql://db.example.com:3306/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8",
  METADATA_USERNAME: "metadata",
  METADATA_PASSWORD: "strongpwd",
  MC_SUPERVISOR_PASSWORD: "not-the-default",
};

function check(env: McEnvironment, mcMemoryMiB = 10240): Finding[] {
  return checkEnvironment(env, { mcMemoryMiB });
}

function summary(findings: Finding[]): string[] {
  return findings.map((finding) => `${finding.severity} ${finding.variable}`);
}

function without(env: McEnvironment, ...names: string[]): McEnvironment {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

describe("checkEnvironment", () => {
  it("finds nothing wrong with a sound environment", () => {
    expect(check(GOOD_ENV)).toEqual([]);
  });

  it("finds everything wrong with the seed's environment", () => {
    expect(SEED_ENV).not.toHaveProperty("MC_MAIL_FROM");
    expect(summary(checkEnvironment(SEED_ENV, CONTEXT))).toEqual([
      "error MC_MAIL_FROM",
      "error MC_ALLOW_SIGNUP",
      "warning CATALINA_OPTS",
      "warning MC_SUPERVISOR_PASSWORD",
    ]);
  });

  it("writes every message on a single line", () => {
    const findings = check({ ...SEED_ENV, MC_GOOGLE_KEY: "x", MC_S3_KEY: "", MC_MAIL_PORT: "x" });
    expect(findings.length).toBeGreaterThan(4);
    for (const finding of findings) expect(finding.message).not.toMatch(/\n/);
  });

  it("lists errors before warnings", () => {
    const severities = check({ ...SEED_ENV, FOO: "bar" }).map((finding) => finding.severity);
    expect(severities).toEqual([...severities].sort());
  });

  it("never puts a secret value into a finding", () => {
    const env: McEnvironment = {
      METADATA_PASSWORD: ` ${CANARY}`,
      MC_MAIL_PASSWORD: `${CANARY} `,
      MC_S3_KEY: `${CANARY} a`,
      MC_S3_SECRET: CANARY,
      MC_GOOGLE_SECRET: `${CANARY} b`,
      MC_SUPERVISOR_PASSWORD: `${CANARY}\t`,
      SOME_OTHER_PASSWORD: CANARY,
    };
    const findings = check(env);
    expect(findings.length).toBeGreaterThan(0);
    expect(JSON.stringify(findings)).not.toContain(CANARY);
  });

  describe("each variable's own validation", () => {
    it("is an error naming the variable", () => {
      const findings = check({ ...GOOD_ENV, MC_MAIL_PORT: "smtp", MC_MAIL_HOST: "mx_1", MC_MAIL_FROM: "x" });
      expect(findings).toEqual([
        {
          severity: "error",
          variable: "MC_MAIL_HOST",
          message: expect.stringMatching(/"mx_1" is not a valid host/),
        },
        { severity: "error", variable: "MC_MAIL_PORT", message: expect.stringMatching(/whole number/) },
        { severity: "error", variable: "MC_MAIL_FROM", message: expect.stringMatching(/not an e-mail/) },
      ]);
    });

    it("catches a switch set to false", () => {
      const findings = check({
        ...GOOD_ENV,
        MC_SECURED_REVERSE_PROXY: "false",
      });
      expect(findings).toEqual([
        {
          severity: "error",
          variable: "MC_SECURED_REVERSE_PROXY",
          message: expect.stringMatching(/"false" would turn it ON/),
        },
      ]);
    });

    it("checks a variable even when it is set to an empty string", () => {
      expect(summary(check({ ...GOOD_ENV, MC_NAME: "" }))).toEqual(["error MC_NAME"]);
    });
  });

  it("warns about variables the image does not read", () => {
    expect(check({ ...GOOD_ENV, MC_MAIL_FORM: "x@example.com" })).toEqual([
      { severity: "warning", variable: "MC_MAIL_FORM", message: expect.stringMatching(/check the spelling/) },
    ]);
  });

  it.each(["METADATA_HOST", "METADATA_JDBC_URL", "METADATA_USERNAME", "METADATA_PASSWORD"])(
    "requires %s",
    (name) => {
      expect(check(without(GOOD_ENV, name))).toEqual([
        { severity: "error", variable: name, message: expect.stringMatching(/^is required but not set: /) },
      ]);
    },
  );

  describe("mail", () => {
    const WORKING_MAIL = { MC_MAIL_HOST: "mx.example.com", MC_MAIL_FROM: "catalogue@example.com" };

    it("is fine with MC_MAIL_FROM and MC_MAIL_HOST, with or without the rest", () => {
      expect(check({ ...GOOD_ENV, ...WORKING_MAIL })).toEqual([]);
      expect(
        check({
          ...GOOD_ENV,
          ...WORKING_MAIL,
          MC_MAIL_PORT: "587",
          MC_MAIL_USERNAME: "postmaster@example.com",
          MC_MAIL_PASSWORD: "pw",
        }),
      ).toEqual([]);
    });

    it("is an error when MC_MAIL_FROM is missing, as in the seed", () => {
      const findings = check({ ...GOOD_ENV, MC_MAIL_HOST: "mx.example.com", MC_MAIL_PORT: "587" });
      expect(summary(findings)).toEqual(["error MC_MAIL_FROM"]);
      expect(findings[0]?.message).toMatch(/ignores every mail setting \(MC_MAIL_HOST, MC_MAIL_PORT\)/);
      expect(findings[0]?.message).toMatch(/set both MC_MAIL_FROM and MC_MAIL_HOST/);
    });

    it("is an error when MC_MAIL_HOST is missing", () => {
      expect(summary(check({ ...GOOD_ENV, MC_MAIL_FROM: "catalogue@example.com" }))).toEqual([
        "error MC_MAIL_HOST",
      ]);
    });

    it.each(["MC_MAIL_PORT", "MC_MAIL_USERNAME", "MC_MAIL_PASSWORD"])(
      "names both missing variables when only %s is set",
      (name) => {
        const value = name === "MC_MAIL_PORT" ? "25" : "x";
        expect(summary(check({ ...GOOD_ENV, [name]: value }))).toEqual([
          "error MC_MAIL_FROM",
          "error MC_MAIL_HOST",
        ]);
      },
    );
  });

  describe("sign-up", () => {
    it("is an error without working mail", () => {
      const findings = check({ ...GOOD_ENV, MC_ALLOW_SIGNUP: "true" });
      expect(findings).toEqual([
        {
          severity: "error",
          variable: "MC_ALLOW_SIGNUP",
          message: expect.stringMatching(/confirmation e-mail .* without MC_MAIL_FROM and MC_MAIL_HOST/),
        },
      ]);
    });

    it("names only the missing half of the mail settings", () => {
      const findings = check({ ...GOOD_ENV, MC_ALLOW_SIGNUP: "true", MC_MAIL_HOST: "mx.example.com" });
      const signup = findings.find((finding) => finding.variable === "MC_ALLOW_SIGNUP");
      expect(signup?.message).toMatch(/without MC_MAIL_FROM;/);
    });

    it("is fine with working mail", () => {
      expect(
        check({
          ...GOOD_ENV,
          MC_ALLOW_SIGNUP: "true",
          MC_MAIL_HOST: "mx.example.com",
          MC_MAIL_FROM: "catalogue@example.com",
        }),
      ).toEqual([]);
    });
  });

  describe("CATALINA_OPTS", () => {
    it("warns with the numbers and a fitting suggestion when the JVM outgrows the container", () => {
      const findings = check({ ...GOOD_ENV, CATALINA_OPTS: SEED_OPTS });
      expect(findings).toEqual([
        {
          severity: "warning",
          variable: "CATALINA_OPTS",
          message: expect.stringContaining(
            "-Xmx10g + MaxPermSize 2048m + ~1024m JVM overhead needs 13312 MiB but the mc container has " +
              "10240 MiB; it will be OOM-killed",
          ),
          suggestion: suggestCatalinaOpts(SEED_OPTS, 10240),
        },
      ]);
      expect(analyseCatalinaOpts(findings[0]?.suggestion ?? "", 10240).fits).toBe(true);
    });

    it("depends on the mc container's memory", () => {
      expect(check({ ...GOOD_ENV, CATALINA_OPTS: SEED_OPTS }, 13312)).toEqual([]);
      expect(summary(check({ ...GOOD_ENV, CATALINA_OPTS: "-Xmx2g" }, 2048))).toEqual([
        "warning CATALINA_OPTS",
      ]);
    });

    it("offers no suggestion when the container is too small for any JVM", () => {
      const findings = check({ ...GOOD_ENV, CATALINA_OPTS: "-Xmx1g" }, 512);
      expect(findings).toEqual([
        {
          severity: "warning",
          variable: "CATALINA_OPTS",
          message: expect.stringMatching(/too small for the JVM, give it more memory$/),
        },
      ]);
    });

    it("reports inconsistent options as errors, separately from the fit", () => {
      expect(summary(check({ ...GOOD_ENV, CATALINA_OPTS: "-Xms2g -Xmx1g" }))).toEqual([
        "error CATALINA_OPTS",
      ]);
    });
  });

  it("warns that the supervisor password falls back to the well-known default", () => {
    expect(check(without(GOOD_ENV, "MC_SUPERVISOR_PASSWORD"))).toEqual([
      {
        severity: "warning",
        variable: "MC_SUPERVISOR_PASSWORD",
        message: expect.stringMatching(/falls back to the well-known password "supervisor"/),
      },
    ]);
  });

  describe("S3", () => {
    const BUCKET = { MC_S3_BUCKET: "mc.assets.example.com" };

    it("is fine with bucket, key and secret", () => {
      expect(
        check({
          ...GOOD_ENV,
          ...BUCKET,
          MC_S3_KEY: "AKIAEXAMPLE",
          MC_S3_SECRET: "s",
          MC_S3_REGION: "eu-west-1",
        }),
      ).toEqual([]);
    });

    it("warns about a bucket without credentials", () => {
      expect(check({ ...GOOD_ENV, ...BUCKET })).toEqual([
        {
          severity: "warning",
          variable: "MC_S3_BUCKET",
          message: expect.stringMatching(/without MC_S3_KEY and MC_S3_SECRET/),
        },
      ]);
    });

    it("names the command that sets the pair and the mcctl.json key that says it is deliberate", () => {
      const [finding] = check({ ...GOOD_ENV, ...BUCKET });
      expect(finding?.message).toContain("`MC_S3_KEY=… MC_S3_SECRET=… mcctl register-task`");
      expect(finding?.message).toContain('"environment": {"MC_S3_KEY": false}');
    });

    it("says nothing more once mcctl.json says the key is deliberately unset", () => {
      const unsetOnPurpose = new Set(["MC_S3_KEY"]);
      expect(checkEnvironment({ ...GOOD_ENV, ...BUCKET }, { mcMemoryMiB: 10240, unsetOnPurpose })).toEqual(
        [],
      );
      // A key pair half given is still an error.
      expect(
        summary(
          checkEnvironment(
            { ...GOOD_ENV, ...BUCKET, MC_S3_SECRET: "s" },
            { mcMemoryMiB: 10240, unsetOnPurpose },
          ),
        ),
      ).toEqual(["error MC_S3_KEY"]);
    });

    it("is an error to give a key without its secret, or the other way round", () => {
      expect(summary(check({ ...GOOD_ENV, ...BUCKET, MC_S3_KEY: "AKIAEXAMPLE" }))).toEqual([
        "error MC_S3_SECRET",
      ]);
      expect(summary(check({ ...GOOD_ENV, ...BUCKET, MC_S3_SECRET: "s" }))).toEqual(["error MC_S3_KEY"]);
    });

    it("warns that S3 settings without a bucket are ignored", () => {
      expect(
        summary(
          check({ ...GOOD_ENV, MC_S3_KEY: "AKIAEXAMPLE", MC_S3_SECRET: "s", MC_S3_REGION: "eu-west-1" }),
        ),
      ).toEqual(["warning MC_S3_REGION", "warning MC_S3_KEY", "warning MC_S3_SECRET"]);
    });
  });

  describe("Google login", () => {
    it("needs both key and secret", () => {
      expect(check({ ...GOOD_ENV, MC_GOOGLE_KEY: "client-id", MC_GOOGLE_SECRET: "s" })).toEqual([]);
      expect(summary(check({ ...GOOD_ENV, MC_GOOGLE_KEY: "client-id" }))).toEqual(["error MC_GOOGLE_SECRET"]);
      expect(summary(check({ ...GOOD_ENV, MC_GOOGLE_SECRET: "s" }))).toEqual(["error MC_GOOGLE_KEY"]);
    });
  });

  describe("what each pair rule says, word for word (the operator reads it in the plan)", () => {
    const BUCKET = { MC_S3_BUCKET: "mc.assets.example.com" };
    const messages = (env: McEnvironment) =>
      check({ ...GOOD_ENV, ...env }).map(
        (finding) => `${finding.severity} ${finding.variable} ${finding.message}`,
      );

    it.each<[string, McEnvironment, string[]]>([
      [
        "an S3 key without its secret",
        { ...BUCKET, MC_S3_KEY: "AKIAEXAMPLE" },
        ["error MC_S3_SECRET is not set but MC_S3_KEY is; the app needs both to reach the S3 bucket"],
      ],
      [
        'an S3 secret with an empty key (the app reads "" as unset)',
        { ...BUCKET, MC_S3_KEY: "", MC_S3_SECRET: "s" },
        [
          "error MC_S3_KEY is empty; give a value, or leave the variable out to keep it unset",
          "error MC_S3_KEY is not set but MC_S3_SECRET is; the app needs both to reach the S3 bucket",
        ],
      ],
      [
        "a bucket without the key pair",
        BUCKET,
        [
          'warning MC_S3_BUCKET is set without MC_S3_KEY and MC_S3_SECRET; the app expects that key pair to reach the bucket and may not fall back to the instance role, so uploads can fail; set both (`MC_S3_KEY=… MC_S3_SECRET=… mcctl register-task` stores them in SSM), or, when the instance role is meant to reach the bucket, say so in mcctl.json: "environment": {"MC_S3_KEY": false}',
        ],
      ],
      [
        "an S3 region without a bucket",
        { MC_S3_REGION: "eu-west-1" },
        ["warning MC_S3_REGION is ignored because MC_S3_BUCKET is not set; set the bucket or leave this out"],
      ],
      [
        "a Google key without its secret",
        { MC_GOOGLE_KEY: "client-id" },
        ["error MC_GOOGLE_SECRET is not set but MC_GOOGLE_KEY is; Google login needs both"],
      ],
      [
        "a Google secret without its key",
        { MC_GOOGLE_SECRET: "s", MC_GOOGLE_KEY: "" },
        [
          "error MC_GOOGLE_KEY is empty; give a value, or leave the variable out to keep it unset",
          "error MC_GOOGLE_KEY is not set but MC_GOOGLE_SECRET is; Google login needs both",
        ],
      ],
      [
        "sign-up without mail",
        { MC_ALLOW_SIGNUP: "true" },
        [
          "error MC_ALLOW_SIGNUP sign-up sends a confirmation e-mail but mail cannot work without MC_MAIL_FROM and MC_MAIL_HOST; set up mail or leave MC_ALLOW_SIGNUP out",
        ],
      ],
      [
        "a blank CATALINA_OPTS: an error of its own, and no memory finding",
        { CATALINA_OPTS: "  " },
        ["error CATALINA_OPTS is empty; give a value, or leave the variable out to keep it unset"],
      ],
    ])("%s", (_case, env, expected) => {
      expect(messages(env)).toEqual(expected);
    });

    it("an empty supervisor password is no password: the warning names the fallback", () => {
      expect(messages({ MC_SUPERVISOR_PASSWORD: "" })).toEqual([
        "error MC_SUPERVISOR_PASSWORD is empty; give a value, or leave the variable out to keep it unset",
        'warning MC_SUPERVISOR_PASSWORD is not set, so the app falls back to the well-known password "supervisor" and anyone can log in as supervisor; set MC_SUPERVISOR_PASSWORD',
      ]);
    });
  });
});

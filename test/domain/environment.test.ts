import { describe, expect, it } from "vitest";
import {
  appUrl,
  buildJdbcUrl,
  GROUPS,
  isSecretVariable,
  parseJdbcUrl,
  SWITCH_ON_VALUE,
  VARIABLES,
  type VariableSpec,
  validateEmail,
  validateHostName,
  validateS3BucketName,
  variableSpec,
} from "../../src/domain/environment.js";
import { quote } from "../../src/domain/formats.js";

const CANARY = "canary-S3cr3t-value-7f3a";

function spec(name: string): VariableSpec {
  const found = variableSpec(name);
  if (found === undefined) throw new Error(`no spec for ${name}`);
  return found;
}

function validate(name: string, value: string): string | undefined {
  return spec(name).validate(value);
}

const EXPECTED_VARIABLES: Record<
  string,
  { group: string; secret?: boolean; isSwitch?: boolean; required?: boolean }
> = {
  MC_NAME: { group: "application" },
  METADATA_HOST: { group: "application", required: true },
  METADATA_SCHEME: { group: "application" },
  MC_ALLOW_SIGNUP: { group: "application", isSwitch: true },
  MC_SUPERVISOR_EMAIL: { group: "application" },
  MC_SUPERVISOR_PASSWORD: { group: "application", secret: true },
  MC_ADMIN_EMAIL: { group: "application" },
  MC_SECURED_REVERSE_PROXY: { group: "application", isSwitch: true },
  MC_MAX_ACTIVE_USERS: { group: "application" },
  MC_WELCOME_JUMBO: { group: "application" },
  MC_WELCOME_INFO: { group: "application" },
  METADATA_JDBC_URL: { group: "database", required: true },
  METADATA_USERNAME: { group: "database", required: true },
  METADATA_PASSWORD: { group: "database", required: true, secret: true },
  MC_MAIL_HOST: { group: "mail" },
  MC_MAIL_PORT: { group: "mail" },
  MC_MAIL_USERNAME: { group: "mail" },
  MC_MAIL_PASSWORD: { group: "mail", secret: true },
  MC_MAIL_FROM: { group: "mail" },
  MC_S3_BUCKET: { group: "assets" },
  MC_S3_KEY: { group: "assets", secret: true },
  MC_S3_SECRET: { group: "assets", secret: true },
  MC_S3_REGION: { group: "assets" },
  MC_ES_ELEMENTS_PER_BATCH: { group: "search" },
  MC_ES_DELAY_AFTER_BATCH: { group: "search" },
  MC_GOOGLE_KEY: { group: "google" },
  MC_GOOGLE_SECRET: { group: "google", secret: true },
  CATALINA_OPTS: { group: "jvm" },
};

describe("VARIABLES", () => {
  it("lists exactly the variables the image reads, once each", () => {
    const names = VARIABLES.map((variable) => variable.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(EXPECTED_VARIABLES).sort());
  });

  it.each(Object.entries(EXPECTED_VARIABLES))("classifies %s", (name, expected) => {
    const variable = spec(name);
    expect({
      group: variable.group,
      secret: variable.secret,
      isSwitch: variable.isSwitch,
      required: variable.required,
    }).toEqual({
      group: expected.group,
      secret: expected.secret ?? false,
      isSwitch: expected.isSwitch ?? false,
      required: expected.required ?? false,
    });
  });

  it("asks group by group, in the order of GROUPS", () => {
    const groupOrder = GROUPS.map((group) => group.id);
    const positions = VARIABLES.map((variable) => groupOrder.indexOf(variable.group));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it("gives every variable a one-line description", () => {
    for (const variable of VARIABLES) {
      expect(variable.description.trim(), variable.name).not.toBe("");
      expect(variable.description, variable.name).not.toMatch(/\n/);
    }
  });

  it("proposes only defaults that pass their own validation", () => {
    for (const variable of VARIABLES.filter((candidate) => candidate.defaultValue !== undefined)) {
      expect(variable.validate(variable.defaultValue ?? ""), variable.name).toBeUndefined();
    }
  });

  it("proposes the navbar name and the http scheme, and never a secret", () => {
    expect(spec("MC_NAME").defaultValue).toBe("Model Catalogue");
    expect(spec("METADATA_SCHEME").defaultValue).toBe("http");
    expect(VARIABLES.filter((variable) => variable.secret && variable.defaultValue !== undefined)).toEqual(
      [],
    );
  });

  it("rejects empty values everywhere: absence is how a variable is left unset", () => {
    for (const variable of VARIABLES) {
      expect(variable.validate(""), variable.name).toBeDefined();
    }
  });

  it("never echoes a secret value in a validation message", () => {
    for (const variable of VARIABLES.filter((candidate) => candidate.secret)) {
      for (const value of [` ${CANARY}`, `${CANARY} x`, CANARY]) {
        expect(variable.validate(value) ?? "", variable.name).not.toContain(CANARY);
      }
    }
  });
});

describe("GROUPS", () => {
  it("asks a yes/no question before exactly the optional groups", () => {
    expect(GROUPS.map((group) => group.id)).toEqual([
      "application",
      "database",
      "mail",
      "assets",
      "search",
      "google",
      "jvm",
    ]);
    expect(GROUPS.filter((group) => group.optional).map((group) => group.id)).toEqual([
      "mail",
      "assets",
      "google",
    ]);
    for (const group of GROUPS) {
      expect(group.question !== undefined, group.id).toBe(group.optional);
    }
  });
});

describe("variableSpec and isSecretVariable", () => {
  it("finds known variables and nothing else", () => {
    expect(variableSpec("MC_NAME")?.group).toBe("application");
    expect(variableSpec("MC_UNKNOWN")).toBeUndefined();
  });

  it("follows the spec for known variables", () => {
    expect(isSecretVariable("METADATA_PASSWORD")).toBe(true);
    expect(isSecretVariable("MC_S3_KEY")).toBe(true);
    expect(isSecretVariable("MC_GOOGLE_KEY")).toBe(false);
    expect(isSecretVariable("METADATA_USERNAME")).toBe(false);
  });

  it("treats unknown variables with secret-looking names as secrets", () => {
    expect(isSecretVariable("MC_MYSQL_ENV_MYSQL_PASSWORD")).toBe(true);
    expect(isSecretVariable("AWS_SECRET_ACCESS_KEY")).toBe(true);
    expect(isSecretVariable("SOME_API_TOKEN")).toBe(true);
    expect(isSecretVariable("ES_HEAP_SIZE")).toBe(false);
  });
});

describe("switches", () => {
  const switches = VARIABLES.filter((variable) => variable.isSwitch).map((variable) => variable.name);

  it("are MC_ALLOW_SIGNUP and MC_SECURED_REVERSE_PROXY", () => {
    expect(switches.sort()).toEqual(["MC_ALLOW_SIGNUP", "MC_SECURED_REVERSE_PROXY"]);
  });

  it.each(switches)("%s accepts only the on-value", (name) => {
    expect(SWITCH_ON_VALUE).toBe("true");
    expect(validate(name, SWITCH_ON_VALUE)).toBeUndefined();
  });

  it.each(
    switches.flatMap((name) => ["false", "0", "no", "off", "FALSE"].map((value) => [name, value] as const)),
  )("%s=%s is rejected because it would turn the feature ON", (name, value) => {
    const message = validate(name, value);
    expect(message).toContain(`"${value}" would turn it ON`);
    expect(message).toMatch(/ANY value, including "false"/);
    expect(message).toMatch(/leave the variable out/);
  });

  it.each(
    switches.flatMap((name) => ["yes", "1", "TRUE", "True", ""].map((value) => [name, value] as const)),
  )("%s=%j is rejected: only the canonical on-value is sent", (name, value) => {
    expect(validate(name, value)).toMatch(/ANY value/);
  });
});

describe("METADATA_HOST", () => {
  it.each(["my-catalogue.example.com", "localhost", "10.0.0.5", "catalogue.example.com:8080", "10.0.0.5:80"])(
    "accepts %s",
    (value) => {
      expect(validate("METADATA_HOST", value)).toBeUndefined();
    },
  );

  it.each([
    ["https://catalogue.example.com", /scheme.*METADATA_SCHEME/],
    ["catalogue.example.com/mc", /path/],
    ["catalogue.example.com:0", /port "0"/],
    ["catalogue.example.com:65536", /port "65536"/],
    ["catalogue.example.com:", /port ""/],
    ["catalogue_example.com", /not a valid host name/],
    ["-catalogue.com", /not a valid host name/],
    ["300.1.1.1", /not a valid IPv4/],
    [" catalogue.example.com", /spaces/],
    ["", /empty/],
  ])("rejects %j", (value, message) => {
    expect(validate("METADATA_HOST", value)).toMatch(message);
  });
});

describe("METADATA_SCHEME", () => {
  it("accepts http and https only", () => {
    expect(validate("METADATA_SCHEME", "http")).toBeUndefined();
    expect(validate("METADATA_SCHEME", "https")).toBeUndefined();
    for (const value of ["HTTPS", "ftp", "https://", ""]) {
      expect(validate("METADATA_SCHEME", value), value).toMatch(/"http" or "https"/);
    }
  });
});

describe("e-mail variables", () => {
  it.each(["MC_SUPERVISOR_EMAIL", "MC_ADMIN_EMAIL", "MC_MAIL_FROM"])("%s takes a plain address", (name) => {
    expect(validate(name, "admin@example.com")).toBeUndefined();
    expect(validate(name, "first.last+tag@mail.example.co.uk")).toBeUndefined();
    for (const bad of [
      "admin",
      "admin@",
      "@example.com",
      "admin@example",
      "a b@example.com",
      "a@b@example.com",
    ]) {
      expect(validate(name, bad), bad).toBeDefined();
    }
  });

  it("lets the sender carry a display name", () => {
    expect(validate("MC_MAIL_FROM", "Model Catalogue <catalogue@example.com>")).toBeUndefined();
    expect(validate("MC_MAIL_FROM", "Model Catalogue <catalogue>")).toMatch(/not an e-mail address/);
    expect(validate("MC_ADMIN_EMAIL", "Admin <admin@example.com>")).toBeDefined();
  });

  it("validateEmail names the bad value", () => {
    expect(validateEmail("nope")).toBe('"nope" is not an e-mail address like name@example.com');
  });
});

describe("MC_SUPERVISOR_PASSWORD", () => {
  it("refuses the app's well-known default", () => {
    expect(validate("MC_SUPERVISOR_PASSWORD", "supervisor")).toMatch(/well-known default/);
    expect(validate("MC_SUPERVISOR_PASSWORD", "correct horse battery staple")).toBeUndefined();
  });
});

describe("integer variables", () => {
  it.each([
    ["MC_MAX_ACTIVE_USERS", ["1", "250"], ["0", "-1", "1.5", "ten", "2147483648", " 5"]],
    ["MC_ES_ELEMENTS_PER_BATCH", ["1", "30"], ["0", "-5", "3e1"]],
    ["MC_ES_DELAY_AFTER_BATCH", ["0", "200"], ["-1", "0.5", "200ms"]],
    ["MC_MAIL_PORT", ["1", "25", "587", "65535"], ["0", "65536", "smtp", "58 7"]],
  ] as const)("%s", (name, good, bad) => {
    for (const value of good) expect(validate(name, value), value).toBeUndefined();
    for (const value of bad) expect(validate(name, value), value).toMatch(/whole number/);
  });
});

describe("parseJdbcUrl", () => {
  it("parses the seed's URL", () => {
    expect(
      parseJdbcUrl(
        "jdbc:mysql://your-rds-database.rds.amazonaws.com/your-database?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8",
      ),
    ).toEqual({
      ok: true,
      value: {
        host: "your-rds-database.rds.amazonaws.com",
        database: "your-database",
        params: { autoReconnect: "true", useUnicode: "yes", characterEncoding: "UTF-8" },
      },
    });
  });

  it("parses a port, an IP address and a URL without parameters", () => {
    expect(parseJdbcUrl("jdbc:mysql://10.0.0.7:3307/mc")).toEqual({
      ok: true,
      value: { host: "10.0.0.7", port: 3307, database: "mc", params: {} },
    });
  });

  it.each([
    ["mysql://db.example.com/mc", /must start with jdbc:mysql:\/\//],
    ["jdbc:postgresql://db.example.com/mc", /must start with jdbc:mysql:\/\//],
    ["JDBC:MYSQL://db.example.com/mc", /must start with jdbc:mysql:\/\//],
    ["jdbc:mysql://db.example.com", /no database name/],
    ["jdbc:mysql://db.example.com/", /no database name/],
    ["jdbc:mysql://db.example.com/?useUnicode=yes", /no database name/],
    ["jdbc:mysql:///mc", /no database host/],
    ["jdbc:mysql://:3306/mc", /no database host/],
    ["jdbc:mysql://db.example.com:0/mc", /port "0"/],
    ["jdbc:mysql://db.example.com:65536/mc", /port "65536"/],
    ["jdbc:mysql://db.example.com:x/mc", /port "x"/],
    ["jdbc:mysql://db_1.example.com/mc", /database host/],
    ["jdbc:mysql://db.example.com/mc/extra", /database name "mc\/extra"/],
    ["jdbc:mysql://db.example.com/mc?=x", /parameter without a name/],
  ])("rejects %s", (url, message) => {
    const result = parseJdbcUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it("is the validator of METADATA_JDBC_URL", () => {
    expect(validate("METADATA_JDBC_URL", "jdbc:mysql://db.example.com/mc")).toBeUndefined();
    expect(validate("METADATA_JDBC_URL", "jdbc:mysql://db.example.com")).toMatch(/no database name/);
    expect(validate("METADATA_JDBC_URL", "jdbc:mysql://db.example.com/mc ")).toMatch(/spaces/);
  });
});

describe("buildJdbcUrl", () => {
  it("builds the canonical URL of the manual procedure", () => {
    expect(
      buildJdbcUrl({ host: "mc.abc123.eu-west-1.rds.amazonaws.com", port: 3306, database: "catalogue" }),
    ).toBe(
      "jdbc:mysql://mc.abc123.eu-west-1.rds.amazonaws.com:3306/catalogue?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8",
    );
    expect(buildJdbcUrl({ host: "db.example.com", database: "mc" })).toBe(
      "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8",
    );
  });

  it("round-trips through parseJdbcUrl", () => {
    const target = { host: "db.example.com", port: 3306, database: "mc_prod" };
    const parsed = parseJdbcUrl(buildJdbcUrl(target));
    expect(
      parsed.ok && { host: parsed.value.host, port: parsed.value.port, database: parsed.value.database },
    ).toEqual(target);
    expect(validate("METADATA_JDBC_URL", buildJdbcUrl(target))).toBeUndefined();
  });
});

describe("database credentials", () => {
  it("METADATA_USERNAME is a MySQL user name", () => {
    expect(validate("METADATA_USERNAME", "metadata")).toBeUndefined();
    expect(validate("METADATA_USERNAME", "a".repeat(33))).toMatch(/at most 32/);
    expect(validate("METADATA_USERNAME", "my user")).toMatch(/spaces/);
  });

  it("METADATA_PASSWORD takes anything that is not empty", () => {
    expect(validate("METADATA_PASSWORD", "p@ss word/\"'")).toBeUndefined();
    expect(validate("METADATA_PASSWORD", "   ")).toMatch(/empty/);
  });
});

describe("MC_MAIL_HOST", () => {
  it("is a host name or IP address", () => {
    expect(validate("MC_MAIL_HOST", "mx.example.com")).toBeUndefined();
    expect(validate("MC_MAIL_HOST", "192.168.1.25")).toBeUndefined();
    expect(validate("MC_MAIL_HOST", "smtp://mx.example.com")).toBeDefined();
    expect(validate("MC_MAIL_HOST", "mx.example.com:587")).toBeDefined();
  });
});

describe("validateHostName", () => {
  it("limits labels to 63 characters and names to 253", () => {
    expect(validateHostName(`${"a".repeat(63)}.com`)).toBeUndefined();
    expect(validateHostName(`${"a".repeat(64)}.com`)).toBeDefined();
    expect(validateHostName(`${"a.".repeat(127)}com`)).toMatch(/longer than 253/);
  });
});

describe("MC_S3_BUCKET", () => {
  it.each(["mc.assets.example.com", "abc", "my-bucket-1", "a".repeat(63), "1bucket"])(
    "accepts %s",
    (name) => {
      expect(validateS3BucketName(name)).toBeUndefined();
      expect(validate("MC_S3_BUCKET", name)).toBeUndefined();
    },
  );

  it.each([
    ["ab", /3 to 63/],
    ["a".repeat(64), /3 to 63/],
    ["", /3 to 63/],
    ["My-Bucket", /lowercase/],
    ["my_bucket", /lowercase/],
    ["-bucket", /start and end/],
    ["bucket-", /start and end/],
    [".bucket", /start and end/],
    ["my..bucket", /\.\./],
    ["192.168.5.4", /IP address/],
    ["xn--bucket", /xn--/],
    ["bucket-s3alias", /-s3alias/],
    ["bucket--ol-s3", /--ol-s3/],
  ])("rejects %j", (name, message) => {
    expect(validate("MC_S3_BUCKET", name)).toMatch(message);
    expect(validate("MC_S3_BUCKET", name)).toContain(quote(name));
  });
});

describe("MC_S3_REGION", () => {
  it("is an AWS region code", () => {
    for (const region of ["eu-west-1", "us-east-2", "ap-southeast-2", "us-gov-west-1", "il-central-1"]) {
      expect(validate("MC_S3_REGION", region), region).toBeUndefined();
    }
    for (const region of ["Ireland", "eu-west", "EU-WEST-1", "euw1"]) {
      expect(validate("MC_S3_REGION", region), region).toMatch(/not an AWS region/);
    }
  });
});

describe("keys and secrets", () => {
  it.each(["MC_S3_KEY", "MC_S3_SECRET", "MC_GOOGLE_KEY", "MC_GOOGLE_SECRET"])(
    "%s has no whitespace",
    (name) => {
      expect(validate(name, "AKIAABCDEFGHIJKLMNOP")).toBeUndefined();
      expect(validate(name, "AKIA ABCD")).toMatch(/spaces/);
    },
  );
});

describe("free text", () => {
  it.each(["MC_NAME", "MC_WELCOME_JUMBO", "MC_WELCOME_INFO", "MC_MAIL_USERNAME"])(
    "%s takes any text",
    (name) => {
      expect(validate(name, "<b>Welcome</b> to the catalogue, 100% ready!")).toBeUndefined();
      expect(validate(name, "  ")).toMatch(/empty/);
    },
  );
});

describe("CATALINA_OPTS", () => {
  it("reports options the JVM cannot use, whatever the container's memory", () => {
    expect(validate("CATALINA_OPTS", "-server -Xms1g -Xmx2g")).toBeUndefined();
    expect(validate("CATALINA_OPTS", "-Xmx2gb")).toMatch(/cannot read the size "2gb"/);
    expect(validate("CATALINA_OPTS", "-Xms4g -Xmx2g")).toMatch(/-Xms .* larger than -Xmx/);
  });

  it("does not judge the memory fit, which depends on the container", () => {
    expect(validate("CATALINA_OPTS", "-Xmx100g")).toBeUndefined();
  });
});

describe("appUrl", () => {
  it("builds METADATA_SCHEME://METADATA_HOST/ with http by default", () => {
    expect(appUrl([{ name: "METADATA_HOST", value: "mc.example.org" }])).toBe("http://mc.example.org/");
    expect(
      appUrl([
        { name: "METADATA_SCHEME", value: "https" },
        { name: "METADATA_HOST", value: "mc.example.org:8443" },
      ]),
    ).toBe("https://mc.example.org:8443/");
    expect(appUrl([])).toBeUndefined();
    expect(appUrl(undefined)).toBeUndefined();
  });
});

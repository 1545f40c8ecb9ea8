import { describe, expect, it } from "vitest";
import {
  describeInstance,
  generateMasterPassword,
  unusableStatus,
  validateDatabaseName,
  validateDbInstanceIdentifier,
  validateMasterPassword,
  validateMasterUsername,
} from "../../src/domain/rds-rules.js";

describe("validateMasterPassword (RDS for MySQL)", () => {
  it("accepts 8 to 41 printable ASCII characters", () => {
    expect(validateMasterPassword("12345678")).toBeUndefined();
    expect(validateMasterPassword("a".repeat(41))).toBeUndefined();
    expect(validateMasterPassword("Tr1cky!#$%^&*()_+-=[]{};:',.<>?`~|\\")).toBeUndefined();
  });

  it("refuses what RDS refuses, without repeating the password", () => {
    const cases: [string, string][] = [
      ["1234567", "must be 8 to 41 characters long (it has 7)"],
      ["a".repeat(42), "must be 8 to 41 characters long (it has 42)"],
      ["with/slash", 'must not contain "/", """, "@" or spaces'],
      ['with"quote', 'must not contain "/", """, "@" or spaces'],
      ["with@at-sign", 'must not contain "/", """, "@" or spaces'],
      ["with a space", 'must not contain "/", """, "@" or spaces'],
      ["päss-wörd-1", "may contain only printable ASCII characters"],
      ["tab\there-123", "may contain only printable ASCII characters"],
    ];
    for (const [password, problem] of cases) {
      expect(validateMasterPassword(password)).toBe(problem);
      expect(validateMasterPassword(password)).not.toContain(password);
    }
  });
});

describe("generateMasterPassword", () => {
  it("makes 32 letters and digits that RDS accepts, different every time", () => {
    const passwords = Array.from({ length: 50 }, () => generateMasterPassword());
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(validateMasterPassword(password)).toBeUndefined();
    }
    expect(new Set(passwords).size).toBe(50);
  });

  it("uses the whole alphabet", () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateMasterPassword()).join(""));
    expect(seen.size).toBe(62);
  });

  it("keeps to RDS's length limits", () => {
    expect(generateMasterPassword(8)).toHaveLength(8);
    expect(generateMasterPassword(41)).toHaveLength(41);
    expect(() => generateMasterPassword(7)).toThrow(RangeError);
    expect(() => generateMasterPassword(42)).toThrow(RangeError);
  });
});

describe("validateMasterUsername (RDS for MySQL)", () => {
  it("accepts 1 to 16 letters, digits and underscores starting with a letter", () => {
    for (const name of ["mcadmin", "a", "Catalogue_Admin1", "abcdefghijklmnop", "admin"]) {
      expect(validateMasterUsername(name)).toBeUndefined();
    }
  });

  it("refuses bad names and reserved words", () => {
    expect(validateMasterUsername("")).toBe("must be 1 to 16 characters long");
    expect(validateMasterUsername("abcdefghijklmnopq")).toBe("must be 1 to 16 characters long");
    expect(validateMasterUsername("1admin")).toBe("must start with a letter");
    expect(validateMasterUsername("mc-admin")).toBe("may contain only letters, digits and underscores");
    expect(validateMasterUsername("SELECT")).toBe('"SELECT" is a MySQL reserved word');
    expect(validateMasterUsername("rdsadmin")).toBe('"rdsadmin" is reserved by RDS');
  });
});

describe("validateDatabaseName (RDS for MySQL)", () => {
  it("accepts 1 to 64 letters, digits and underscores starting with a letter", () => {
    expect(validateDatabaseName("mc")).toBeUndefined();
    expect(validateDatabaseName(`m${"c".repeat(63)}`)).toBeUndefined();
  });

  it("refuses bad names, reserved words and MySQL's own databases", () => {
    expect(validateDatabaseName(`m${"c".repeat(64)}`)).toBe("must be 1 to 64 characters long");
    expect(validateDatabaseName("_mc")).toBe("must start with a letter");
    expect(validateDatabaseName("model-catalogue")).toBe("may contain only letters, digits and underscores");
    expect(validateDatabaseName("database")).toBe('"database" is a MySQL reserved word');
    expect(validateDatabaseName("mysql")).toBe(`"mysql" is one of MySQL's own databases`);
    for (const own of ["SYS", "information_schema", "Performance_Schema"]) {
      expect(validateDatabaseName(own)).toBe(`"${own}" is one of MySQL's own databases`);
    }
  });

  it("refuses an empty name", () => {
    expect(validateDatabaseName("")).toBe("must be 1 to 64 characters long");
  });
});

describe("validateDbInstanceIdentifier", () => {
  it("accepts what RDS accepts", () => {
    for (const identifier of ["model-catalogue", "a", "MC1", `a${"b".repeat(62)}`]) {
      expect(validateDbInstanceIdentifier(identifier)).toBeUndefined();
    }
  });

  it("refuses what RDS refuses", () => {
    expect(validateDbInstanceIdentifier(`a${"b".repeat(63)}`)).toBe("must be 1 to 63 characters long");
    expect(validateDbInstanceIdentifier("1mc")).toBe("must start with a letter");
    expect(validateDbInstanceIdentifier("model_catalogue")).toBe(
      "may contain only letters, digits and hyphens",
    );
    expect(validateDbInstanceIdentifier("model--catalogue")).toBe("must not contain two hyphens in a row");
    expect(validateDbInstanceIdentifier("model-catalogue-")).toBe("must not end with a hyphen");
    expect(validateDbInstanceIdentifier("")).toBe("must be 1 to 63 characters long");
  });
});

describe("unusableStatus: the RDS statuses an instance does not leave by itself", () => {
  const EVENTS =
    "Its events say why: aws rds describe-events --source-type db-instance --source-identifier mc-db. Fix the cause (or delete the instance), then run `mcctl setup` again.";
  const START =
    "Start it (aws rds start-db-instance --db-instance-identifier mc-db), then run `mcctl setup` again.";
  const KMS = "Re-enable the KMS key or its grants for RDS, then run `mcctl setup` again.";
  const GONE =
    "Wait until it is gone and run `mcctl setup` again to create it anew, or set setup.database.identifier in mcctl.json to another name.";

  it.each([
    ["failed", "MySQL instance mc-db is failed", EVENTS],
    ["restore-error", "MySQL instance mc-db is restore-error", EVENTS],
    ["incompatible-parameters", "MySQL instance mc-db is incompatible-parameters", EVENTS],
    ["incompatible-network", "MySQL instance mc-db is incompatible-network", EVENTS],
    ["incompatible-option-group", "MySQL instance mc-db is incompatible-option-group", EVENTS],
    ["incompatible-restore", "MySQL instance mc-db is incompatible-restore", EVENTS],
    ["insufficient-capacity", "MySQL instance mc-db is insufficient-capacity", EVENTS],
    [
      "storage-full",
      "MySQL instance mc-db is out of storage (storage-full)",
      "Give it more storage (aws rds modify-db-instance --db-instance-identifier mc-db --allocated-storage … --apply-immediately), then run `mcctl setup` again.",
    ],
    [
      "inaccessible-encryption-credentials",
      "MySQL instance mc-db cannot use its KMS encryption key (inaccessible-encryption-credentials)",
      KMS,
    ],
    [
      "inaccessible-encryption-credentials-recoverable",
      "MySQL instance mc-db cannot use its KMS encryption key (inaccessible-encryption-credentials-recoverable)",
      KMS,
    ],
    ["stopping", "MySQL instance mc-db is stopping", START],
    ["stopped", "MySQL instance mc-db is stopped", START],
    ["deleting", "MySQL instance mc-db is being deleted", GONE],
    ["deleted", "MySQL instance mc-db is being deleted", GONE],
  ])("%s ends the wait: %s", (status, message, suggestion) => {
    const error = unusableStatus("mc-db", status);
    expect(error?.message).toBe(message);
    expect(error?.suggestion).toBe(suggestion);
  });

  it.each(["creating", "backing-up", "modifying", "configuring-enhanced-monitoring", "available", ""])(
    "%s is worth waiting for",
    (status) => {
      expect(unusableStatus("mc-db", status)).toBeUndefined();
    },
  );
});

describe("describeInstance", () => {
  it("leaves out groups RDS is removing and has no endpoint before RDS gives one", () => {
    const facts = describeInstance(
      {
        DBInstanceIdentifier: "model-catalogue",
        DBInstanceStatus: "modifying",
        MasterUsername: "mcadmin",
        DBName: "mc",
        VpcSecurityGroups: [
          { VpcSecurityGroupId: "sg-11111111", Status: "active" },
          { VpcSecurityGroupId: "sg-22222222", Status: "removing" },
        ],
      },
      { created: false, databaseName: undefined },
    );

    expect(facts).toEqual({
      identifier: "model-catalogue",
      created: false,
      status: "modifying",
      endpoint: undefined,
      masterUsername: "mcadmin",
      databaseName: "mc",
      securityGroupIds: ["sg-11111111"],
      engineVersion: undefined,
    });
  });
});

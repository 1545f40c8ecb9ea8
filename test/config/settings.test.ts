import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadSettings,
  mergeSettings,
  parseSettings,
  requireSettingsFile,
  saveSettings,
} from "../../src/config/settings.js";
import { UsageError } from "../../src/errors.js";

const parse = (value: unknown) => parseSettings(JSON.stringify(value), "mcctl.json");

describe("settings file", () => {
  it("accepts a complete valid file", () => {
    const settings = parse({
      region: "eu-west-1",
      cluster: "default",
      service: "mc",
      taskFamily: "model-catalogue",
      mc: { image: "metadata/registry:2", memory: 10240, cpu: 2048, hostPort: 80 },
      es: { memory: 4096, dataPath: "/opt/docker-volumes/mc-es-data", heapSize: "2g" },
      environment: { MC_NAME: "Catalogue", METADATA_HOST: "mc.example.com", MC_ALLOW_SIGNUP: false },
      features: { mail: false },
    });
    expect(settings.mc?.memory).toBe(10240);
    expect(settings.environment?.MC_ALLOW_SIGNUP).toBe(false);
  });

  it("names the exact key and what is wrong", () => {
    expect(() => parse({ mc: { memory: "lots" } })).toThrow(/mc\.memory/);
    expect(() => parse({ mc: { hostPort: 70000 } })).toThrow(/mc\.hostPort/);
    expect(() => parse({ region: "Ireland" })).toThrow(
      'region "Ireland" is not an AWS region like eu-west-1',
    );
    expect(() => parse({ clutser: "x" })).toThrow(/clutser|Unrecognized/);
  });

  it("refuses a secret in the file, naming the environment variable to use instead", () => {
    const error = (() => {
      try {
        parse({ environment: { METADATA_PASSWORD: "hunter2" } });
      } catch (caught) {
        return caught as UsageError;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.message).toContain("environment.METADATA_PASSWORD is a secret");
    expect(error?.message).not.toContain("hunter2");
    expect(error?.exitCode).toBe(2);
  });

  it("refuses unknown variables, bad values and booleans for non-switches", () => {
    expect(() => parse({ environment: { MC_NAEM: "x" } })).toThrow(/environment\.MC_NAEM is not a variable/);
    expect(() => parse({ environment: { MC_MAIL_PORT: "smtp" } })).toThrow(/environment\.MC_MAIL_PORT/);
    expect(() => parse({ environment: { MC_NAME: true } })).toThrow(/environment\.MC_NAME must be a string/);
  });

  it("reports invalid JSON as a usage error", () => {
    expect(() => parseSettings("{ nope", "x.json")).toThrow(/x\.json is not valid JSON/);
  });

  it("treats a missing file as empty settings", async () => {
    const loaded = await loadSettings(join(tmpdir(), "mcctl-does-not-exist", "mcctl.json"));
    expect(loaded).toMatchObject({ exists: false, settings: {} });
  });

  it("saves with mode 0600 and reads back what it wrote", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-settings-"));
    const path = join(dir, "mcctl.json");
    await writeFile(path, "{}", { mode: 0o644 });
    await saveSettings(path, { cluster: "prod", environment: { MC_NAME: "Catalogue" } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      cluster: "prod",
      environment: { MC_NAME: "Catalogue" },
    });
    expect((await loadSettings(path)).settings.cluster).toBe("prod");
  });

  it("refuses to save a secret", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-settings-"));
    await expect(
      saveSettings(join(dir, "mcctl.json"), { environment: { MC_S3_SECRET: "x" } }),
    ).rejects.toThrow();
  });

  it("merges nested objects and keeps untouched keys", () => {
    const merged = mergeSettings(
      { cluster: "a", environment: { MC_NAME: "A", METADATA_HOST: "h.example.com" } },
      { environment: { MC_NAME: "B" }, features: { mail: true } },
    );
    expect(merged).toEqual({
      cluster: "a",
      environment: { MC_NAME: "B", METADATA_HOST: "h.example.com" },
      features: { mail: true },
    });
  });
});

describe("mergeSettings in depth", () => {
  it("merges nested setup answers without losing siblings", () => {
    const merged = mergeSettings(
      { setup: { bucket: "b", database: { identifier: "db", storageGiB: 20 } } },
      { setup: { database: { masterUsername: "admin" } } },
    );
    expect(merged).toEqual({
      setup: { bucket: "b", database: { identifier: "db", storageGiB: 20, masterUsername: "admin" } },
    });
  });
});

describe("settings file: bad values on one line", () => {
  const message = (value: unknown) => {
    try {
      parse(value);
    } catch (error) {
      return (error as UsageError).message;
    }
    throw new Error("no error");
  };

  it("refuses NUL, newline and carriage return in any string, without splitting the line", () => {
    expect(message({ cluster: "prod\u0000" })).toBe(
      "mcctl.json: cluster contains a NUL character at position 5; values must be one line of text",
    );
    expect(message({ environment: { MC_NAME: "a\nb" } })).toMatch(
      /^mcctl\.json: environment\.MC_NAME contains a line feed/,
    );
    expect(message({ setup: { instance: { subnetId: "subnet-1\r" } } })).toMatch(
      /setup\.instance\.subnetId contains a carriage return/,
    );
    expect(message({ mc: { image: "metadata/registry:2\n" } })).not.toContain("\n");
  });

  it("cuts long values and long keys it names", () => {
    const long = "a".repeat(100_000);
    expect(message({ environment: { MC_WELCOME_JUMBO: long } })).toBe(
      "mcctl.json: environment.MC_WELCOME_JUMBO is 100000 characters long; at most 8192 are accepted",
    );
    const unknownKey = message({ [long]: 1 });
    expect(unknownKey).toMatch(/^mcctl\.json: unknown key "a+…" \(100000 characters\)$/);
    expect(message({ environment: { [`MC_${long}`]: "x" } }).length).toBeLessThan(200);
  });

  it("says what type a key should have had", () => {
    expect(message({ mc: "big" })).toBe('mcctl.json: mc must be an object, got "big"');
    expect(message([])).toBe("mcctl.json: must be an object, got a list");
    expect(message({ features: { mail: "yes" } })).toBe(
      'mcctl.json: features.mail must be true or false, got "yes"',
    );
    expect(message({ mc: { unknown: 1, other: 2 } })).toBe("mcctl.json: mc has unknown keys unknown, other");
  });

  it("takes only secret variables' names in secrets.deleted", () => {
    expect(parse({ secrets: { deleted: ["MC_MAIL_PASSWORD"] } })).toEqual({
      secrets: { deleted: ["MC_MAIL_PASSWORD"] },
    });
    expect(message({ secrets: { deleted: ["METADATA_HOST"] } })).toBe(
      'mcctl.json: secrets.deleted.0 "METADATA_HOST" is not a secret Model Catalogue reads',
    );
  });

  it("names at most three problems", () => {
    expect(message({ region: "x", cluster: "", service: "", taskFamily: "!", mc: { memory: 0 } })).toMatch(
      /^mcctl\.json: region "x" is not an AWS region like eu-west-1; cluster is empty; service is empty \(and 2 more\)$/,
    );
  });

  it("keeps a JSON parser's message on one line", () => {
    expect(() => parseSettings('{"cluster": "a\nb"}', "x.json")).toThrow(
      /^x\.json is not valid JSON: [^\n]+$/,
    );
  });
});

describe("settings file: which path", () => {
  it("treats a missing file given with --config as a first run when its directory exists", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-settings-"));
    expect(await loadSettings(join(dir, "new.json"), { explicit: true })).toMatchObject({ exists: false });
  });

  it("refuses a --config whose directory does not exist", async () => {
    await expect(
      loadSettings(join(tmpdir(), "mcctl-nope-dir", "mcctl.json"), { explicit: true }),
    ).rejects.toThrow(/mcctl-nope-dir\/mcctl\.json \(--config\): its directory does not exist/);
    // Not given: the default path may be missing anywhere.
    await expect(loadSettings(join(tmpdir(), "mcctl-nope-dir", "mcctl.json"))).resolves.toMatchObject({
      exists: false,
    });
  });

  it("requireSettingsFile: a command that never writes the file needs it to exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-settings-"));
    await expect(requireSettingsFile(join(dir, "typo.json"))).rejects.toThrow(
      /typo\.json \(--config\) does not exist/,
    );
    await writeFile(join(dir, "there.json"), "{}");
    await expect(requireSettingsFile(join(dir, "there.json"))).resolves.toBeUndefined();
  });

  it("refuses a file far too large to be a settings file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-settings-"));
    const path = join(dir, "big.json");
    await writeFile(path, `{"cluster": "${"a".repeat(2_000_000)}"}`);
    await expect(loadSettings(path)).rejects.toThrow(/characters long; it cannot be one/);
  });
});

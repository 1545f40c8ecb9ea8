import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings, mergeSettings, parseSettings, saveSettings } from "../../src/config/settings.js";
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

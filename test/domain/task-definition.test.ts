import { readFileSync } from "node:fs";
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { McEnvironment } from "../../src/domain/environment.js";
import {
  buildTaskDefinition,
  DEFAULT_TASK_SETTINGS,
  ES_CONTAINER,
  ES_VOLUME,
  esHeapSizeFor,
  MC_CONTAINER,
  redactTaskDefinition,
  type TaskSettings,
  taskRequirements,
  validateFamily,
} from "../../src/domain/task-definition.js";
import { legacyTaskDefinition, TEST_WIRING } from "../helpers/secrets.js";

interface NamedValue {
  name: string;
  value: string;
}
interface SeedContainer {
  name: string;
  environment: NamedValue[];
  [field: string]: unknown;
}
interface SeedFixture {
  family: string;
  containerDefinitions: SeedContainer[];
  [field: string]: unknown;
}

function loadSeed(): SeedFixture {
  return JSON.parse(
    readFileSync(new URL("../fixtures/seed-task-definition.json", import.meta.url), "utf8"),
  ) as SeedFixture;
}

function seedContainer(seed: SeedFixture, name: string): SeedContainer {
  const container = seed.containerDefinitions.find((candidate) => candidate.name === name);
  if (container === undefined) throw new Error(`the seed has no ${name} container`);
  return container;
}

const SEED_ENV: McEnvironment = Object.fromEntries(
  seedContainer(loadSeed(), MC_CONTAINER).environment.map((entry) => [entry.name, entry.value]),
);
const CANARY = "canary-Zq9-secret-41c7";

/** What ECS is sent for a JSON document: nulls, empty arrays and empty objects carry nothing. */
function stripEmpty(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(stripEmpty).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, stripEmpty(item)] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}

/** Environment is compared as a set of name=value pairs. */
function sortEnvironments(td: { containerDefinitions?: { environment?: NamedValue[] }[] }): void {
  for (const container of td.containerDefinitions ?? []) {
    container.environment?.sort((a, b) => a.name.localeCompare(b.name));
  }
}

describe("buildTaskDefinition", () => {
  it("reproduces the seed's task definition (with the wiki's syslog), its secrets as SSM references", () => {
    const seed = loadSeed();
    expect(Object.keys(SEED_ENV)).toHaveLength(16);
    seed.family = "model-catalogue";
    seedContainer(seed, ES_CONTAINER).environment.push({ name: "ES_HEAP_SIZE", value: "2g" });
    const expected = stripEmpty(seed) as SeedFixture;
    sortEnvironments(expected);

    const wiki: TaskSettings = { ...DEFAULT_TASK_SETTINGS, logging: { driver: "syslog" } };
    const built = buildTaskDefinition(wiki, SEED_ENV, TEST_WIRING);
    // Put back in plain text, the secrets give the wiki's task definition exactly.
    const actual = structuredClone(legacyTaskDefinition(built, SEED_ENV)) as SeedFixture;
    sortEnvironments(actual);

    expect(actual).toEqual(expected);
    expect(stripEmpty(built)).toEqual(built);
    const mc = built.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
    const secrets = ["MC_MAIL_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET", "METADATA_PASSWORD"];
    expect(mc?.secrets).toEqual(secrets.map((name) => ({ name, valueFrom: TEST_WIRING.valueFrom(name) })));
    expect(built.executionRoleArn).toBe(TEST_WIRING.executionRoleArn);
    for (const name of secrets) expect(JSON.stringify(built)).not.toContain(`"${SEED_ENV[name]}"`);
  });

  it("sorts the environment by name, so that revisions diff cleanly", () => {
    const built = buildTaskDefinition(
      DEFAULT_TASK_SETTINGS,
      { ZED: "1", ALPHA: "2", MC_NAME: "3" },
      TEST_WIRING,
    );
    const mc = built.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
    expect(mc?.environment?.map((entry) => entry.name)).toEqual(["ALPHA", "MC_NAME", "ZED"]);
  });

  it("applies every task setting", () => {
    const task: TaskSettings = {
      family: "mc-staging",
      logging: { driver: "syslog" },
      mc: { image: "metadata/registry:2.0.0-beta-10", memory: 6144, cpu: 1536, hostPort: 8080 },
      es: {
        image: "registry.example.com:5000/es:5",
        memory: 3072,
        cpu: 512,
        dataPath: "/data/es",
        heapSize: "1536m",
      },
    };
    const built = buildTaskDefinition(task, { METADATA_HOST: "mc.example.com" }, TEST_WIRING);
    expect(built).toEqual({
      family: "mc-staging",
      containerDefinitions: [
        {
          name: "mc",
          image: "metadata/registry:2.0.0-beta-10",
          memory: 6144,
          cpu: 1536,
          essential: true,
          portMappings: [{ hostPort: 8080, containerPort: 8080, protocol: "tcp" }],
          links: ["mc-es:mc-es"],
          logConfiguration: { logDriver: "syslog" },
          environment: [{ name: "METADATA_HOST", value: "mc.example.com" }],
        },
        {
          name: "mc-es",
          image: "registry.example.com:5000/es:5",
          memory: 3072,
          cpu: 512,
          essential: true,
          mountPoints: [{ containerPath: "/usr/share/elasticsearch/data", sourceVolume: "mc-es-data" }],
          logConfiguration: { logDriver: "json-file" },
          environment: [{ name: "ES_HEAP_SIZE", value: "1536m" }],
        },
      ],
      volumes: [{ name: "mc-es-data", host: { sourcePath: "/data/es" } }],
    });
  });

  it("sends no empty environment and no network mode or compatibilities", () => {
    const built = buildTaskDefinition(DEFAULT_TASK_SETTINGS, {}, TEST_WIRING);
    const mc = built.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
    expect(mc).not.toHaveProperty("environment");
    expect(built).not.toHaveProperty("networkMode");
    expect(built).not.toHaveProperty("requiresCompatibilities");
  });

  it("mounts the volume it declares", () => {
    const built = buildTaskDefinition(DEFAULT_TASK_SETTINGS, SEED_ENV, TEST_WIRING);
    const es = built.containerDefinitions?.find((container) => container.name === ES_CONTAINER);
    expect(es?.mountPoints?.[0]?.sourceVolume).toBe(ES_VOLUME);
    expect(built.volumes?.map((volume) => volume.name)).toEqual([ES_VOLUME]);
  });
});

describe("DEFAULT_TASK_SETTINGS", () => {
  it("are the seed's containers under a meaningful family name", () => {
    expect(DEFAULT_TASK_SETTINGS).toEqual({
      family: "model-catalogue",
      logging: { driver: "awslogs", group: "/ecs/model-catalogue", region: "eu-west-1", retentionDays: 30 },
      mc: { image: "metadata/registry:2", memory: 10240, cpu: 2048, hostPort: 80 },
      es: {
        image: "metadata/registry-elasticsearch:2",
        memory: 4096,
        cpu: 1024,
        dataPath: "/opt/docker-volumes/mc-es-data",
        heapSize: "2g",
      },
    });
    expect(validateFamily(DEFAULT_TASK_SETTINGS.family)).toBeUndefined();
    expect(DEFAULT_TASK_SETTINGS.es.heapSize).toBe(esHeapSizeFor(DEFAULT_TASK_SETTINGS.es.memory));
  });
});

describe("logging", () => {
  it("sends both containers to the deployment's CloudWatch Logs group by default, one stream prefix", () => {
    const built = buildTaskDefinition(DEFAULT_TASK_SETTINGS, {}, TEST_WIRING);
    for (const container of built.containerDefinitions ?? []) {
      expect(container.logConfiguration).toEqual({
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/ecs/model-catalogue",
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "mcctl",
        },
      });
    }
  });

  it("keeps the wiki's syslog for mc and json-file for mc-es when mcctl.json says syslog", () => {
    const built = buildTaskDefinition(
      { ...DEFAULT_TASK_SETTINGS, logging: { driver: "syslog" } },
      {},
      TEST_WIRING,
    );
    expect(built.containerDefinitions?.map((container) => container.logConfiguration)).toEqual([
      { logDriver: "syslog" },
      { logDriver: "json-file" },
    ]);
  });
});

describe("redactTaskDefinition", () => {
  const env: McEnvironment = {
    METADATA_PASSWORD: CANARY,
    MC_MAIL_PASSWORD: CANARY,
    MC_S3_KEY: CANARY,
    MC_S3_SECRET: CANARY,
    MC_GOOGLE_SECRET: CANARY,
    MC_SUPERVISOR_PASSWORD: CANARY,
    CUSTOM_API_TOKEN: CANARY,
    MC_NAME: "Visible Name",
  };

  it("masks every secret value and nothing else", () => {
    const redacted = redactTaskDefinition(
      legacyTaskDefinition(buildTaskDefinition(DEFAULT_TASK_SETTINGS, env, TEST_WIRING), env),
    );
    expect(JSON.stringify(redacted)).not.toContain(CANARY);
    const mc = redacted.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
    expect(Object.fromEntries((mc?.environment ?? []).map((entry) => [entry.name, entry.value]))).toEqual({
      METADATA_PASSWORD: "********",
      MC_MAIL_PASSWORD: "********",
      MC_S3_KEY: "********",
      MC_S3_SECRET: "********",
      MC_GOOGLE_SECRET: "********",
      MC_SUPERVISOR_PASSWORD: "********",
      CUSTOM_API_TOKEN: "********",
      MC_NAME: "Visible Name",
    });
  });

  it("leaves the original untouched", () => {
    const original = buildTaskDefinition(DEFAULT_TASK_SETTINGS, env, TEST_WIRING);
    const snapshot = structuredClone(original);
    const redacted = redactTaskDefinition(original);
    expect(original).toEqual(snapshot);
    expect(redacted).not.toBe(original);
    expect(redacted.containerDefinitions?.[0]).not.toBe(original.containerDefinitions?.[0]);
  });

  it("works on a described task definition, keeping its other fields", () => {
    const described: TaskDefinition = {
      ...buildTaskDefinition(DEFAULT_TASK_SETTINGS, env, TEST_WIRING),
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:7",
      revision: 7,
      registeredAt: new Date("2024-01-02T03:04:05Z"),
    };
    const redacted = redactTaskDefinition(described);
    expect(JSON.stringify(redacted)).not.toContain(CANARY);
    expect(redacted.revision).toBe(7);
    expect(redacted.registeredAt).toEqual(new Date("2024-01-02T03:04:05Z"));
  });

  it("copes with missing containers and environments", () => {
    expect(redactTaskDefinition({})).toEqual({});
    expect(redactTaskDefinition({ containerDefinitions: [{ name: "x" }] })).toEqual({
      containerDefinitions: [{ name: "x" }],
    });
  });
});

describe("taskRequirements", () => {
  it("adds up the defaults to 3072 CPU units and 14336 MiB on host port 80", () => {
    expect(taskRequirements(DEFAULT_TASK_SETTINGS)).toEqual({ cpu: 3072, memoryMiB: 14336, hostPorts: [80] });
  });

  it("follows the settings", () => {
    const task: TaskSettings = {
      ...DEFAULT_TASK_SETTINGS,
      mc: { ...DEFAULT_TASK_SETTINGS.mc, memory: 6000, cpu: 100, hostPort: 8080 },
      es: { ...DEFAULT_TASK_SETTINGS.es, memory: 2000, cpu: 50 },
    };
    expect(taskRequirements(task)).toEqual({ cpu: 150, memoryMiB: 8000, hostPorts: [8080] });
  });
});

describe("esHeapSizeFor", () => {
  it.each([
    [4096, "2g"],
    [3072, "1536m"],
    [2048, "1g"],
    [8192, "4g"],
    [1000, "500m"],
    [3001, "1500m"],
  ])("gives %d MiB of Elasticsearch memory a %s heap", (memory, heap) => {
    expect(esHeapSizeFor(memory)).toBe(heap);
  });
});

describe("validateFamily", () => {
  it.each(["model-catalogue", "mc_prod-2", "A", "a".repeat(255)])("accepts %s", (name) => {
    expect(validateFamily(name)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    ["a".repeat(256), /256 characters long; ECS allows at most 255/],
    ["model catalogue", /letters, digits, hyphens and underscores/],
    ["mc.prod", /letters, digits, hyphens and underscores/],
    ["mc:1", /letters, digits, hyphens and underscores/],
  ])("rejects %j", (name, message) => {
    expect(validateFamily(name)).toMatch(message);
  });
});

describe("DEFAULT_TASK_SETTINGS immutability", () => {
  it("cannot be changed by accident", () => {
    expect(Object.isFrozen(DEFAULT_TASK_SETTINGS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TASK_SETTINGS.mc)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TASK_SETTINGS.es)).toBe(true);
  });
});

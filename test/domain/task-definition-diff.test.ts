import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { McEnvironment } from "../../src/domain/environment.js";
import {
  buildTaskDefinition,
  DEFAULT_TASK_SETTINGS,
  type TaskSettings,
} from "../../src/domain/task-definition.js";
import { diffTaskDefinitions, type TaskDefinitionChange } from "../../src/domain/task-definition-diff.js";
import { legacyTaskDefinition, TEST_WIRING } from "../helpers/secrets.js";

const CANARY_BEFORE = "canary-old-Hx81";
const CANARY_AFTER = "canary-new-Kp27";

const ENV: McEnvironment = {
  METADATA_HOST: "catalogue.example.com",
  METADATA_JDBC_URL: "jdbc:mysql://db.example.com/mc",
  METADATA_USERNAME: "metadata",
  METADATA_PASSWORD: CANARY_BEFORE,
  MC_NAME: "Model Catalogue",
};

/** What DescribeTaskDefinition returns for a registered task definition: read-only fields and echoed empties. */
function described(registered: RegisterTaskDefinitionCommandInput): TaskDefinition {
  const copy = structuredClone(registered);
  return {
    ...copy,
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${copy.family}:3`,
    revision: 3,
    status: "ACTIVE",
    requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.syslog" }],
    compatibilities: ["EXTERNAL", "EC2"],
    registeredAt: new Date("2024-05-06T07:08:09Z"),
    registeredBy: "arn:aws:iam::123456789012:user/operator",
    placementConstraints: [],
    networkMode: "bridge",
    containerDefinitions: (copy.containerDefinitions ?? [])
      .map(
        (container): ContainerDefinition => ({
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
          portMappings: [],
          ...container,
          // ECS returns the environment in its own order.
          ...(container.environment === undefined
            ? {}
            : { environment: [...container.environment].reverse() }),
          ...(container.mountPoints === undefined
            ? {}
            : { mountPoints: container.mountPoints.map((mount) => ({ ...mount, readOnly: false })) }),
          logConfiguration: {
            ...container.logConfiguration,
            logDriver: container.logConfiguration?.logDriver ?? "syslog",
            options: container.logConfiguration?.options ?? {},
            secretOptions: [],
          },
        }),
      )
      .reverse(),
  };
}

function build(
  env: McEnvironment = ENV,
  task: TaskSettings = DEFAULT_TASK_SETTINGS,
): RegisterTaskDefinitionCommandInput {
  return buildTaskDefinition(task, env, TEST_WIRING);
}

/** The same inputs as an older mcctl registered them: secrets in plain text. */
function legacy(env: McEnvironment = ENV): RegisterTaskDefinitionCommandInput {
  return legacyTaskDefinition(build(env), env);
}

function container(td: RegisterTaskDefinitionCommandInput, name: string): ContainerDefinition {
  const found = td.containerDefinitions?.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no container ${name}`);
  return found;
}

describe("diffTaskDefinitions", () => {
  it("finds no change between a registered task definition and its described copy", () => {
    const registered = build();
    expect(diffTaskDefinitions(described(registered), registered)).toEqual([]);
  });

  it("finds no change between identical inputs", () => {
    expect(diffTaskDefinitions(build(), build())).toEqual([]);
  });

  it("treats omitted ECS defaults like the values ECS echoes", () => {
    const next = build();
    const current = described(next);
    for (const definition of current.containerDefinitions ?? []) {
      definition.cpu = definition.cpu ?? 0;
      definition.portMappings = definition.portMappings?.map(
        ({ protocol: _protocol, ...mapping }) => mapping,
      );
    }
    const withoutEssential = structuredClone(next);
    for (const definition of withoutEssential.containerDefinitions ?? []) delete definition.essential;
    expect(diffTaskDefinitions(current, withoutEssential)).toEqual([]);
  });

  it("an ECS default on one side only is no change; any other value of the same field is", () => {
    const next = build();
    const echoed: TaskDefinition = { ...described(next), networkMode: "bridge", enableFaultInjection: false };
    expect(diffTaskDefinitions(echoed, next)).toEqual([]);

    const fields = (before: TaskDefinition) =>
      diffTaskDefinitions(before, next).map((change) => [change.field, change.change, change.before]);
    expect(fields({ ...echoed, networkMode: "host" })).toEqual([["networkMode", "removed", "host"]]);
    expect(fields({ ...echoed, enableFaultInjection: true })).toEqual([
      ["enableFaultInjection", "removed", "true"],
    ]);
  });

  it("a container's cpu 0 and essential true are ECS's defaults; other values are changes", () => {
    const next = build();
    const withContainer = (change: Partial<ContainerDefinition>): TaskDefinition => {
      const before = described(next);
      before.containerDefinitions = before.containerDefinitions?.map((definition) =>
        definition.name === "mc" ? { ...definition, ...change } : definition,
      );
      return before;
    };
    const withoutDefaults = structuredClone(next);
    const mc = container(withoutDefaults, "mc");
    delete mc.essential;
    delete mc.cpu;
    expect(diffTaskDefinitions(withContainer({ cpu: 0, essential: true }), withoutDefaults)).toEqual([]);
    expect(
      diffTaskDefinitions(withContainer({ cpu: 512, essential: false }), withoutDefaults).map((change) => [
        change.container,
        change.field,
        change.before,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["mc", "cpu", "512"],
        ["mc", "essential", "false"],
      ]),
    );
  });

  it("volumes in another order are the same volumes", () => {
    const next = {
      ...build(),
      volumes: [
        { name: "b-volume", host: { sourcePath: "/b" } },
        { name: "a-volume", host: { sourcePath: "/a" } },
      ],
    };
    const before = { ...described(next), volumes: [...(next.volumes ?? [])].reverse() };
    expect(diffTaskDefinitions(before, next)).toEqual([]);
    const moved = {
      ...before,
      volumes: [{ name: "a-volume", host: { sourcePath: "/elsewhere" } }, next.volumes[0]],
    };
    expect(diffTaskDefinitions(moved as TaskDefinition, next).map((change) => change.field)).toEqual([
      "volumes",
    ]);
  });

  it("reports an image change", () => {
    const next = build(ENV, {
      ...DEFAULT_TASK_SETTINGS,
      mc: { ...DEFAULT_TASK_SETTINGS.mc, image: "metadata/registry:2.1" },
    });
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      {
        scope: "image",
        container: "mc",
        field: "image",
        change: "changed",
        before: "metadata/registry:2",
        after: "metadata/registry:2.1",
      },
    ]);
  });

  it("reports resource and port changes", () => {
    const next = build(ENV, {
      ...DEFAULT_TASK_SETTINGS,
      mc: { ...DEFAULT_TASK_SETTINGS.mc, memory: 12288, hostPort: 8080 },
    });
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      {
        scope: "resources",
        container: "mc",
        field: "memory",
        change: "changed",
        before: "10240",
        after: "12288",
      },
      {
        scope: "ports",
        container: "mc",
        field: "portMappings",
        change: "changed",
        before: "80:8080/tcp",
        after: "8080:8080/tcp",
      },
    ]);
  });

  it("reports added, removed and changed variables by name", () => {
    const next = build({
      ...ENV,
      MC_NAME: "Catalogue",
      MC_ADMIN_EMAIL: "admin@example.com",
      METADATA_HOST: undefined,
    } as unknown as McEnvironment);
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      {
        scope: "environment",
        container: "mc",
        field: "MC_ADMIN_EMAIL",
        change: "added",
        after: "admin@example.com",
      },
      {
        scope: "environment",
        container: "mc",
        field: "MC_NAME",
        change: "changed",
        before: "Model Catalogue",
        after: "Catalogue",
      },
      {
        scope: "environment",
        container: "mc",
        field: "METADATA_HOST",
        change: "removed",
        before: "catalogue.example.com",
      },
    ]);
  });

  it("shows that a plain-text secret changed without showing either value", () => {
    const changes = diffTaskDefinitions(
      described(legacy()),
      legacy({ ...ENV, METADATA_PASSWORD: CANARY_AFTER }),
    );
    expect(changes).toEqual([
      {
        scope: "environment",
        container: "mc",
        field: "METADATA_PASSWORD",
        change: "changed",
        before: "plain text ********",
        after: "plain text ********",
      },
    ]);
  });

  it("shows a secret moving from plain text to SSM, naming the parameter but no value", () => {
    const changes = diffTaskDefinitions(described(legacy()), build());
    expect(changes).toEqual([
      {
        scope: "other",
        field: "executionRoleArn",
        change: "added",
        after: TEST_WIRING.executionRoleArn,
      },
      {
        scope: "environment",
        container: "mc",
        field: "METADATA_PASSWORD",
        change: "changed",
        before: "plain text ********",
        after: "SSM /mcctl/model-catalogue/METADATA_PASSWORD",
      },
    ]);
  });

  it("sees no change when a secret stays in SSM, whatever its value", () => {
    expect(
      diffTaskDefinitions(described(build()), build({ ...ENV, METADATA_PASSWORD: CANARY_AFTER })),
    ).toEqual([]);
  });

  it("never reveals a secret that is added, removed or changed", () => {
    const before = legacy({ ...ENV, MC_MAIL_PASSWORD: CANARY_BEFORE, CUSTOM_TOKEN: CANARY_BEFORE });
    const after = legacy({ ...ENV, METADATA_PASSWORD: CANARY_AFTER, MC_S3_SECRET: CANARY_AFTER });
    const changes = diffTaskDefinitions(described(before), after);
    expect(changes.map((change) => `${change.change} ${change.field}`)).toEqual([
      "removed CUSTOM_TOKEN",
      "removed MC_MAIL_PASSWORD",
      "added MC_S3_SECRET",
      "changed METADATA_PASSWORD",
    ]);
    const rendered = JSON.stringify(changes);
    expect(rendered).not.toContain(CANARY_BEFORE);
    expect(rendered).not.toContain(CANARY_AFTER);
  });

  it("never reveals secrets of a container that is added", () => {
    const current = build();
    current.containerDefinitions = current.containerDefinitions?.filter(
      (definition) => definition.name !== "mc",
    );
    const changes = diffTaskDefinitions(current, build({ ...ENV, MC_GOOGLE_SECRET: CANARY_AFTER }));
    expect(JSON.stringify(changes)).not.toContain(CANARY_AFTER);
    expect(JSON.stringify(changes)).not.toContain(CANARY_BEFORE);
  });

  it("reports task-level volume changes", () => {
    const next = build(ENV, {
      ...DEFAULT_TASK_SETTINGS,
      es: { ...DEFAULT_TASK_SETTINGS.es, dataPath: "/data/es" },
    });
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      {
        scope: "volumes",
        field: "volumes",
        change: "changed",
        before: '[{"host":{"sourcePath":"/opt/docker-volumes/mc-es-data"},"name":"mc-es-data"}]',
        after: '[{"host":{"sourcePath":"/data/es"},"name":"mc-es-data"}]',
      },
    ]);
  });

  it("reports mount point changes of a container", () => {
    const next = build();
    const es = container(next, "mc-es");
    es.mountPoints = [
      { containerPath: "/usr/share/elasticsearch/data", sourceVolume: "mc-es-data", readOnly: true },
    ];
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      {
        scope: "volumes",
        container: "mc-es",
        field: "mountPoints",
        change: "changed",
        before: "mc-es-data:/usr/share/elasticsearch/data",
        after: "mc-es-data:/usr/share/elasticsearch/data:ro",
      },
    ]);
  });

  it("reports everything else as 'other' in compact JSON", () => {
    const next = build();
    container(next, "mc").logConfiguration = { logDriver: "awslogs", options: { "awslogs-group": "mc" } };
    container(next, "mc").links = [];
    next.taskRoleArn = "arn:aws:iam::123456789012:role/mc";
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      { scope: "other", field: "taskRoleArn", change: "added", after: "arn:aws:iam::123456789012:role/mc" },
      { scope: "other", container: "mc", field: "links", change: "removed", before: '["mc-es:mc-es"]' },
      {
        scope: "other",
        container: "mc",
        field: "logConfiguration",
        change: "changed",
        before:
          '{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/model-catalogue","awslogs-region":"eu-west-1","awslogs-stream-prefix":"mcctl"}}',
        after: '{"logDriver":"awslogs","options":{"awslogs-group":"mc"}}',
      },
    ]);
  });

  it("reports a family change at task level", () => {
    const next = build(ENV, { ...DEFAULT_TASK_SETTINGS, family: "mc-prod" });
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      { scope: "other", field: "family", change: "changed", before: "model-catalogue", after: "mc-prod" },
    ]);
  });

  it("reports task-level cpu and memory as resources", () => {
    const next = { ...build(), cpu: "4096", memory: "16384" };
    expect(diffTaskDefinitions(described(build()), next)).toEqual([
      { scope: "resources", field: "cpu", change: "added", after: "4096" },
      { scope: "resources", field: "memory", change: "added", after: "16384" },
    ]);
  });

  it("matches containers by name and reports added and removed ones", () => {
    const current = build();
    current.containerDefinitions?.push({ name: "old-sidecar", image: "busybox:1" });
    const next = build();
    next.containerDefinitions = [
      ...(next.containerDefinitions ?? []),
      { name: "proxy", image: "nginx:1.27", memory: 256, essential: false },
    ];
    expect(diffTaskDefinitions(described(current), next)).toEqual([
      { scope: "other", container: "proxy", field: "container", change: "added", after: "nginx:1.27" },
      { scope: "image", container: "proxy", field: "image", change: "added", after: "nginx:1.27" },
      { scope: "resources", container: "proxy", field: "memory", change: "added", after: "256" },
      { scope: "other", container: "proxy", field: "essential", change: "added", after: "false" },
      {
        scope: "other",
        container: "old-sidecar",
        field: "container",
        change: "removed",
        before: "busybox:1",
      },
    ]);
  });

  it("orders changes: task level, then per container in next's order by scope", () => {
    const current = build();
    const next = build(
      { ...ENV, MC_NAME: "Other" },
      {
        ...DEFAULT_TASK_SETTINGS,
        mc: { ...DEFAULT_TASK_SETTINGS.mc, image: "metadata/registry:3", cpu: 4096, hostPort: 81 },
        es: {
          ...DEFAULT_TASK_SETTINGS.es,
          image: "metadata/registry-elasticsearch:3",
          heapSize: "1g",
          dataPath: "/x",
        },
      },
    );
    container(next, "mc").essential = false;
    container(next, "mc-es").mountPoints = [];
    const order = diffTaskDefinitions(described(current), next).map(
      (change) => `${change.container ?? "task"} ${change.scope} ${change.field}`,
    );
    expect(order).toEqual([
      "task volumes volumes",
      "mc image image",
      "mc resources cpu",
      "mc ports portMappings",
      "mc environment MC_NAME",
      "mc other essential",
      "mc-es image image",
      "mc-es environment ES_HEAP_SIZE",
      "mc-es volumes mountPoints",
    ]);
  });

  it("compares port mappings and mount points as sets", () => {
    const current = build();
    container(current, "mc").portMappings = [
      { hostPort: 80, containerPort: 8080, protocol: "tcp" },
      { hostPort: 443, containerPort: 8443, protocol: "tcp" },
    ];
    const next = structuredClone(current);
    container(next, "mc").portMappings?.reverse();
    expect(diffTaskDefinitions(current, next)).toEqual([]);
  });

  it("uses the last of duplicate variables, as Docker does", () => {
    const current = build();
    container(current, "mc").environment?.push({ name: "MC_NAME", value: "Later" });
    const next = build({ ...ENV, MC_NAME: "Later" });
    expect(diffTaskDefinitions(current, next)).toEqual([]);
  });

  it("ignores tags, which DescribeTaskDefinition does not return inside the task definition", () => {
    const next = { ...build(), tags: [{ key: "app", value: "mc" }] };
    expect(diffTaskDefinitions(described(build()), next)).toEqual([]);
  });
});

describe("TaskDefinitionChange", () => {
  it("leaves container undefined for task-level changes", () => {
    const changes: TaskDefinitionChange[] = diffTaskDefinitions(
      build(),
      build(ENV, { ...DEFAULT_TASK_SETTINGS, family: "x" }),
    );
    expect(changes).toHaveLength(1);
    expect(changes[0]).not.toHaveProperty("container");
  });
});

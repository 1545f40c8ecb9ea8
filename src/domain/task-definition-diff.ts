import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import { isSecretVariable, SECRET_MASK } from "./environment.js";

export type ChangeScope = "image" | "environment" | "resources" | "ports" | "volumes" | "other";

export interface TaskDefinitionChange {
  scope: ChangeScope;
  /** Undefined for task-level fields. */
  container?: string;
  /** e.g. "image", "MC_NAME", "memory", "volumes". */
  field: string;
  change: "added" | "removed" | "changed";
  /** Secrets are masked: a secret's real value never appears. */
  before?: string;
  after?: string;
}

type Fields = Record<string, unknown>;

/** Fields ECS adds when describing a task definition; they can never be registered. */
const READ_ONLY_TASK_FIELDS = new Set([
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
  "deleteRequestedAt",
]);
/** DescribeTaskDefinition returns tags beside the task definition, so comparing them would always differ. */
const IGNORED_TASK_FIELDS = new Set([...READ_ONLY_TASK_FIELDS, "tags", "containerDefinitions"]);
const TASK_RESOURCE_FIELDS = ["cpu", "memory"];
const CONTAINER_RESOURCE_FIELDS = ["cpu", "memory", "memoryReservation"];
const CONTAINER_VOLUME_FIELDS = ["mountPoints", "volumesFrom"];
const HANDLED_CONTAINER_FIELDS = new Set([
  "name",
  "image",
  "environment",
  "secrets",
  "portMappings",
  ...CONTAINER_RESOURCE_FIELDS,
  ...CONTAINER_VOLUME_FIELDS,
]);

/**
 * What registering `next` would change compared with `current`, ignoring everything ECS fills in by itself,
 * so that a described copy of exactly what was registered shows no changes.
 */
export function diffTaskDefinitions(
  current: TaskDefinition | RegisterTaskDefinitionCommandInput,
  next: RegisterTaskDefinitionCommandInput,
): TaskDefinitionChange[] {
  const before = normaliseTask(current);
  const after = normaliseTask(next);
  const changes = diffTaskFields(before, after);

  const currentContainers = containersByName(current.containerDefinitions);
  const nextContainers = containersByName(next.containerDefinitions);
  for (const [name, container] of nextContainers) {
    const existing = currentContainers.get(name);
    if (existing === undefined) {
      changes.push({
        scope: "other",
        container: name,
        field: "container",
        change: "added",
        ...optional("after", imageOf(container)),
      });
    }
    changes.push(...diffContainers(name, existing ?? {}, container));
  }
  for (const [name, container] of currentContainers) {
    if (!nextContainers.has(name)) {
      changes.push({
        scope: "other",
        container: name,
        field: "container",
        change: "removed",
        ...optional("before", imageOf(container)),
      });
    }
  }
  return changes;
}

function imageOf(container: Fields): string | undefined {
  return typeof container.image === "string" ? container.image : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function normaliseTask(td: object): Fields {
  const fields: Fields = {};
  for (const [key, value] of Object.entries(td)) {
    if (IGNORED_TASK_FIELDS.has(key)) continue;
    // ECS on EC2 uses the bridge network when none is given, and may echo it back either way.
    if (key === "networkMode" && value === "bridge") continue;
    if (key === "enableFaultInjection" && value === false) continue;
    const normalised = normalise(key === "volumes" ? sortedBy(value, "name") : value);
    if (normalised !== undefined) fields[key] = normalised;
  }
  return fields;
}

function containersByName(containers: readonly object[] | undefined): Map<string, Fields> {
  const byName = new Map<string, Fields>();
  for (const container of containers ?? []) {
    const fields = normaliseContainer(container);
    byName.set(typeof fields.name === "string" ? fields.name : "", fields);
  }
  return byName;
}

/** Removes what ECS fills in by default, so that omitting a field and ECS's echo of its default compare equal. */
function normaliseContainer(container: object): Fields {
  const fields: Fields = {};
  for (const [key, value] of Object.entries(container)) {
    if (key === "essential" && value === true) continue;
    if (key === "cpu" && value === 0) continue;
    let adjusted = value;
    if (key === "portMappings" && Array.isArray(value)) {
      adjusted = value.map((mapping: Fields) => ({ protocol: "tcp", ...withoutNullish(mapping) }));
    }
    if (key === "mountPoints" && Array.isArray(value)) {
      adjusted = value.map((mount: Fields) =>
        mount.readOnly === false ? { ...mount, readOnly: undefined } : mount,
      );
    }
    const normalised = normalise(adjusted);
    if (normalised !== undefined) fields[key] = normalised;
  }
  return fields;
}

function withoutNullish(fields: Fields): Fields {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== null && value !== undefined),
  );
}

/** Drops null, undefined, empty arrays and empty objects, at any depth. */
function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map(normalise).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, normalise(item)] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}

function sortedBy(value: unknown, key: string): unknown {
  if (!Array.isArray(value)) return value;
  return [...value].sort((a: Fields, b: Fields) =>
    compareStrings(String(a?.[key] ?? ""), String(b?.[key] ?? "")),
  );
}

function diffTaskFields(before: Fields, after: Fields): TaskDefinitionChange[] {
  const changes: TaskDefinitionChange[] = [];
  for (const field of TASK_RESOURCE_FIELDS) {
    pushChange(changes, { scope: "resources", field }, before[field], after[field]);
  }
  pushChange(changes, { scope: "volumes", field: "volumes" }, before.volumes, after.volumes);
  for (const field of otherKeys(before, after, new Set([...TASK_RESOURCE_FIELDS, "volumes"]))) {
    pushChange(changes, { scope: "other", field }, before[field], after[field]);
  }
  return changes;
}

function diffContainers(container: string, before: Fields, after: Fields): TaskDefinitionChange[] {
  const changes: TaskDefinitionChange[] = [];
  pushChange(changes, { scope: "image", container, field: "image" }, before.image, after.image);
  for (const field of CONTAINER_RESOURCE_FIELDS) {
    pushChange(changes, { scope: "resources", container, field }, before[field], after[field]);
  }
  pushChange(
    changes,
    { scope: "ports", container, field: "portMappings" },
    asSet(before.portMappings),
    asSet(after.portMappings),
    renderPortMappings,
  );
  changes.push(...diffEnvironment(container, before, after));
  for (const field of CONTAINER_VOLUME_FIELDS) {
    const render = field === "mountPoints" ? renderMountPoints : renderJson;
    pushChange(
      changes,
      { scope: "volumes", container, field },
      asSet(before[field]),
      asSet(after[field]),
      render,
    );
  }
  for (const field of otherKeys(before, after, HANDLED_CONTAINER_FIELDS)) {
    pushChange(changes, { scope: "other", container, field }, before[field], after[field]);
  }
  return changes;
}

/**
 * A variable is one thing whether it is a plain value (`environment`) or a reference (`secrets`): moving
 * a password to SSM shows as "plain text → SSM /mcctl/…", and no secret value is ever shown.
 */
function diffEnvironment(container: string, before: Fields, after: Fields): TaskDefinitionChange[] {
  const beforeValues = variablesOf(before);
  const afterValues = variablesOf(after);
  const names = [...new Set([...beforeValues.keys(), ...afterValues.keys()])].sort(compareStrings);
  const changes: TaskDefinitionChange[] = [];
  for (const name of names) {
    pushChange(
      changes,
      { scope: "environment", container, field: name },
      beforeValues.get(name),
      afterValues.get(name),
      (value) => renderVariable(name, value as string),
    );
  }
  return changes;
}

/** Prefixes a reference so that it never compares equal to a plain value. */
const REFERENCE = "\u0000ref:";

/** Docker applies the last of duplicate names, so that is the value compared; a reference wins over both. */
function variablesOf(container: Fields): Map<string, string> {
  const values = new Map<string, string>();
  if (Array.isArray(container.environment)) {
    for (const entry of container.environment as Fields[]) {
      if (typeof entry.name === "string")
        values.set(entry.name, typeof entry.value === "string" ? entry.value : "");
    }
  }
  if (Array.isArray(container.secrets)) {
    for (const entry of container.secrets as Fields[]) {
      if (typeof entry.name === "string")
        values.set(entry.name, `${REFERENCE}${String(entry.valueFrom ?? "")}`);
    }
  }
  return values;
}

function renderVariable(name: string, value: string): string {
  if (value.startsWith(REFERENCE)) {
    const source = value.slice(REFERENCE.length);
    const parameter = /:parameter(\/.*)$/.exec(source)?.[1];
    return parameter ? `SSM ${parameter}` : `secret from ${source}`;
  }
  return isSecretVariable(name) ? `plain text ${SECRET_MASK}` : value;
}

function pushChange(
  changes: TaskDefinitionChange[],
  where: Pick<TaskDefinitionChange, "scope" | "container" | "field">,
  before: unknown,
  after: unknown,
  render: (value: unknown) => string = renderValue,
): void {
  if (before === undefined && after === undefined) return;
  if (before !== undefined && after !== undefined && canonicalJson(before) === canonicalJson(after)) return;
  const base: Omit<TaskDefinitionChange, "change"> = {
    scope: where.scope,
    ...(where.container === undefined ? {} : { container: where.container }),
    field: where.field,
  };
  if (before === undefined) {
    changes.push({ ...base, change: "added", after: render(after) });
  } else if (after === undefined) {
    changes.push({ ...base, change: "removed", before: render(before) });
  } else {
    changes.push({ ...base, change: "changed", before: render(before), after: render(after) });
  }
}

function otherKeys(before: Fields, after: Fields, handled: ReadonlySet<string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !handled.has(key))
    .sort(compareStrings);
}

/** Port mappings and mount points mean the same in any order. */
function asSet(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return [...value].sort((a, b) => compareStrings(canonicalJson(a), canonicalJson(b)));
}

function renderValue(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : canonicalJson(value);
}

function renderJson(value: unknown): string {
  return canonicalJson(value);
}

function renderPortMappings(value: unknown): string {
  if (!Array.isArray(value)) return renderValue(value);
  const simple = value.every(
    (mapping: Fields) =>
      typeof mapping === "object" &&
      mapping !== null &&
      Object.keys(mapping).every((key) => ["hostPort", "containerPort", "protocol"].includes(key)),
  );
  if (!simple) return canonicalJson(value);
  return value
    .map((mapping: Fields) => {
      const host = mapping.hostPort === undefined ? "" : `${String(mapping.hostPort)}:`;
      return `${host}${String(mapping.containerPort)}/${String(mapping.protocol)}`;
    })
    .join(", ");
}

function renderMountPoints(value: unknown): string {
  if (!Array.isArray(value)) return renderValue(value);
  return value
    .map((mount: Fields) => {
      const readOnly = mount.readOnly === true ? ":ro" : "";
      return `${String(mount.sourceVolume)}:${String(mount.containerPath)}${readOnly}`;
    })
    .join(", ");
}

/** JSON with object keys sorted, so that equal values render identically. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => compareStrings(a, b)))
      : item,
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
} from "@aws-sdk/client-ecs";
import { UsageError } from "../errors.js";
import { isSecretVariable, type McEnvironment, SECRET_MASK, variableSpec } from "./environment.js";
import { ECS_NAME_PATTERN, MAX_ECS_NAME_LENGTH, quote } from "./formats.js";
import { DEFAULT_LOG_RETENTION_DAYS, defaultLogGroup, type Logging, logConfigurationFor } from "./logs.js";

export interface ContainerSettings {
  image: string;
  /** Hard memory limit in MiB; the container is killed when it uses more. */
  memory: number;
  /** CPU units (1024 = one vCPU). */
  cpu: number;
}

export interface TaskSettings {
  family: string;
  /** Where both containers' output goes. */
  logging: Logging;
  mc: ContainerSettings & { hostPort: number };
  es: ContainerSettings & { dataPath: string; heapSize: string };
}

export const MC_CONTAINER = "mc";
export const ES_CONTAINER = "mc-es";
export const ES_VOLUME = "mc-es-data";
/** Tomcat's port inside the metadata/registry image. */
export const MC_CONTAINER_PORT = 8080;
export const ES_DATA_CONTAINER_PATH = "/usr/share/elasticsearch/data";

/** Frozen, so that a command adjusting its own copy cannot change the defaults of every other. */
export const DEFAULT_TASK_SETTINGS: TaskSettings = Object.freeze({
  family: "model-catalogue",
  logging: Object.freeze({
    driver: "awslogs" as const,
    group: defaultLogGroup("model-catalogue"),
    region: "eu-west-1",
    retentionDays: DEFAULT_LOG_RETENTION_DAYS,
  }),
  mc: Object.freeze({ image: "metadata/registry:2", memory: 10240, cpu: 2048, hostPort: 80 }),
  es: Object.freeze({
    image: "metadata/registry-elasticsearch:2",
    memory: 4096,
    cpu: 1024,
    dataPath: "/opt/docker-volumes/mc-es-data",
    heapSize: "2g",
  }),
});

/**
 * How the secret variables reach the container: a `secrets` reference each (the SSM parameter's ARN),
 * read at task start with the execution role. A secret value is never put in the task definition.
 */
export interface SecretWiring {
  executionRoleArn: string;
  valueFrom(variable: string): string;
}

/** ECS refuses a RegisterTaskDefinition request whose task definition is larger than this. */
export const MAX_TASK_DEFINITION_BYTES = 65_536;

/**
 * The task definition of the manual procedure: Model Catalogue and its Elasticsearch side-car on one EC2
 * instance, in ECS's default bridge network. Fields ECS would leave empty are not sent at all.
 */
export function buildTaskDefinition(
  task: TaskSettings,
  env: McEnvironment,
  wiring: SecretWiring,
): RegisterTaskDefinitionCommandInput {
  // Model Catalogue's own secrets are references; anything else (unknown to mcctl) stays as it is.
  const stored = (name: string) => variableSpec(name)?.secret === true;
  const mcEnvironment = environmentEntries(env, (name) => !stored(name));
  const secrets: Secret[] = environmentEntries(env, stored).map(({ name }) => ({
    name,
    valueFrom: wiring.valueFrom(name as string),
  }));
  const mc: ContainerDefinition = {
    name: MC_CONTAINER,
    image: task.mc.image,
    memory: task.mc.memory,
    cpu: task.mc.cpu,
    essential: true,
    portMappings: [{ hostPort: task.mc.hostPort, containerPort: MC_CONTAINER_PORT, protocol: "tcp" }],
    // The legacy link makes Docker set MC_ES_NAME, which is how the app learns to use the "mc-es" host.
    links: [`${ES_CONTAINER}:${ES_CONTAINER}`],
    logConfiguration: logConfigurationFor(task.logging, "syslog"),
    ...(mcEnvironment.length === 0 ? {} : { environment: mcEnvironment }),
    ...(secrets.length === 0 ? {} : { secrets }),
  };
  const es: ContainerDefinition = {
    name: ES_CONTAINER,
    image: task.es.image,
    memory: task.es.memory,
    cpu: task.es.cpu,
    essential: true,
    mountPoints: [{ containerPath: ES_DATA_CONTAINER_PATH, sourceVolume: ES_VOLUME }],
    logConfiguration: logConfigurationFor(task.logging, "json-file"),
    environment: [{ name: "ES_HEAP_SIZE", value: task.es.heapSize }],
  };
  return {
    family: task.family,
    ...(secrets.length === 0 ? {} : { executionRoleArn: wiring.executionRoleArn }),
    containerDefinitions: [mc, es],
    volumes: [{ name: ES_VOLUME, host: { sourcePath: task.es.dataPath } }],
  };
}

/** A deep copy in which the value of every secret environment variable is replaced by a mask. */
export function redactTaskDefinition<T extends { containerDefinitions?: ContainerDefinition[] | undefined }>(
  td: T,
): T {
  const copy = structuredClone(td);
  for (const container of copy.containerDefinitions ?? []) {
    for (const entry of container.environment ?? []) {
      if (entry.name !== undefined && isSecretVariable(entry.name) && entry.value !== undefined) {
        entry.value = SECRET_MASK;
      }
    }
  }
  return copy;
}

/** What a container instance must offer to place the task. */
export interface TaskRequirements {
  cpu: number;
  memoryMiB: number;
  hostPorts: number[];
}

export function taskRequirements(task: TaskSettings): TaskRequirements {
  return {
    cpu: task.mc.cpu + task.es.cpu,
    memoryMiB: task.mc.memory + task.es.memory,
    hostPorts: [task.mc.hostPort],
  };
}

/** Elasticsearch wants half its memory as heap; the file-system cache uses the other half. */
export function esHeapSizeFor(esMemoryMiB: number): string {
  const heapMiB = Math.floor(esMemoryMiB / 2);
  return heapMiB > 0 && heapMiB % 1024 === 0 ? `${heapMiB / 1024}g` : `${heapMiB}m`;
}

export function validateFamily(name: string): string | undefined {
  if (name === "") return "the task definition family is empty";
  if (name.length > MAX_ECS_NAME_LENGTH) {
    return `the task definition family is ${name.length} characters long; ECS allows at most ${MAX_ECS_NAME_LENGTH}`;
  }
  if (!ECS_NAME_PATTERN.test(name)) {
    return `task definition family ${quote(name)} may only contain letters, digits, hyphens and underscores`;
  }
  return undefined;
}

/**
 * Undefined when ECS will accept the rendered task definition's size, otherwise what is too big, naming
 * the largest environment variables (names only: a value may be a secret). Call it before
 * RegisterTaskDefinition, so that an oversized definition is a usage error rather than an AWS refusal.
 */
export function taskDefinitionSizeProblem(input: RegisterTaskDefinitionCommandInput): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(input), "utf8");
  if (bytes <= MAX_TASK_DEFINITION_BYTES) return undefined;
  const largest = (input.containerDefinitions ?? [])
    .flatMap((container) => container.environment ?? [])
    .map((entry) => ({ name: entry.name ?? "", bytes: Buffer.byteLength(entry.value ?? "", "utf8") }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((entry) => `${entry.name} ${entry.bytes} bytes`);
  return (
    `the task definition is ${bytes} bytes; ECS accepts at most ${MAX_TASK_DEFINITION_BYTES}` +
    (largest.length > 0 ? ` (largest values: ${largest.join(", ")})` : "")
  );
}

/** buildTaskDefinition, refusing (usage error) what ECS would refuse for its size. */
export function buildCheckedTaskDefinition(
  task: TaskSettings,
  env: McEnvironment,
  wiring: SecretWiring,
): RegisterTaskDefinitionCommandInput {
  const input = buildTaskDefinition(task, env, wiring);
  const tooLarge = taskDefinitionSizeProblem(input);
  if (tooLarge)
    throw new UsageError(tooLarge, { suggestion: "Shorten the values named; nothing was changed." });
  return input;
}

function environmentEntries(env: McEnvironment, include: (name: string) => boolean): KeyValuePair[] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && include(entry[0]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

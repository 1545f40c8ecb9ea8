import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { vi } from "vitest";
import type { Settings } from "../../src/config/settings.js";
import { gatherTaskInputs } from "../../src/config/task-inputs.js";
import { buildTaskDefinition } from "../../src/domain/task-definition.js";
import { scriptedAsker } from "./asker.js";
import { legacyTaskDefinition, TEST_WIRING } from "./secrets.js";
import type { SimulatedAws } from "./sim.js";
import { addMcHost, mcServiceInput } from "./sim-fixtures.js";

export const TEST_JDBC =
  "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";

/** The non-secret answers every seeded deployment has in mcctl.json. */
export const BASE_ENVIRONMENT: Readonly<Record<string, string>> = {
  METADATA_HOST: "mc.example.com",
  METADATA_JDBC_URL: TEST_JDBC,
  METADATA_USERNAME: "mc",
};

/** The mail settings a deployment with mail has in mcctl.json (MC_MAIL_PASSWORD is its secret). */
export const MAIL_ENVIRONMENT: Readonly<Record<string, string>> = {
  MC_MAIL_HOST: "smtp.example.com",
  MC_MAIL_FROM: "catalogue@example.com",
  MC_MAIL_USERNAME: "catalogue",
};

export interface LegacyDeployment {
  /** mcctl.json as the older mcctl left it: the inputs, the region and `taskDefinition` "family:1". */
  settings: Settings;
  /** The RegisterTaskDefinition input of the plain-text revision. */
  input: RegisterTaskDefinitionCommandInput;
  /** "model-catalogue:1" */
  revision: string;
}

/**
 * Registers (straight in the simulator, not logged) the revision an mcctl from before secrets moved to
 * SSM made from `environment` (mcctl.json's) and `secrets` (the variables it was run with): every secret
 * a plain `environment` value of the mc container, no execution role. Returns mcctl.json as it was left.
 */
export async function seedLegacyRevision(
  sim: SimulatedAws,
  options: { environment?: Settings["environment"]; secrets: Record<string, string>; image?: string },
): Promise<LegacyDeployment> {
  const settings: Settings = {
    environment: { ...BASE_ENVIRONMENT, ...options.environment },
    ...(options.image ? { mc: { image: options.image } } : {}),
  };
  const inputs = await gatherTaskInputs(
    { settings, env: options.secrets, interactive: false, region: "eu-west-1" },
    scriptedAsker({}).asker,
  );
  // Older mcctl also logged as the wiki did: syslog for mc, json-file for mc-es.
  const input = legacyTaskDefinition(
    buildTaskDefinition({ ...inputs.task, logging: { driver: "syslog" } }, inputs.environment, TEST_WIRING),
    inputs.environment,
  );
  const registered = sim.ecs.registerTaskDefinition(input).taskDefinition;
  const revision = `${registered?.family}:${registered?.revision}`;
  const { logs: _logs, ...older } = inputs.settings;
  return {
    settings: { ...older, region: "eu-west-1", taskDefinition: revision },
    input,
    revision,
  };
}

/**
 * Cluster `default` with one EC2-backed container instance, and service `mc` running one task of
 * `taskDefinition`, steady after a minute of simulated time. The calls made so far are forgotten unless
 * `keepCalls`.
 */
export async function runService(
  sim: SimulatedAws,
  taskDefinition: string,
  options: { keepCalls?: boolean } = {},
): Promise<void> {
  sim.ecs.addCluster("default");
  addMcHost(sim, "default", { instanceId: "i-0123456789abcdef0" });
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition }));
  await vi.advanceTimersByTimeAsync(60_000);
  if (!options.keepCalls) sim.clearCalls();
}

/** The task of service `mc` that is RUNNING now (fails when there is not exactly one). */
export function runningTask(sim: SimulatedAws) {
  const running = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
  if (running.length !== 1) throw new Error(`expected one RUNNING task of mc, found ${running.length}`);
  const [task] = running;
  return {
    arn: task?.taskArn ?? "",
    revision: task?.taskDefinitionArn?.split("/").pop(),
    environment: sim.ecs.containerEnvironment(task?.taskArn ?? "", "mc") ?? {},
  };
}

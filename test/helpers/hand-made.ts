import { readFileSync } from "node:fs";
import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { vi } from "vitest";
import type { SimulatedAws } from "./sim.js";
import { addMcHost, mcServiceInput } from "./sim-fixtures.js";

/** The family of the wiki's hand-made task definition (test/fixtures/seed-task-definition.json). */
export const HAND_MADE_FAMILY = "your-mc-all-task-definition";

/** The secrets the wiki's task definition holds in plain text in `environment`, by variable. */
export const HAND_MADE_SECRETS: Readonly<Record<string, string>> = {
  MC_MAIL_PASSWORD: "c00lpwd",
  METADATA_PASSWORD: "strongpwd",
  MC_S3_SECRET: "S3CR3T",
  MC_S3_KEY: "THEKEY",
};

export interface HandMadeOptions {
  /** METADATA_JDBC_URL instead of the wiki's placeholder. */
  jdbcUrl?: string;
  /**
   * The wiki's text exactly: mail without MC_MAIL_FROM, so the app sends none. Otherwise the operator
   * completed it with a sender (what mcctl's rules ask), and mail works.
   */
  asInWiki?: boolean;
}

/** The sender an operator who completed the wiki's mail settings gave. */
export const HAND_MADE_MAIL_FROM = "catalogue@example.com";

/** The wiki's task definition as the operator registered it by hand, nulls and all. */
export function handMadeTaskDefinition(options: HandMadeOptions = {}): RegisterTaskDefinitionCommandInput {
  const input = JSON.parse(
    readFileSync(new URL("../fixtures/seed-task-definition.json", import.meta.url), "utf8"),
  ) as RegisterTaskDefinitionCommandInput;
  const mc = input.containerDefinitions?.find((container) => container.name === "mc");
  const jdbc = mc?.environment?.find((entry) => entry.name === "METADATA_JDBC_URL");
  if (jdbc && options.jdbcUrl) jdbc.value = options.jdbcUrl;
  if (!options.asInWiki) mc?.environment?.push({ name: "MC_MAIL_FROM", value: HAND_MADE_MAIL_FROM });
  return input;
}

/**
 * A deployment made by hand, as the wiki tells: cluster `default` with one container instance, the wiki's
 * task definition registered (revision 1) and service `mc` running it, steady. No mcctl.json. The calls
 * made so far are forgotten.
 */
export async function seedHandMadeService(
  sim: SimulatedAws,
  options: HandMadeOptions = {},
): Promise<{ revision: string }> {
  sim.ecs.addCluster("default");
  addMcHost(sim, "default", { instanceId: "i-0123456789abcdef0" });
  const registered = sim.ecs.registerTaskDefinition(handMadeTaskDefinition(options)).taskDefinition;
  const revision = `${registered?.family}:${registered?.revision}`;
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: revision }));
  await vi.advanceTimersByTimeAsync(60_000);
  sim.clearCalls();
  return { revision };
}

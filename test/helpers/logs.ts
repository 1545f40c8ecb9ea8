// Loaded up front: `context.aws.logs()` imports it lazily, and a first load taking real time while a
// test runs fake time would let simulated time pass before the command's first CloudWatch Logs call.
import "../../src/aws/logs.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import type { Settings } from "../../src/config/settings.js";
import { testContext } from "./context.js";
import { BASE_ENVIRONMENT } from "./deployments.js";

/** The secrets every deployment of the logs tests is registered with. */
export const LOG_TEST_SECRETS: Readonly<Record<string, string>> = {
  METADATA_PASSWORD: "Logs-Db-Pass-51c2",
  MC_SUPERVISOR_PASSWORD: "Logs-Sup-Pass-9e07",
};

/**
 * Runs `mcctl register-task --yes` on mcctl.json with BASE_ENVIRONMENT (and `settings`): revision
 * model-catalogue:1, its secrets in SSM and (unless `logs.driver` is syslog) its log group. Returns the
 * command's context: mcctl.json's path and what it printed.
 */
export async function registerModelCatalogue(settings: Settings = {}) {
  const context = testContext({
    settings: { ...settings, environment: { ...BASE_ENVIRONMENT, ...settings.environment } },
    env: { ...LOG_TEST_SECRETS },
    options: { yes: true },
  });
  const result = await runRegisterTask(context, RegisterTaskOptionsSchema.parse({}));
  return { context, result };
}

/**
 * Resolves once `condition` holds, looking every `stepMs` of (fake) time: for `runUntilSettled`, to let
 * simulated time run until a follow has printed what a test waits for.
 */
export function until(condition: () => boolean, stepMs = 250): Promise<void> {
  return new Promise((resolve) => {
    const look = () => {
      if (condition()) resolve();
      else setTimeout(look, stepMs);
    };
    look();
  });
}

/** The non-empty lines of captured output. */
export function linesOf(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

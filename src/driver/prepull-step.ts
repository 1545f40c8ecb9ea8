import type { EcsApi } from "../aws/ecs.js";
import { type PrepullWatch, prepullImages } from "../operations/prepull.js";
import { describePrepull, type PrepullPlan } from "../plan/prepull.js";
import type { Step } from "./verb.js";

/**
 * The pre-pull as a step of an upgrade: bounded by --timeout of its own (the restart's time counts after
 * it), stopped by the interrupt trap's signal, saying at Ctrl-C that the service is untouched.
 */
export function prepullStep(
  ecs: EcsApi,
  plan: PrepullPlan,
  watch: PrepullWatch,
  about: { service: string; from: string },
  waits: { timeout: number; pollInterval: number },
): Step {
  const { title, details } = describePrepull(plan);
  return {
    title,
    details,
    run: ({ reporter, signal }) =>
      prepullImages(ecs, reporter, plan, {
        ...about,
        deadline: Date.now() + waits.timeout,
        timeoutMs: waits.timeout,
        pollIntervalMs: waits.pollInterval,
        signal,
        watch,
      }),
  };
}

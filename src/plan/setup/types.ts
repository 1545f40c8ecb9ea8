import type { Asker } from "../../config/questions.js";
import type { Settings } from "../../config/settings.js";

export type { SetupAws } from "../../operations/setup/types.js";

/** What a plan line says about one resource. */
export type PlanState = "exists" | "create" | "pending" | "skip";

export interface PlanLine {
  step: string;
  state: PlanState;
  detail: string;
}

/**
 * Everything a setup planner needs besides AWS: how to ask, what is already known, where to show a
 * warning beside the question it concerns. Planners only look and ask; they change nothing.
 */
export interface PlanIo {
  ask: Asker;
  /** Questions may be asked (a terminal, no --yes). Otherwise answers come from `settings` and `env`. */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  region: string;
  accountId: string;
  /** mcctl.json as it is: read, never written, while planning. */
  settings: Settings;
  /** Secrets ECS already holds in the revision mcctl.json describes (planSetup looks them up). */
  knownSecrets?: Readonly<Record<string, string>>;
  /** --no-wait: the task definition is not registered in this run. */
  noWait: boolean;
  tags: Record<string, string>;
  warn(message: string): void;
  info(message: string): void;
}

/**
 * The restart sequence, one phase after another: the plan prints these lines and the restart
 * (src/operations/restart.ts) announces each phase by the same name as it enters it, so what the plan
 * shows and what runs come from this one list (test/operations/restart.test.ts holds them to it).
 */
export type RestartPhase =
  | "scaling-down"
  | "waiting-for-stop"
  | "scaling-up"
  | "waiting-for-steady"
  | "checking-health";

/** What the lines of the sequence name. */
export interface RestartFacts {
  service: string;
  /** The desired count now, and the one the service gets back. */
  from: number;
  to: number;
  healthUrl?: string | undefined;
  /** A revision the service is pointed at while it is at 0 (upgrade, rollback). */
  revision?: string | undefined;
}

const LINES: Record<RestartPhase, (facts: RestartFacts) => string> = {
  "scaling-down": (facts) =>
    `set the desired count of ${facts.service} from ${facts.from} to 0${facts.revision ? ` and point it at ${facts.revision}` : ""}`,
  "waiting-for-stop": () => "wait until every task is STOPPED (a stopping task still holds port 80)",
  "scaling-up": (facts) => `set the desired count back to ${facts.to}`,
  "waiting-for-steady": () => "wait until the service is steady",
  "checking-health": (facts) => `wait until ${facts.healthUrl} answers HTTP 200`,
};

/** The phases a restart goes through, in order: the health check only with a health URL. */
export function restartPhases(healthUrl: string | undefined): RestartPhase[] {
  const phases: RestartPhase[] = ["scaling-down", "waiting-for-stop", "scaling-up", "waiting-for-steady"];
  return healthUrl ? [...phases, "checking-health"] : phases;
}

/** The sequence as the plan prints it, a line a phase. */
export function restartSteps(facts: RestartFacts): string[] {
  return restartPhases(facts.healthUrl).map((phase) => LINES[phase](facts));
}

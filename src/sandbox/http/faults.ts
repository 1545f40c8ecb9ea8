/**
 * Scripted misbehaviour of the sandbox's HTTP server: requests answered with the service's throttling error,
 * a 5xx, its access-denied error or an HTML page, left without an answer, or their connection reset. The
 * errors are the simulator's own (src/sandbox/sim/errors.ts `faultError`), so each service answers in its
 * own words: ECS `ThrottlingException`, EC2 `RequestLimitExceeded`, RDS/IAM/STS `Throttling`…
 */
import type { FaultKind, ServiceErrorProfile } from "../sim/errors.js";
import type { SimulatedAws } from "../sim/index.js";

/**
 * How one request misbehaves: the service's throttling error, a 5xx error, no answer at all, a connection
 * reset (the socket destroyed before any answer), an HTML page (a proxy, a captive portal, a wrong URL) or
 * the service's access-denied error (a policy without that action).
 */
export type HttpFault = "throttling" | "server-error" | "hang" | "reset" | "html" | "access-denied";

export interface HttpFaultRule {
  fault: HttpFault;
  /** Only requests to this service, by the simulator's name ("ECS", "EC2", "CloudWatchLogs"…); any when left out. */
  service?: string;
  /** Only requests for this operation, e.g. "DescribeServices"; any operation when left out. */
  command?: string;
  /** How many matching requests misbehave (default 1). */
  times?: number;
  /** Matching requests to answer normally first (default 0). */
  after?: number;
}

interface ActiveRule {
  fault: HttpFault;
  service: string | undefined;
  command: string | undefined;
  remaining: number;
  skip: number;
}

/** The injected rules, used up in the order given. */
export class HttpFaultRules {
  readonly #rules: ActiveRule[] = [];

  inject(rule: HttpFaultRule): void {
    this.#rules.push({
      fault: rule.fault,
      service: rule.service,
      command: rule.command,
      remaining: rule.times ?? 1,
      skip: rule.after ?? 0,
    });
  }

  /** The fault for a request to `service`'s `command`, if a rule has one left for it. */
  take(service: string, command: string): HttpFault | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining === 0) continue;
      if (rule.service !== undefined && rule.service !== service) continue;
      if (rule.command !== undefined && rule.command !== command) continue;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      rule.remaining--;
      return rule.fault;
    }
    return undefined;
  }
}

/** The simulator's fault kind for the faults that are service errors. */
export const serviceErrorFaults: Partial<Record<HttpFault, FaultKind>> = {
  throttling: "throttling",
  "server-error": "server",
  "access-denied": "access-denied",
};

/** Each simulated service's error profile, by the simulator's name for the service. */
export function errorProfiles(sim: SimulatedAws): ReadonlyMap<string, ServiceErrorProfile> {
  return new Map(
    [sim.ecs, sim.ec2, sim.s3, sim.rds, sim.sts, sim.iam, sim.ssm, sim.logs].map((simulator) => [
      simulator.errorProfile.service,
      simulator.errorProfile,
    ]),
  );
}

/** What a proxy or a captive portal answers in AWS's place. */
export const htmlPage =
  "<!DOCTYPE html><html><head><title>Welcome</title></head><body>It works!</body></html>";

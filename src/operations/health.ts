import { McctlError } from "../errors.js";
import { poll } from "../queries/poll.js";

export interface HealthCheckOptions {
  url: string;
  deadline: number;
  intervalMs: number;
  signal?: AbortSignal | undefined;
  onAttempt?: (outcome: string) => void;
  fetchImpl?: typeof fetch;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Model Catalogue needs a minute or two after its container starts before it answers: poll until
 * the page answers HTTP 200 or the deadline passes.
 */
export async function waitForHealthy(options: HealthCheckOptions): Promise<void> {
  const fetchImpl = options.fetchImpl ?? fetch;
  let lastOutcome = "no answer yet";
  await poll({
    deadline: options.deadline,
    intervalMs: options.intervalMs,
    signal: options.signal,
    attempt: async () => {
      try {
        const response = await fetchImpl(options.url, {
          redirect: "manual",
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.status === 200) return true;
        lastOutcome = `HTTP ${response.status}`;
      } catch (error) {
        lastOutcome =
          (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : String(error);
      }
      options.onAttempt?.(lastOutcome);
      return undefined;
    },
    onTimeout: () =>
      new McctlError(`${options.url} did not answer HTTP 200 in time (last: ${lastOutcome})`, {
        suggestion:
          "The task is running but the application is not answering: check its logs on the container instance (docker logs).",
      }),
  });
}

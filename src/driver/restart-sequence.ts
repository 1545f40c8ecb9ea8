import { applyDeadline, type CommandContext } from "../context.js";
import { type RestartRequest, RestartWatch } from "../operations/restart.js";
import type { ApplyRun, Step } from "./verb.js";

/** What restart, upgrade and rollback hand the restart sequence, apart from the count to restore. */
export type RestartRun = Omit<RestartRequest, "countWhenStopped" | "taskDefinitionArn">;

/** The waits of a verb that ends with the restart sequence. */
export interface RestartWaits {
  timeout: number;
  pollInterval: number;
}

/**
 * The restart sequence as a step of a plan (restart, upgrade, rollback, secrets set): its phases are
 * the step's lines, and its watch is what the driver's interrupt trap says at Ctrl-C (the plan hands
 * it over as its `interrupts`). `work` gets the request the flags, the plan's health URL and the
 * command's deadline make.
 */
export class RestartSequence<T> {
  readonly watch: RestartWatch;
  private value: { result: T } | undefined;

  constructor(
    private readonly context: CommandContext,
    private readonly waits: RestartWaits,
    private readonly healthUrl: string | undefined,
  ) {
    this.watch = new RestartWatch(context.service);
  }

  step(
    title: string,
    details: readonly string[],
    work: (run: RestartRun, apply: ApplyRun) => Promise<T>,
  ): Step {
    return {
      title,
      details,
      run: async (apply) => {
        const result = await work(
          {
            cluster: this.context.cluster,
            service: this.context.service,
            healthUrl: this.healthUrl,
            timeoutMs: this.waits.timeout,
            deadline: applyDeadline(this.context, this.waits.timeout),
            pollIntervalMs: this.waits.pollInterval,
            signal: apply.signal,
            onPhase: this.watch.onPhase,
          },
          apply,
        );
        this.value = { result };
      },
    };
  }

  /** What the sequence ended with; only after its step ran. */
  get result(): T {
    if (!this.value) throw new Error("the restart sequence has not run");
    return this.value.result;
  }
}

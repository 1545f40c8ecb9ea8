/**
 * Scripted placement failures (`EcsSimulator.scriptPlacementFailure`): the next time the service scheduler
 * places a task, no container instance has room, as if a workload outside the cluster's services held the
 * memory; that lasts `forMs`, after which ECS's own retry (`timings.placementRetryMs`) places the task. The
 * service shows what ECS writes then: "(service mc) was unable to place a task because no container instance
 * met all of its requirements. The closest matching (container-instance …) has insufficient memory available."
 */

export interface PlacementFailureScript {
  /** How long placements keep failing once the first one has (simulated milliseconds). */
  forMs: number;
}

/** Handle on a scripted placement failure. */
export interface ScriptedPlacementFailure {
  /** When the first refused placement happened; undefined until one has. */
  readonly struckAt: number | undefined;
  /** Whether placements are still to be refused (armed, or within its window). */
  readonly pending: boolean;
  cancel(): void;
}

class PlacementFailureEntry implements ScriptedPlacementFailure {
  struckAt: number | undefined;
  #over = false;
  #cancelled = false;

  constructor(readonly forMs: number) {}

  get pending(): boolean {
    return !this.#cancelled && !this.#over;
  }

  /** Whether a placement at `now` is refused; the first one starts the window, the first after it ends it. */
  refuses(now: number): boolean {
    this.struckAt ??= now;
    if (now < this.struckAt + this.forMs) return true;
    this.#over = true;
    return false;
  }

  cancel(): void {
    this.#cancelled = true;
  }
}

/** The scripts of one simulated ECS, first scripted first: a second one strikes when the first is over. */
export class PlacementFailures {
  #entries: PlacementFailureEntry[] = [];

  script(script: PlacementFailureScript): ScriptedPlacementFailure {
    const entry = new PlacementFailureEntry(script.forMs);
    this.#entries.push(entry);
    return entry;
  }

  /** Whether a service placement at simulated time `now` finds no instance with room. */
  refuses(now: number): boolean {
    this.#entries = this.#entries.filter((entry) => entry.pending);
    return this.#entries.some((entry) => entry.refuses(now));
  }
}

/**
 * One call through the simulated AWS: log it, bring the world up to date, authorize it against the caller's
 * policies (when set: a denied call never reaches the fault injector or the handler, and its faults stay queued),
 * apply faults, run the handler, then the effects of what was granted. Operations the simulator does not
 * implement always fail, loudly.
 */
import type { CallerAuthorization } from "./authorization.js";
import { type CallRecord, clone, responseMetadata, type SimContext } from "./core.js";
import type { FaultCall, FaultInjector } from "./faults.js";

/** What a call goes through. */
export interface CallMachinery {
  context: SimContext;
  faults: FaultInjector;
  calls: CallRecord[];
  authorization: CallerAuthorization;
}

/** The operation's handler, or undefined when the simulator does not implement it. */
export type CallHandler = (() => unknown) | undefined;

/** A call as a client sends it: the response (with `$metadata`) or the error, as the SDK would hand them out. */
export function sendCall(sim: CallMachinery, call: FaultCall, handle: CallHandler): Promise<unknown> {
  const outcome = runCall(sim, call, handle, { copyInput: true, recordOutput: true });
  if (!outcome.ok) return Promise.reject(outcome.error);
  return Promise.resolve({
    ...clone(outcome.output as object),
    $metadata: responseMetadata(200, outcome.requestId),
  });
}

/**
 * Reads whose handlers change nothing in the simulated account when they succeed: they only render state (after
 * the clock has advanced, which every call does first) and draw no ids. A replay of such a call that succeeded
 * need not run its handler: the poll loops (DescribeServices, ListTasks, DescribeTasks) are most of a journal,
 * and rendering their answers most of a replay's time. A read added here must truly have no effect: no id drawn,
 * no token or cursor kept, no log flushed (CloudWatch Logs' reads flush the awslogs driver: not here).
 */
export const PURE_READS: ReadonlySet<string> = new Set([
  "ECS:DescribeServices",
  "ECS:ListTasks",
  "ECS:DescribeTasks",
  "ECS:DescribeTaskDefinition",
  "ECS:DescribeClusters",
  "ECS:ListContainerInstances",
  "ECS:DescribeContainerInstances",
  "EC2:DescribeInstances",
  "EC2:DescribeImages",
  "RDS:DescribeDBInstances",
  "RDS:DescribeDBSnapshots",
  "STS:GetCallerIdentity",
]);

/**
 * A call run again (the sandbox account's replay of its journal): the same effects on the account and the same
 * ids drawn as `sendCall`, but no response is built, and the log keeps the input as given (it belongs to the
 * replay alone) and the output only when asked: copying them costs as much as running the call. A pure read
 * that `succeeded` when first made does not run its handler at all (unless its output is asked for).
 */
export function replayCall(
  sim: CallMachinery,
  call: FaultCall,
  handle: CallHandler,
  options: { recordOutput: boolean; succeeded: boolean },
): { error?: unknown } {
  const skip =
    options.succeeded && !options.recordOutput && PURE_READS.has(`${call.service}:${call.command}`);
  const outcome = runCall(sim, call, skip ? () => undefined : handle, {
    copyInput: false,
    recordOutput: options.recordOutput,
  });
  return outcome.ok ? {} : { error: outcome.error };
}

type Outcome = { ok: true; output: unknown; requestId: string } | { ok: false; error: unknown };

function runCall(
  sim: CallMachinery,
  call: FaultCall,
  handle: CallHandler,
  options: { copyInput: boolean; recordOutput: boolean },
): Outcome {
  const record: CallRecord = {
    service: call.service,
    command: call.command,
    input: options.copyInput ? clone(call.input) : call.input,
    at: sim.context.clock.now(),
  };
  sim.calls.push(record);
  try {
    if (!handle) throw new Error(`simulated AWS does not implement ${call.service}:${call.command}`);
    sim.context.clock.advance();
    const granted = sim.authorization.authorize(call);
    const fault = sim.faults.take(call);
    if (fault && !fault.applied) throw fault.error;
    const output = handle();
    granted();
    if (fault) throw fault.error;
    if (options.recordOutput) record.output = clone(output);
    return { ok: true, output, requestId: sim.context.ids.uuid() };
  } catch (error) {
    record.error = error;
    return { ok: false, error };
  }
}

import { withChangesRefused } from "../aws/limits.js";
import { type CommandContext, confirmationToAsk, requireConfirmable } from "../context.js";
import { McctlError } from "../errors.js";
import { withInterruptTrap } from "../ui/interrupt.js";
import { DRY_RUN_END } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import { printFailureLogsAfter } from "./failure-logs.js";
import type { ApplyRun, ChangingVerb, Plan, ReadingVerb, Summary } from "./verb.js";

/** What the driver needs of every verb's options. */
export interface DriverOptions {
  dryRun?: boolean | undefined;
}

/** What a changing verb ends with: the plan's summary (dry run, nothing to do) or the outcome's value. */
export type Driven<R, S> = R | (S & { dryRun: boolean; nothingToDo?: true });

/**
 * The one way a verb that changes AWS runs: missing input first (every item in one list), then the plan
 * (read-only: any change is refused), printed as its numbered steps; nothing to do ends there, asking
 * nothing; a dry run ends there too; then one confirmation, and the steps, under the interrupt trap when
 * the plan asks for it.
 */
export async function drive<O extends DriverOptions, R, S extends Summary = Summary>(
  context: CommandContext,
  verb: ChangingVerb<O, R, S>,
  options: O,
): Promise<Driven<R, S>> {
  const { output } = context;
  const dryRun = options.dryRun === true;
  await requireConfirmable(context, !dryRun, async () => verb.localCheck?.(context, options));
  const plan = await withChangesRefused(() => verb.plan(context, options));
  if (plan.steps.length === 0) {
    output.result(
      { ...plan.summary, dryRun, nothingToDo: true },
      `Nothing to do${plan.nothingToDo ? `: ${plan.nothingToDo}` : "."}`,
    );
    return { ...plan.summary, dryRun, nothingToDo: true as const };
  }
  printSteps(context, plan);
  if (dryRun) {
    if (plan.dryRunOutput) {
      output.result(plan.dryRunOutput.json, plan.dryRunOutput.text);
      output.hint(DRY_RUN_END);
    } else {
      output.result(
        { ...plan.summary, dryRun: true, steps: plan.steps.map((step) => step.title) },
        DRY_RUN_END,
      );
    }
    return { ...plan.summary, dryRun: true };
  }
  await confirm(context, plan);
  const reporter = terminalReporter(output);
  const runSteps = async (signal?: AbortSignal) => {
    const apply: ApplyRun = { reporter, signal };
    for (const step of plan.steps) {
      // After Ctrl-C, the step under way finishes its clean-up; the next one does not start.
      if (signal?.aborted) throw signal.reason;
      await step.run(apply);
    }
  };
  if (plan.interrupts) {
    await withInterruptTrap(output, plan.interrupts, (signal) =>
      withFailureLogs(context, () => runSteps(signal)),
    );
  } else {
    await runSteps();
  }
  const outcome = plan.outcome();
  output.result(outcome.json, outcome.message);
  return outcome.value;
}

/** A read-only verb: every AWS call that would change something is refused. */
export function read<O, R>(context: CommandContext, verb: ReadingVerb<O>, options: O): Promise<R> {
  return withChangesRefused(() => verb.read(context, options)) as Promise<R>;
}

function printSteps(context: CommandContext, plan: Plan): void {
  const { output } = context;
  output.info(plan.title);
  for (const [index, step] of plan.steps.entries()) {
    output.info(`  ${index + 1}. ${step.title}`);
    for (const detail of step.details ?? []) output.info(`     ${detail}`);
  }
}

async function confirm(context: CommandContext, plan: Plan): Promise<void> {
  if (!confirmationToAsk(context)) return;
  if (plan.typeToConfirm !== undefined) {
    const label = plan.typeToConfirmLabel ?? plan.typeToConfirm;
    const answer = await context.ask.askText({ message: `${plan.question} Type ${label} to confirm:` });
    if (answer.trim() === plan.typeToConfirm) return;
    throw new McctlError(
      `cancelled: "${answer.trim().slice(0, 40)}" is not ${label}; nothing was changed and nothing was saved`,
    );
  }
  if (!(await context.ask.askConfirm(plan.question, false))) {
    throw new McctlError("cancelled at the confirmation; nothing was changed and nothing was saved");
  }
}

/** A step that failed because a task died shows that task's last log lines before the error travels on. */
async function withFailureLogs<T>(context: CommandContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await printFailureLogsAfter(context, error);
    throw error;
  }
}

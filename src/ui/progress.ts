import type { WaitReporter } from "../operations/service-monitor.js";
import type { Output } from "./output.js";

/**
 * Runs a wait under a spinner. Service events and stopped tasks are printed as lines above it;
 * the spinner ends green with the text `work` returns, or red with the error.
 */
export async function withProgress(
  output: Output,
  text: string,
  work: (reporter: WaitReporter) => Promise<string>,
): Promise<void> {
  const spinner = await output.spinner(text);
  const reporter: WaitReporter = {
    progress: (next) => spinner.update(next),
    line: (line) => spinner.log(line),
    retrying: (error) => output.debug(`retrying after a transient error: ${String(error)}`),
  };
  try {
    spinner.succeed(await work(reporter));
  } catch (error) {
    spinner.fail(`${text}: stopped`);
    throw error;
  }
}

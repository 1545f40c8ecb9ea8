import type { Reporter } from "../operations/reporter.js";
import type { Output } from "./output.js";

/** The terminal's side of the operations' Reporter: messages on stderr, waits under a spinner. */
export function terminalReporter(output: Output): Reporter {
  return {
    info: (message) => output.info(message),
    success: (message) => output.success(message),
    warn: (message) => output.warn(message),
    error: (message) => output.error(message),
    debug: (message) => output.debug(message),
    wait: async (label, work) => {
      const spinner = await output.spinner(label);
      // Until the first look reports, the label counts the time since the wait began.
      spinner.update(label, Date.now());
      try {
        const { value, done } = await work({
          progress: (text, since) => spinner.update(text, since),
          line: (line) => spinner.log(line),
          retrying: (error) => output.debug(`retrying after a transient error: ${String(error)}`),
        });
        spinner.succeed(done);
        return value;
      } catch (error) {
        spinner.fail(`${label}: stopped`);
        throw error;
      }
    },
  };
}

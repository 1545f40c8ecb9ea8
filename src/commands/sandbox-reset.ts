import { unlink } from "node:fs/promises";
import { type CommandContext, sandboxOf } from "../context.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb } from "../driver/verb.js";

const FLAGS = verbNamed("sandbox reset").flags;
export const options = optionsSchema(FLAGS);
export type SandboxResetOptions = OptionsOf<typeof FLAGS>;

/** Starts the practice account over: its journal goes, and so does the mcctl.json written in it. */
export const verb = {
  async plan(context) {
    const sandbox = sandboxOf(context);
    const { createdAt, calls } = sandbox.describe();
    const settings = context.settings;
    const steps = [];
    if (calls > 0) {
      steps.push({
        title: `forget the sandbox account made ${createdAt} (${calls} calls, ${sandbox.stateFile}): everything in it goes`,
        run: async () => sandbox.reset(),
      });
    }
    // settingsForMode refused any file not written in the sandbox: this one describes the practice account.
    if (settings.exists) {
      steps.push({
        title: `delete ${settings.path} (written in the sandbox)`,
        run: async () => unlink(settings.path),
      });
    }
    return {
      title: "Starting the sandbox account over:",
      steps,
      nothingToDo: "the sandbox account is new: nothing was made in it",
      question: "Forget everything done in the sandbox account?",
      summary: { stateFile: sandbox.stateFile, calls, settings: settings.exists ? settings.path : undefined },
      outcome: () => ({
        value: undefined,
        json: { reset: true, stateFile: sandbox.stateFile },
        message:
          "The sandbox account starts over: `mcctl --sandbox setup --yes` installs Model Catalogue in it",
      }),
    };
  },
} satisfies ChangingVerb<SandboxResetOptions>;

export function runSandboxReset(context: CommandContext, options: SandboxResetOptions) {
  return drive(context, verb, options);
}

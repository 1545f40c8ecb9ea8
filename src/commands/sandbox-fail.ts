import * as z from "zod/mini";
import { isSandboxFault, SANDBOX_FAULTS, type SandboxFaultName } from "../config/defaults.js";
import { type CommandContext, sandboxOf } from "../context.js";
import { quote } from "../domain/formats.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb } from "../driver/verb.js";
import { UsageError } from "../errors.js";

const FLAGS = verbNamed("sandbox fail").flags;
export const options = optionsSchema(FLAGS, { fault: z.string() });
export type SandboxFailOptions = OptionsOf<typeof FLAGS> & { fault: string };

/** How to see each fault and what to do about it: the rehearsal. */
const REHEARSALS: Record<SandboxFaultName, string> = {
  "task-fails-to-start":
    "Then `mcctl --sandbox restart --yes`: see the stopped task's reason and last log lines, and ECS start another.",
  "out-of-memory":
    "Then `mcctl --sandbox restart --yes`, `mcctl --sandbox status` and `mcctl --sandbox logs`: exit code 137 is the kernel's kill.",
  "placement-failure":
    "Then `mcctl --sandbox restart --yes`: the service's events say why no instance had room until ECS placed the task.",
  throttling:
    "Then `mcctl --sandbox status` or `restart --yes`: the SDK retries the throttled calls, with backoff.",
  "endpoint-hang":
    "Then `mcctl --sandbox status`: the call is cut at its request timeout (MCCTL_AWS_REQUEST_TIMEOUT) and sent again.",
};

function requireFault(name: string): SandboxFaultName {
  if (isSandboxFault(name)) return name;
  throw new UsageError(`unknown sandbox fault ${quote(name)}`, {
    suggestion: `The faults are ${Object.keys(SANDBOX_FAULTS).join(", ")}; see \`mcctl sandbox fail --help\`.`,
  });
}

/** Arranges one fault in the practice account, for its next occurrence. */
export const verb = {
  async localCheck(_context, options) {
    requireFault(options.fault);
  },

  async plan(context, options) {
    const fault = requireFault(options.fault);
    const sandbox = sandboxOf(context);
    let arranged = "";
    return {
      title: `Arranging a fault in the sandbox account (${sandbox.stateFile}):`,
      steps: [
        {
          title: `${fault}: ${SANDBOX_FAULTS[fault]}`,
          run: async ({ reporter }) => {
            arranged = sandbox.arrange(fault);
            reporter.success(`Arranged: ${arranged}`);
          },
        },
      ],
      question: `Arrange ${fault} in the sandbox account?`,
      summary: { fault, arranged: false },
      outcome: () => {
        context.output.hint(REHEARSALS[fault]);
        return {
          value: undefined,
          json: { fault, arranged: true, description: arranged },
          message: `${fault} is arranged in the sandbox account`,
        };
      },
    };
  },
} satisfies ChangingVerb<SandboxFailOptions>;

export function runSandboxFail(context: CommandContext, options: SandboxFailOptions) {
  return drive(context, verb, options);
}

import type { CommandContext } from "../context.js";
import { verbNamed } from "../driver/catalogue.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ReadingVerb } from "../driver/verb.js";
import { McctlError } from "../errors.js";
import { gatherStatus, type StatusReport } from "../queries/status.js";
import { renderStatus } from "../ui/status.js";

const FLAGS = verbNamed("status").flags;
export const options = optionsSchema(FLAGS);
export type StatusOptions = Partial<OptionsOf<typeof FLAGS>>;

/**
 * Read-only: prints the state of the service (JSON with --json). With --check, exits 1 after printing
 * when fewer tasks run than desired or a deployment is still under way, so monitoring can call it.
 */
export async function runStatus(context: CommandContext, options: StatusOptions = {}): Promise<StatusReport> {
  const check = options.check === true;
  const { output, cluster, service } = context;
  const ecs = await context.aws.ecs();
  const report = await gatherStatus(ecs, () => context.aws.ec2(), {
    cluster,
    service,
    region: context.aws.config.region,
  });
  for (const warning of report.warnings) output.warn(warning);
  output.result(report, renderStatus(report));
  if (check && !report.healthy) {
    throw new McctlError(`${service} is not healthy: ${report.problems.join("; ")}`, {
      suggestion:
        report.deployments.length > 1
          ? "A deployment has not finished: run `mcctl status` again in a few minutes; if it stays, the events say why."
          : "The events and the last failed task say why; ECS keeps trying to start the tasks on its own.",
    });
  }
  return report;
}

export const verb = { read: runStatus } satisfies ReadingVerb<StatusOptions>;

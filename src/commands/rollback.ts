import type { TaskDefinition } from "@aws-sdk/client-ecs";
import * as z from "zod/mini";
import type { EcsApi } from "../aws/ecs.js";
import { type CommandContext, createContext, type GlobalOptions, withConfirmationCheck } from "../context.js";
import { reviseTaskDefinition } from "../domain/task-revision.js";
import { McctlError, UsageError } from "../errors.js";
import "../zod-messages.js";
import { describeServiceRevision, switchRevision } from "./deploy.js";
import { parseOptions } from "./options.js";
import { RestartFlagsSchema } from "./restart.js";

export const RollbackOptionsSchema = z.extend(RestartFlagsSchema, {
  to: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(\d+|[A-Za-z0-9_-]+:\d+|arn:aws[\w-]*:ecs:.+:task-definition\/.+:\d+)$/,
          "--to takes a revision number, family:revision or a task definition ARN",
        ),
      ),
  ),
});
export type RollbackOptions = z.output<typeof RollbackOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runRollback(await createContext(globals), parseOptions(RollbackOptionsSchema, rawOptions));
}

export async function runRollback(context: CommandContext, options: RollbackOptions) {
  const deadline = Date.now() + options.timeout;
  await withConfirmationCheck(context, !options.dryRun, async () => undefined);
  const ecs = await context.aws.ecs();
  const { current } = await describeServiceRevision(context, ecs);
  const target = await findTarget(ecs, current, options.to);
  return switchRevision(context, ecs, {
    ...options,
    deadline,
    current,
    next: reviseTaskDefinition(target, undefined, []),
    existingArn: target.taskDefinitionArn,
    verb: "Roll back",
  });
}

/** The revision to go back to: the one asked for, or the newest ACTIVE one older than the current. */
async function findTarget(
  ecs: EcsApi,
  current: TaskDefinition,
  to: string | undefined,
): Promise<TaskDefinition> {
  const family = current.family as string;
  if (to) {
    const reference = /^\d+$/.test(to) ? `${family}:${to}` : to;
    const target = await ecs.describeTaskDefinition(reference);
    if (target.taskDefinitionArn === current.taskDefinitionArn) {
      throw new UsageError(`the service already runs ${family}:${current.revision}`, {
        suggestion: "Name another revision with --to, or use `mcctl restart`.",
      });
    }
    return target;
  }
  const older = (await ecs.listActiveRevisions(family)).find(
    (arn) => Number(arn.split(":").pop()) < (current.revision ?? 0),
  );
  if (!older) {
    throw new McctlError(`${family} has no ACTIVE revision older than ${current.revision} to roll back to`, {
      suggestion: `Name one with --to REVISION (see \`aws ecs list-task-definitions --family-prefix ${family}\`).`,
    });
  }
  return ecs.describeTaskDefinition(older);
}

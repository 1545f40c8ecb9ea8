import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { isSecretVariable } from "../domain/environment.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { diffTaskDefinitions } from "../domain/task-definition-diff.js";
import { renderChanges } from "../ui/diff.js";
import type { Output } from "../ui/output.js";

export interface TaskRegistration {
  family: string;
  revision: number | undefined;
  taskDefinitionArn: string | undefined;
  registered: boolean;
}

/**
 * Registers `input` as a new revision unless the family's newest revision already is exactly that:
 * shows what changes first, then lets the caller confirm.
 */
export async function registerIfChanged(
  ecs: EcsApi,
  output: Output,
  input: RegisterTaskDefinitionCommandInput,
  options: { force?: boolean; confirm?: (family: string) => Promise<void> } = {},
): Promise<TaskRegistration> {
  const family = input.family as string;
  const current = await ecs.findLatestTaskDefinition(family);
  if (current) {
    const changes = diffTaskDefinitions(current, input);
    if (changes.length === 0 && !options.force) {
      output.info(`No changes: ${family}:${current.revision} is up to date; nothing registered.`);
      return {
        family,
        revision: current.revision,
        taskDefinitionArn: current.taskDefinitionArn,
        registered: false,
      };
    }
    output.info(`Changes from ${family}:${current.revision}:`);
    output.info(changes.length > 0 ? renderChanges(changes, output.style) : "  (none; --force)");
  } else {
    output.info(`Family ${family} has no revision yet: this registers revision 1.`);
  }
  await options.confirm?.(family);
  const registered = await ecs.registerTaskDefinition(input);
  return {
    family,
    revision: registered.revision,
    taskDefinitionArn: registered.taskDefinitionArn,
    registered: true,
  };
}

/**
 * The secret variables of the family's newest revision (its `mc` container), so that a re-run does not
 * ask again for passwords that ECS already holds. They are used, never shown.
 */
export async function secretsOfLatestRevision(
  ecs: EcsApi,
  family: string,
): Promise<{ revision?: string; values: Record<string, string> }> {
  const current = await ecs.findLatestTaskDefinition(family);
  const container = current?.containerDefinitions?.find((definition) => definition.name === MC_CONTAINER);
  const values: Record<string, string> = {};
  for (const entry of container?.environment ?? []) {
    if (entry.name && entry.value && isSecretVariable(entry.name)) values[entry.name] = entry.value;
  }
  return { revision: current ? `${current.family}:${current.revision}` : undefined, values };
}

import type { TaskDefinition } from "@aws-sdk/client-ecs";
import * as z from "zod/mini";
import type { EcsApi } from "../aws/ecs.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  withConfirmationCheck,
} from "../context.js";
import { isValidTag, validateImageReference, withTag } from "../domain/images.js";
import { ES_CONTAINER, MC_CONTAINER } from "../domain/task-definition.js";
import { containerImage, type ImageChange, reviseTaskDefinition } from "../domain/task-revision.js";
import { McctlError, UsageError } from "../errors.js";
import {
  buildPullCommands,
  findServiceHosts,
  formatCommand,
  runPullCommands,
} from "../operations/pull-images.js";
import "../zod-messages.js";
import { describeServiceRevision, switchRevision } from "./deploy.js";
import { flag, optionalText, parseOptions } from "./options.js";
import { performRestart, RestartFlagsSchema, shortRevision } from "./restart.js";

const tag = (name: string) =>
  z.optional(
    z
      .string()
      .check(
        z.refine(
          isValidTag,
          `${name} must be a Docker tag: letters, digits, _ . - (max 128), e.g. 2.0.0-beta-11`,
        ),
      ),
  );

export const UpgradeOptionsSchema = z
  .extend(RestartFlagsSchema, {
    tag: tag("--tag"),
    image: z.optional(
      z
        .string()
        .check(
          z.refine(
            (value) => validateImageReference(value) === undefined,
            "--image must look like REPOSITORY:TAG",
          ),
        ),
    ),
    esTag: tag("--es-tag"),
    rollbackOnFailure: flag(false),
    skipPull: flag(false),
    sshKey: optionalText,
    sshUser: z._default(z.string().check(z.minLength(1)), "ec2-user"),
    sshPrivateIp: flag(false),
  })
  .check(z.refine((options) => !(options.tag && options.image), "give --tag or --image, not both"));
export type UpgradeOptions = z.output<typeof UpgradeOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runUpgrade(await createContext(globals), parseOptions(UpgradeOptionsSchema, rawOptions));
}

export async function runUpgrade(context: CommandContext, options: UpgradeOptions) {
  const deadline = Date.now() + options.timeout;
  await withConfirmationCheck(context, !options.dryRun, async () => undefined);
  const ecs = await context.aws.ecs();
  const { current, tags } = await describeServiceRevision(context, ecs);

  const changes: ImageChange[] = [];
  const mcImage =
    options.image ?? (options.tag ? withTag(imageOf(current, MC_CONTAINER), options.tag) : undefined);
  if (mcImage) changes.push({ container: MC_CONTAINER, image: mcImage });
  if (options.esTag)
    changes.push({ container: ES_CONTAINER, image: withTag(imageOf(current, ES_CONTAINER), options.esTag) });
  if (changes.length === 0) return pullAndRestart(context, ecs, current, options, deadline);

  const next = reviseTaskDefinition(current, tags, changes);
  if (changes.every((change) => containerImage(current, change.container) === change.image)) {
    throw new UsageError(
      `${shortRevision(current.taskDefinitionArn)} already uses ${changes.map((c) => c.image).join(", ")}`,
      {
        suggestion: "To pull a newer build of the same tag and restart, run `mcctl upgrade` without --tag.",
      },
    );
  }
  return switchRevision(context, ecs, {
    ...options,
    deadline,
    current,
    next,
    verb: "Upgrade",
    offerRollback: true,
  });
}

function imageOf(taskDefinition: Parameters<typeof containerImage>[0], container: string): string {
  const image = containerImage(taskDefinition, container);
  if (!image) {
    throw new McctlError(
      `task definition ${shortRevision(taskDefinition.taskDefinitionArn)} has no container named ${container}`,
      { suggestion: "Is the service running a Model Catalogue task definition? Check with `mcctl status`." },
    );
  }
  return image;
}

/**
 * The wiki's way for floating tags such as `:2`: pull the newer image on each host over ssh, then
 * restart. (Current ECS agents pull on task start anyway unless ECS_IMAGE_PULL_BEHAVIOR says otherwise.)
 */
async function pullAndRestart(
  context: CommandContext,
  ecs: EcsApi,
  current: TaskDefinition,
  options: UpgradeOptions,
  deadline: number,
) {
  const { output, cluster, service } = context;
  const images = (current.containerDefinitions ?? []).flatMap((container) =>
    container.image ? [container.image] : [],
  );
  let commands: ReturnType<typeof buildPullCommands> = [];
  if (!options.skipPull) {
    const hosts = await findServiceHosts(ecs, await context.aws.ec2(), cluster, service, {
      usePrivateIp: options.sshPrivateIp,
    });
    if (hosts.length === 0) {
      throw new McctlError(`no running task of ${service} was found, so there is no host to pull images on`, {
        suggestion:
          "Use `mcctl upgrade --skip-pull` to restart only; the ECS agent pulls the image when the task starts.",
      });
    }
    commands = buildPullCommands(hosts, images, { key: options.sshKey, user: options.sshUser });
  }
  output.info(`Upgrade ${service} (${shortRevision(current.taskDefinitionArn)}) in place:`);
  for (const command of commands) output.info(`  ${formatCommand(command.argv)}`);
  output.info("  then restart the service (scale to 0, wait until stopped, scale back, wait until steady)");
  if (options.dryRun) {
    output.result(
      { dryRun: true, pulls: commands.map((command) => command.argv), restart: true },
      "dry run: nothing was changed",
    );
    return { dryRun: true, from: shortRevision(current.taskDefinitionArn) };
  }
  await confirmChange(context, `Pull the images and restart ${service}?`);
  if (commands.length > 0) {
    const results = await runPullCommands(commands, {
      onResult: (result) =>
        result.exitCode === 0
          ? output.success(`${result.host}: pulled ${result.image}`)
          : output.error(
              `${result.host}: pulling ${result.image} failed (exit ${result.exitCode}): ${result.lastError}`,
            ),
    });
    const failed = results.filter((result) => result.exitCode !== 0);
    if (failed.length > 0) {
      throw new McctlError(
        `${failed.length} of ${results.length} image pulls failed; the service was not restarted`,
        {
          suggestion: "Check --ssh-key, --ssh-user and that port 22 is reachable, or use --skip-pull.",
        },
      );
    }
  }
  const result = await performRestart(context, ecs, { ...options, deadline });
  output.result(
    {
      dryRun: false,
      from: shortRevision(current.taskDefinitionArn),
      to: shortRevision(result.taskDefinition),
    },
    `${service} restarted on ${shortRevision(result.taskDefinition)} with freshly pulled images`,
  );
  return {
    dryRun: false,
    from: shortRevision(current.taskDefinitionArn),
    to: shortRevision(result.taskDefinition),
  };
}

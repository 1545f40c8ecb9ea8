import { formatMs, withCallLimits } from "../aws/limits.js";
import { forgetDestroyed } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import { resolveTaskSettings } from "../config/task-settings.js";
import type { CommandContext } from "../context.js";
import { isSecretVariable } from "../domain/environment.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb, Step } from "../driver/verb.js";
import { UsageError } from "../errors.js";
import { applyDestroy } from "../operations/destroy/apply.js";
import { lookUpTarget } from "../plan/account.js";
import { planDestroy } from "../plan/destroy/plan.js";
import type { DestroyAws, DestroyPlan } from "../plan/destroy/types.js";
import { printDestroyPlan } from "../ui/destroy.js";
import { printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("destroy").flags;
export const options = optionsSchema(FLAGS);
export const DestroyOptionsSchema = options;
export type DestroyOptions = OptionsOf<typeof FLAGS>;

export interface DestroyResult {
  dryRun: false;
  plan: DestroyPlan;
  deleted: string[];
}

/**
 * Removes what mcctl created for this deployment: a plan of every resource (what goes, what stays and
 * why), one confirmation (typing the service name on a terminal), then deletions in an order AWS
 * accepts. A second run finishes what a stopped one left.
 */
export const verb = {
  async localCheck(_context, options) {
    refuseForceAlone(options);
  },

  async plan(context, options) {
    const { output, settings, cluster, service } = context;
    refuseForceAlone(options);
    const family = resolveTaskSettings(settings.settings, context.env, options.family).family;
    const target = await lookUpTarget(context.aws);
    const aws: DestroyAws = await context.aws.deployment();
    printTarget(output, target);
    const plan = await planDestroy(aws, {
      cluster,
      service,
      family,
      settings: settings.settings,
      env: context.env,
      deleteBucket: options.deleteBucket,
      force: options.force,
      skipFinalSnapshot: options.skipFinalSnapshot,
      now: new Date(),
    });
    printDestroyPlan(output, plan);
    const kept = keptOf(plan);
    let deleted: string[] = [];
    const steps: Step[] = [];
    const secrets = deletedSecrets(plan);
    if (!plan.nothingToDo && settings.exists && secrets.length > 0) {
      // Saved before they go: a destroy that stops half-way must not lose which secrets were set.
      steps.push({
        title: `save ${settings.path}: the names of the secrets this deletes (${secrets.join(", ")}), so that setup asks for them again`,
        run: () =>
          saveSettings(
            settings.path,
            forgetDestroyed(settings.settings, { instance: false, securityGroups: [], secrets }),
          ),
      });
    }
    if (!plan.nothingToDo) {
      const waits = plan.lines.some((line) => line.action === "wait");
      steps.push({
        title: `delete what is marked -${waits ? " and wait for what is marked …" : ""}, group by group as listed (each wait bounded by --timeout ${formatMs(options.timeout)})`,
        // Each wait is bounded by --timeout of its own, so the plan's deadline (--yes) does not bound it.
        run: async ({ reporter, signal }) => {
          const outcome = await withCallLimits({ signal }, () =>
            applyDestroy(
              { reporter, signal, waitTimeoutMs: options.timeout, pollIntervalMs: options.pollInterval },
              aws,
              plan.steps,
            ),
          );
          deleted = outcome.deleted;
        },
      });
      if (settings.exists) {
        steps.push({
          title: `save ${settings.path}: forget the ids of what is gone, keep every answer`,
          // Its look at the instance comes after the apply's waits: the plan's deadline (--yes) is long gone.
          run: () => withCallLimits({}, () => forgetWhatIsGone(context, aws, plan)),
        });
      }
    }
    return {
      title: `Destroy of ${service} (${family}) in cluster ${cluster}:`,
      steps,
      nothingToDo: `nothing mcctl created for ${service} is left in ${target.account}, ${target.region}`,
      question: `Delete everything marked - in account ${target.account}, ${target.region}? This cannot be undone.`,
      // On a terminal the operator types the service's name: a bare "y" is too easy for this one.
      typeToConfirm: service,
      typeToConfirmLabel: `the service name (${service})`,
      summary: { lines: plan.lines, kept, deleted: [] as string[] },
      interrupts: {
        first: () =>
          "Interrupted: destroy stops before its next deletion; `mcctl destroy` finishes the rest.",
        second: () => "Quit. Run `mcctl destroy` again to finish: it finds what is left.",
      },
      outcome: () => {
        const snapshot = plan.steps.database?.finalSnapshot;
        return {
          value: { dryRun: false as const, plan, deleted },
          json: { dryRun: false, deleted, finalSnapshot: snapshot, kept },
          message: [
            `Destroyed what mcctl created for ${service}.`,
            ...(snapshot
              ? [
                  `The database's final snapshot ${snapshot} is kept (RDS charges for its storage); \`mcctl restore ${snapshot}\` brings it back.`,
                ]
              : []),
            `${settings.path} keeps the answers: \`mcctl setup\` builds the deployment again.`,
          ].join(" "),
        };
      },
    };
  },
} satisfies ChangingVerb<DestroyOptions, DestroyResult>;

export function runDestroy(context: CommandContext, options: DestroyOptions) {
  return drive<DestroyOptions, DestroyResult>(context, verb, options);
}

function refuseForceAlone(options: DestroyOptions): void {
  if (options.force && !options.deleteBucket) {
    throw new UsageError("--force only applies with --delete-bucket (it deletes the bucket's objects)", {
      suggestion: "Add --delete-bucket to delete the S3 bucket too, or leave out --force.",
    });
  }
}

/** mcctl.json forgets the ids of what is gone, and keeps every answer. */
async function forgetWhatIsGone(context: CommandContext, aws: DestroyAws, plan: DestroyPlan): Promise<void> {
  const file = context.settings.settings;
  const remembered = file.setup?.instance?.instanceId;
  const alive = remembered
    ? (await aws.ec2.describeInstances([remembered])).some(
        (instance) => instance.State?.Name !== "terminated",
      )
    : false;
  const gone = [...plan.steps.instanceGroups, ...plan.steps.databaseGroups];
  const after = forgetDestroyed(file, {
    instance: !alive,
    securityGroups: gone,
    databases: plan.steps.replacedDatabases.map((database) => database.identifier),
    secrets: deletedSecrets(plan),
  });
  if (JSON.stringify(after) !== JSON.stringify(file)) await saveSettings(context.settings.path, after);
}

/** The secrets whose parameters the plan deletes: a parameter is named <path>/<VARIABLE>. */
function deletedSecrets(plan: DestroyPlan): string[] {
  return plan.steps.parameters
    .map((name) => name.split("/").pop() ?? "")
    .filter((variable) => isSecretVariable(variable))
    .sort();
}

function keptOf(plan: DestroyPlan): string[] {
  return plan.lines.filter((line) => line.action === "keep").map((line) => line.text);
}

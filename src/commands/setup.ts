import { AwsClients } from "../aws/clients.js";
import { withCallLimits } from "../aws/limits.js";
import { diffSettings } from "../config/deployment.js";
import { mergeSettings, type Settings, saveSettings } from "../config/settings.js";
import { gatherTaskInputs } from "../config/task-inputs.js";
import * as values from "../config/values.js";
import type { CommandContext } from "../context.js";
import { buildJdbcUrl } from "../domain/environment.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb, Step } from "../driver/verb.js";
import { MISSING_REGION, MissingInputError } from "../errors.js";
import { applySetup, type SetupOutcome } from "../operations/setup/apply.js";
import { lookUpTarget } from "../plan/account.js";
import { logGroupChanges } from "../plan/logs.js";
import { secretStoreChanges } from "../plan/secrets.js";
import { PENDING_DB_HOST } from "../plan/setup/pending.js";
import { applyStepsOf, planSetup, type SetupPlan, type SetupSteps } from "../plan/setup/plan.js";
import type { PlanLine, SetupAws } from "../plan/setup/types.js";
import { printRegistration, printSettingsChanges, printTarget } from "../ui/plan.js";
import { setupSummary } from "../ui/setup.js";

const FLAGS = verbNamed("setup").flags;
export const options = optionsSchema(FLAGS);
export const SetupOptionsSchema = options;
export type SetupOptions = OptionsOf<typeof FLAGS>;

const MARK: Record<PlanLine["state"], string> = { exists: "✔", create: "+", pending: "…", skip: "-" };
const TAGS = { ...MCCTL_TAGS };

export interface SetupResult extends SetupOutcome {
  dryRun: boolean;
  plan: PlanLine[];
}

/**
 * The wiki's whole first install: bucket, database, network access, cluster and instance, task, service.
 * Idempotent: the plan looks first, and the one step creates only what is missing, so a setup that
 * stopped half-way is finished by running it again; with nothing missing there is nothing to do.
 */
export const verb = {
  async plan(context, options) {
    const { output, settings } = context;
    const region = context.aws.config.region;
    // Without a terminal every answer must already be there: the whole list, before any AWS call.
    // With --yes, a re-run may find the password stored by an earlier one; a first run (no mcctl.json)
    // cannot, so it says so with everything else that is missing, in one list.
    // So does a rebuild after destroy, which deleted the password with the other secrets.
    if (!context.interactive) {
      const deleted = context.settings.settings.secrets?.deleted ?? [];
      await precheckAnswers(
        context,
        region,
        !context.settings.exists || deleted.includes("METADATA_PASSWORD"),
      );
    }
    const aws = region
      ? context.aws
      : new AwsClients({ ...context.aws.config, region: await askRegion(context) }, context.aws.limits);

    // Every question and every check, nothing created.
    const target = await lookUpTarget(aws);
    const clients: SetupAws = await aws.deployment();
    printTarget(output, target);
    const plan = await planSetup(
      {
        ask: context.ask,
        interactive: context.interactive,
        env: context.env,
        region: target.region,
        accountId: target.account,
        settings: settings.settings,
        noWait: !options.wait,
        tags: TAGS,
        warn: (message) => output.warn(message),
        info: (message) => output.hint(message),
      },
      clients,
      {
        cluster: context.cluster,
        service: context.service,
        family: options.family,
        target,
        kmsKey: options.kmsKey,
      },
    );
    printPlan(context, plan);

    const applySteps = applyStepsOf(plan, options.wait);
    const { work, starting } = workOf(plan, applySteps);
    const settingsChange = diffSettings(settings.settings, plan.settingsAfter).length > 0;
    let outcome: SetupOutcome | undefined;
    const steps: Step[] =
      work.length === 0 && !settingsChange
        ? []
        : [
            {
              title: `save mcctl.json (${settings.path}): the answers now, then each resource as it appears`,
              run: () => saveSettings(settings.path, plan.settingsAfter),
            },
            ...(work.length === 0
              ? []
              : [
                  {
                    title: plan.lines.some((line) => line.state === "create")
                      ? "create what is missing (marked + above), in this order:"
                      : "finish the setup, in this order:",
                    details: work,
                    run: async ({ reporter, signal }) => {
                      let current: Settings = plan.settingsAfter;
                      const save = async (update: Settings) => {
                        current = mergeSettings(current, update);
                        await saveSettings(settings.path, current);
                      };
                      // A call in flight ends with the signal too; each wait is bounded by --timeout of
                      // its own, so the plan's deadline (--yes) does not bound the apply.
                      outcome = await withCallLimits({ signal }, () =>
                        applySetup(
                          {
                            reporter,
                            signal,
                            tags: TAGS,
                            region: target.region,
                            pollIntervalMs: options.pollInterval,
                            waitTimeoutMs: options.timeout,
                            save,
                          },
                          clients,
                          applySteps,
                        ),
                      );
                    },
                  } satisfies Step,
                ]),
          ];
    const creates = plan.lines.some((line) => line.state === "create");
    return {
      title: `Setup of Model Catalogue in account ${target.account}, region ${target.region}:`,
      steps,
      nothingToDo: starting
        ? "the database or the instance is still starting (--no-wait); run `mcctl setup` again to finish"
        : `Model Catalogue is set up in account ${target.account}, ${target.region}: everything exists and ${settings.path} already describes it`,
      question: creates
        ? `Set up Model Catalogue in account ${target.account}, region ${target.region}? The resources marked + are created (an RDS database and an EC2 instance cost money).`
        : work.length > 0
          ? `Finish the setup of Model Catalogue in account ${target.account}, region ${target.region}?`
          : `Save these settings to ${settings.path}?`,
      // A dry run is not complete; with nothing to do, setup is.
      summary: {
        complete: steps.length === 0 && !starting,
        created: [],
        plan: plan.lines,
        ...(steps.length === 0 && plan.registration.baseline
          ? {
              taskDefinition: `${plan.registration.baseline.taskDefinition.family}:${plan.registration.baseline.taskDefinition.revision}`,
            }
          : {}),
      },
      interrupts: {
        first: () =>
          "Interrupted: setup stops before its next change; what exists stays, and `mcctl setup` continues.",
        second: () => "Quit. Run `mcctl setup` again to continue: it finds what exists.",
      },
      outcome: () => {
        // Only mcctl.json changed: every resource existed, or (--no-wait) is still starting.
        const done: SetupOutcome = outcome ?? {
          complete: !starting,
          created: [],
          pendingReason: starting
            ? "--no-wait: the database or the instance is still starting; run `mcctl setup` again to finish"
            : undefined,
        };
        return {
          value: { ...done, dryRun: false, plan: plan.lines },
          json: { ...done, plan: plan.lines },
          message: setupSummary(done, plan, target, settings.path),
        };
      },
    };
  },

  /** Without a confirmation nothing runs, so no AWS call finds a password ECS holds: it must be set. */
  localCheck: (context) => precheckAnswers(context, context.aws.config.region, true),
} satisfies ChangingVerb<SetupOptions, SetupResult>;

export function runSetupCommand(context: CommandContext, options: SetupOptions) {
  return drive(context, verb, options) as Promise<SetupResult>;
}

/**
 * What the apply does, in its order (src/operations/setup/apply.ts), one line each; empty when every
 * resource exists, is ready and is up to date. `starting`: with --no-wait the apply stops before the
 * task definition because the database or the instance is still starting.
 */
function workOf(plan: SetupPlan, steps: SetupSteps): { work: string[]; starting: boolean } {
  const work: string[] = [];
  const registration = plan.registration;
  if (secretStoreChanges(registration.secrets)) {
    work.push(`store the secrets in SSM under ${registration.secrets.store.path}, with their execution role`);
  }
  if (steps.bucket.create) work.push(`create S3 bucket ${steps.bucket.name}`);
  const database = steps.database;
  if (database.action === "create") {
    work.push(
      `create MySQL database ${database.planned.identifier}${database.planned.securityGroupId ? "" : " and its security group"}`,
    );
  }
  if (steps.createCluster) work.push(`create ECS cluster ${steps.cluster}`);
  if (steps.compute.status === "launch") {
    work.push(`launch a container instance (${steps.compute.answers.instanceType}) and its security group`);
  }
  if (steps.access.length > 0) work.push("open the database to the container instances (MySQL, TCP 3306)");
  const databaseWaits =
    database.action === "create" || (database.action === "use" && database.facts.status !== "available");
  const instanceWaits = steps.compute.status !== "ready";
  if (!steps.wait && (databaseWaits || instanceWaits)) {
    if (work.length > 0) {
      work.push("stop there (--no-wait): `mcctl setup` again finishes once they have started");
    }
    return { work, starting: true };
  }
  if (databaseWaits) work.push("wait until the database is available");
  if (instanceWaits) work.push("wait until the container instance has registered with ECS");
  if (logGroupChanges(registration.logGroup)) work.push(`prepare log group ${logGroupName(registration)}`);
  if (registration.register || plan.jdbcPending) {
    work.push(`register a new revision of ${registration.family}`);
  }
  if (!steps.service.exists) {
    work.push(
      `create service ${steps.service.name}${steps.wait ? ", then wait until it is steady" : " (not waited for: --no-wait)"}`,
    );
  }
  return { work, starting: false };
}

function logGroupName(registration: SetupPlan["registration"]): string {
  return "group" in registration.logGroup ? registration.logGroup.group : "";
}

function printPlan(context: CommandContext, plan: SetupPlan): void {
  const { output, settings } = context;
  output.info("Setup plan:");
  for (const line of plan.lines) output.info(`  ${MARK[line.state]} ${line.step}: ${line.detail}`);
  if (plan.jdbcPending) {
    output.hint(
      "METADATA_JDBC_URL is filled in once RDS gives the database its endpoint; the task definition is registered then.",
    );
  }
  printRegistration(output, plan.registration);
  if (plan.service.exists && plan.registration.register && plan.service.runs) {
    output.hint(
      `Service ${plan.service.name} runs ${plan.service.runs}; setup registers the new revision but does not restart the service: \`mcctl rollback --to REVISION\` puts it in service.`,
    );
  }
  // Saved without the URL until RDS gives the endpoint; shown as it will be once it has.
  const pendingUrl = plan.registration.inputs.environment.METADATA_JDBC_URL;
  const after =
    plan.jdbcPending && pendingUrl
      ? {
          ...plan.settingsAfter,
          environment: { ...plan.settingsAfter.environment, METADATA_JDBC_URL: pendingUrl },
        }
      : plan.settingsAfter;
  printSettingsChanges(output, diffSettings(settings.settings, after), settings.path);
}

/** Without a terminal every answer must already be there: list all that are not, before any AWS call. */
async function precheckAnswers(
  context: CommandContext,
  region: string | undefined,
  passwordNeeded: boolean,
): Promise<void> {
  const missing: string[] = [];
  if (!region) missing.push(MISSING_REGION);
  if (passwordNeeded && !context.env.METADATA_PASSWORD) missing.push("METADATA_PASSWORD");
  // Values setup derives itself stand in as placeholders: only what the operator must give counts.
  const derived = {
    MC_S3_BUCKET: "placeholder-bucket",
    MC_S3_REGION: region ?? "eu-west-1",
    METADATA_JDBC_URL: buildJdbcUrl({ host: PENDING_DB_HOST, database: "mc" }),
    METADATA_USERNAME: "placeholder",
    METADATA_PASSWORD: "placeholder",
  };
  const settings = context.settings.settings;
  try {
    await gatherTaskInputs(
      {
        settings: { ...settings, features: { ...settings.features, assets: true } },
        env: context.env,
        interactive: false,
        derived,
      },
      context.ask,
    );
  } catch (error) {
    if (!(error instanceof MissingInputError)) throw error;
    missing.push(...error.missing);
  }
  if (missing.length > 0) throw new MissingInputError(missing);
}

async function askRegion(context: CommandContext): Promise<string> {
  if (!context.interactive) throw new MissingInputError([MISSING_REGION]);
  return context.ask.askText({
    message: "AWS region to install into",
    defaultValue: "eu-west-1",
    validate: (value) => {
      const parsed = values.region.safeParse(value);
      return parsed.success ? undefined : parsed.error.issues[0]?.message;
    },
  });
}

import {
  GROUPS,
  type GroupSpec,
  type McEnvironment,
  SWITCH_ON_VALUE,
  VARIABLES,
  type VariableSpec,
} from "../domain/environment.js";
import { defaultCatalinaOpts } from "../domain/jvm.js";
import { checkEnvironment, type Finding } from "../domain/rules.js";
import { DEFAULT_TASK_SETTINGS, esHeapSizeFor, type TaskSettings } from "../domain/task-definition.js";
import { MissingInputError, UsageError } from "../errors.js";
import type { Asker } from "../ui/prompts.js";
import type { Settings } from "./settings.js";

export interface TaskInputSources {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  familyFlag?: string;
  /** Region the deployment goes to: the default for MC_S3_REGION. */
  region?: string;
}

export interface TaskInputs {
  task: TaskSettings;
  environment: McEnvironment;
  /** Non-secret answers given at prompts, to be saved to the settings file. */
  answers: Settings;
  findings: Finding[];
}

/**
 * Variables an operator rarely changes: they take their default (or mcctl.json's value) unless the
 * operator opts in to the advanced questions.
 */
const ADVANCED = new Set([
  "MC_ADMIN_EMAIL",
  "MC_SECURED_REVERSE_PROXY",
  "MC_MAX_ACTIVE_USERS",
  "MC_WELCOME_JUMBO",
  "MC_WELCOME_INFO",
  "MC_ES_ELEMENTS_PER_BATCH",
  "MC_ES_DELAY_AFTER_BATCH",
  "CATALINA_OPTS",
]);

const NEEDS_MAIL = new Set(["MC_ALLOW_SIGNUP"]);

/** Inside an enabled optional group these must be given; the rest of the group may stay empty. */
const REQUIRED_IN_GROUP = new Set([
  "MC_MAIL_HOST",
  "MC_MAIL_FROM",
  "MC_S3_BUCKET",
  "MC_GOOGLE_KEY",
  "MC_GOOGLE_SECRET",
]);

export function resolveTaskSettings(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  familyFlag?: string,
): TaskSettings {
  const defaults = DEFAULT_TASK_SETTINGS;
  const esMemory = settings.es?.memory ?? defaults.es.memory;
  return {
    family: familyFlag ?? env.MCCTL_TASK_FAMILY ?? settings.taskFamily ?? defaults.family,
    mc: { ...defaults.mc, ...settings.mc },
    es: {
      ...defaults.es,
      heapSize: settings.es?.memory === undefined ? defaults.es.heapSize : esHeapSizeFor(esMemory),
      ...settings.es,
    },
  };
}

/**
 * Collects the Model Catalogue environment. Precedence for each variable: environment variable of the
 * same name > settings file > prompt (terminal only) > default. Secrets never come from the file.
 * Without a terminal nothing is asked: every missing value is reported at once.
 */
export async function gatherTaskInputs(
  sources: TaskInputSources,
  ask: Pick<Asker, "askText" | "askSecret" | "askConfirm">,
): Promise<TaskInputs> {
  const task = resolveTaskSettings(sources.settings, sources.env, sources.familyFlag);
  const collector = new EnvironmentCollector(sources, ask, task);
  await collector.collect();
  const environment = collector.environment;
  const findings = checkEnvironment(environment, { mcMemoryMiB: task.mc.memory });
  const errors = findings.filter((finding) => finding.severity === "error");
  if (errors.length > 0) {
    throw new UsageError(errors.map((finding) => `${finding.variable}: ${finding.message}`).join("; "), {
      suggestion:
        errors.find((finding) => finding.suggestion)?.suggestion ?? "Correct the values and run again.",
    });
  }
  return { task, environment, answers: collector.answers, findings };
}

class EnvironmentCollector {
  readonly environment: Record<string, string> = {};
  readonly answers: Settings = {};
  private readonly missing: string[] = [];
  private readonly fileEnvironment: Record<string, string | boolean>;
  private advancedWanted: boolean | undefined;

  constructor(
    private readonly sources: TaskInputSources,
    private readonly ask: Pick<Asker, "askText" | "askSecret" | "askConfirm">,
    private readonly task: TaskSettings,
  ) {
    this.fileEnvironment = sources.settings.environment ?? {};
  }

  async collect(): Promise<void> {
    const needsMail: [VariableSpec, GroupSpec][] = [];
    const advanced: [VariableSpec, GroupSpec][] = [];
    for (const group of GROUPS) {
      if (!(await this.groupEnabled(group))) continue;
      for (const spec of VARIABLES.filter((variable) => variable.group === group.id)) {
        if (NEEDS_MAIL.has(spec.name)) needsMail.push([spec, group]);
        else if (ADVANCED.has(spec.name)) advanced.push([spec, group]);
        else await this.collectVariable(spec, group);
      }
    }
    // Sign-up sends confirmation mail: offer it only once mail is known to work.
    for (const [spec, group] of needsMail) {
      if (this.given(spec.name) !== undefined || this.mailWorks()) await this.collectVariable(spec, group);
    }
    // Rarely changed settings come last, behind one yes/no question.
    for (const [spec, group] of advanced) await this.collectVariable(spec, group);
    if (this.missing.length > 0) throw new MissingInputError(this.missing);
  }

  private mailWorks(): boolean {
    return this.environment.MC_MAIL_HOST !== undefined && this.environment.MC_MAIL_FROM !== undefined;
  }

  private async groupEnabled(group: GroupSpec): Promise<boolean> {
    if (!group.optional) return true;
    const id = group.id as "mail" | "assets" | "google";
    const variables = VARIABLES.filter((variable) => variable.group === group.id);
    // A group counts as configured once one of its variables has a value (false means "none").
    if (variables.some((variable) => typeof this.given(variable.name) === "string")) return true;
    const remembered = this.sources.settings.features?.[id];
    if (remembered !== undefined) return remembered;
    if (!this.sources.interactive) return false;
    const enabled = await this.ask.askConfirm(group.question ?? `Configure ${group.title}?`, false);
    this.answers.features = { ...this.answers.features, [id]: enabled };
    return enabled;
  }

  /** A value from the environment or the settings file, validated; undefined when neither has one. */
  private given(name: string): string | boolean | undefined {
    const fromEnv = this.sources.env[name];
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    return this.fileEnvironment[name];
  }

  private async collectVariable(spec: VariableSpec, group: GroupSpec): Promise<void> {
    const given = this.given(spec.name);
    if (given !== undefined) {
      this.acceptGiven(spec, given);
      return;
    }
    const needed = spec.required || (group.optional && REQUIRED_IN_GROUP.has(spec.name));
    if (!this.sources.interactive || (ADVANCED.has(spec.name) && !(await this.wantsAdvanced()))) {
      const fallback = this.defaultFor(spec);
      if (fallback !== undefined && !spec.isSwitch) this.environment[spec.name] = fallback;
      else if (needed) this.missing.push(spec.name);
      return;
    }
    await this.prompt(spec, needed);
  }

  private acceptGiven(spec: VariableSpec, value: string | boolean): void {
    if (typeof value === "boolean") {
      if (value) this.environment[spec.name] = SWITCH_ON_VALUE;
      return;
    }
    const problem = spec.validate(value);
    if (problem) throw new UsageError(`${spec.name} (from the environment): ${problem}`);
    this.environment[spec.name] = value;
  }

  private async wantsAdvanced(): Promise<boolean> {
    if (this.advancedWanted === undefined) {
      this.advancedWanted =
        this.sources.settings.features?.advanced ??
        (await this.ask.askConfirm(
          "Change advanced settings (JVM options, search batching, welcome texts, admin e-mail)?",
          false,
        ));
      this.answers.features = { ...this.answers.features, advanced: this.advancedWanted };
    }
    return this.advancedWanted;
  }

  private defaultFor(spec: VariableSpec): string | undefined {
    if (spec.name === "CATALINA_OPTS") return defaultCatalinaOpts(this.task.mc.memory);
    if (spec.name === "MC_S3_REGION") return this.sources.region ?? spec.defaultValue;
    return spec.defaultValue;
  }

  private async prompt(spec: VariableSpec, needed: boolean): Promise<void> {
    const message = `${spec.description} (${spec.name})`;
    if (spec.isSwitch) {
      const on = await this.ask.askConfirm(message, false);
      if (on) this.environment[spec.name] = SWITCH_ON_VALUE;
      this.remember(spec.name, on);
      return;
    }
    const validate = (value: string) => {
      if (value === "") return needed ? `${spec.name} is required` : undefined;
      return spec.validate(value);
    };
    if (spec.secret) {
      const value = await this.ask.askSecret({
        message: needed ? message : `${message} — leave empty for none`,
        validate,
      });
      // An empty answer is remembered (as false: no value) so that it is not asked again; a secret never is.
      if (value !== "") this.environment[spec.name] = value;
      else this.remember(spec.name, false);
      return;
    }
    const value = await this.ask.askText({ message, defaultValue: this.defaultFor(spec), validate });
    if (value !== "") this.environment[spec.name] = value;
    this.remember(spec.name, value === "" ? false : value);
  }

  private remember(name: string, value: string | boolean): void {
    this.answers.environment = { ...this.answers.environment, [name]: value };
  }
}

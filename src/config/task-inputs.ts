import {
  GROUPS,
  type GroupSpec,
  type McEnvironment,
  SWITCH_ON_VALUE,
  VARIABLES,
  type VariableGroup,
  type VariableSpec,
} from "../domain/environment.js";
import { defaultCatalinaOpts } from "../domain/jvm.js";
import { checkEnvironment, type Finding } from "../domain/rules.js";
import type { TaskSettings } from "../domain/task-definition.js";
import { MissingInputError, UsageError } from "../errors.js";
import { ADVANCED, ASKED_ONLY_WITH, NEEDS_MAIL, REQUIRED_IN_GROUP } from "./input-rules.js";
import type { Asker } from "./questions.js";
import type { Settings } from "./settings.js";
import { resolveTaskSettings } from "./task-settings.js";

export { resolveTaskSettings } from "./task-settings.js";

export interface TaskInputSources {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  familyFlag?: string | undefined;
  /** Region the deployment goes to: the default for MC_S3_REGION. */
  region?: string | undefined;
  /**
   * Secrets already held: SSM's (as STORED_IN_SSM, never read) or an older revision's plain ones (to be
   * moved to SSM). Used unless the environment sets them.
   */
  knownSecrets?: Readonly<Record<string, string>>;
  /** What setup derives from the resources it manages (bucket, JDBC URL, user): used when nothing else says. */
  derived?: Readonly<Record<string, string>>;
  /** Never offer to review the remembered answers (`secrets set`/`rm` change one thing only). */
  noReview?: boolean | undefined;
  /** `settings` holds the values of this revision in service, adopted (mcctl.json described none). */
  adoptedFrom?: string | undefined;
  /** Called with each warning as soon as the answers it concerns are in, so it shows beside them. */
  notify?: (finding: Finding) => void;
}

export interface TaskInputs {
  task: TaskSettings;
  /** What the mc container gets, secrets included. */
  environment: McEnvironment;
  findings: Finding[];
  /**
   * These inputs as mcctl.json keeps them: the family, both containers, every non-secret variable (false
   * for one deliberately left unset) and the feature answers. Saved after the change is applied, so a
   * later run resolves exactly the same inputs without asking.
   */
  settings: Settings;
  /** Secrets taken from `knownSecrets` because the environment does not set them. */
  keptSecrets: string[];
}

type OptionalGroup = "mail" | "assets" | "google";

/**
 * Collects the Model Catalogue environment. Precedence for each variable: environment variable of the
 * same name > mcctl.json > a secret ECS already holds > what setup derived > prompt (terminal only) >
 * default. Secrets never come from the file. Without a terminal nothing is asked: every missing value is
 * reported at once. On a terminal, when mcctl.json remembers answers, the operator may review them all.
 */
export async function gatherTaskInputs(
  sources: TaskInputSources,
  ask: Pick<Asker, "askText" | "askSecret" | "askConfirm">,
): Promise<TaskInputs> {
  const task = resolveTaskSettings(sources.settings, sources.env, sources.familyFlag, sources.region);
  const collector = new EnvironmentCollector(sources, ask, task);
  await collector.collect();
  const environment = collector.environment;
  const findings = [
    ...checkEnvironment(environment, {
      mcMemoryMiB: task.mc.memory,
      unsetOnPurpose: collector.unsetOnPurpose(),
    }),
    ...collector.disagreements,
  ];
  const errors = findings.filter((finding) => finding.severity === "error");
  if (errors.length > 0) {
    throw new UsageError(errors.map((finding) => `${finding.variable}: ${finding.message}`).join("; "), {
      suggestion:
        errors.find((finding) => finding.suggestion)?.suggestion ?? "Correct the values and run again.",
    });
  }
  return {
    task,
    environment,
    findings,
    settings: {
      taskFamily: task.family,
      logs:
        task.logging.driver === "syslog"
          ? { driver: "syslog" }
          : { driver: "awslogs", group: task.logging.group, retentionDays: task.logging.retentionDays },
      mc: { ...task.mc },
      es: { ...task.es },
      environment: collector.remembered(),
      features: collector.features(),
    },
    keptSecrets: collector.keptSecrets,
  };
}

class EnvironmentCollector {
  readonly environment: Record<string, string> = {};
  readonly keptSecrets: string[] = [];
  readonly disagreements: Finding[] = [];
  private readonly missing: string[] = [];
  private readonly fileEnvironment: Record<string, string | boolean>;
  private readonly enabled = new Map<VariableGroup, boolean>();
  /** Variables whose value was decided (set or deliberately unset) in this run. */
  private readonly decided = new Set<string>();
  private readonly notified = new Set<string>();
  private advancedWanted: boolean | undefined;
  private review = false;

  constructor(
    private readonly sources: TaskInputSources,
    private readonly ask: Pick<Asker, "askText" | "askSecret" | "askConfirm">,
    private readonly task: TaskSettings,
  ) {
    this.fileEnvironment = sources.settings.environment ?? {};
  }

  async collect(): Promise<void> {
    this.review = await this.offerReview();
    const needsMail: [VariableSpec, GroupSpec][] = [];
    const advanced: [VariableSpec, GroupSpec][] = [];
    for (const group of GROUPS) {
      const enabled = await this.groupEnabled(group);
      this.enabled.set(group.id, enabled);
      if (!enabled) continue;
      for (const spec of VARIABLES.filter((variable) => variable.group === group.id)) {
        if (NEEDS_MAIL.has(spec.name)) needsMail.push([spec, group]);
        else if (ADVANCED.has(spec.name)) advanced.push([spec, group]);
        else await this.collectVariable(spec, group);
      }
      this.notifyWarnings();
    }
    // Sign-up sends confirmation mail: offer it only once mail is known to work.
    for (const [spec, group] of needsMail) {
      if (this.given(spec.name) !== undefined || this.mailWorks()) await this.collectVariable(spec, group);
    }
    // Rarely changed settings come last, behind one yes/no question.
    for (const [spec, group] of advanced) await this.collectVariable(spec, group);
    this.notifyWarnings();
    if (this.missing.length > 0) throw new MissingInputError(this.missing);
  }

  /** mcctl.json's environment as it must be after this run: every decision, nothing left to a default. */
  remembered(): Record<string, string | boolean> {
    const result: Record<string, string | boolean> = {};
    for (const spec of VARIABLES) {
      if (!this.enabled.get(spec.group) || !this.decided.has(spec.name)) continue;
      const value = this.environment[spec.name];
      if (value === undefined) result[spec.name] = false;
      else if (spec.isSwitch) result[spec.name] = true;
      else if (!spec.secret) result[spec.name] = value;
    }
    return result;
  }

  features(): NonNullable<Settings["features"]> {
    const advanced = this.advancedWanted ?? this.sources.settings.features?.advanced;
    return {
      mail: this.enabled.get("mail") ?? false,
      assets: this.enabled.get("assets") ?? false,
      google: this.enabled.get("google") ?? false,
      ...(advanced === undefined ? {} : { advanced }),
    };
  }

  /** On a terminal re-run, one question opens every remembered answer for review. */
  private async offerReview(): Promise<boolean> {
    if (!this.sources.interactive || this.sources.noReview) return false;
    const remembered = Object.keys(this.fileEnvironment).length;
    const secrets = Object.keys(this.sources.knownSecrets ?? {}).length;
    if (remembered === 0 && secrets === 0) return false;
    const what = [
      remembered > 0
        ? `${remembered} settings ${this.sources.adoptedFrom ? `(mcctl.json and ${this.sources.adoptedFrom}, in service)` : "in mcctl.json"}`
        : "",
      secrets > 0 ? `${secrets} stored secrets` : "",
    ]
      .filter(Boolean)
      .join(" and ");
    return this.ask.askConfirm(`mcctl remembers ${what}. Review or change them?`, false);
  }

  private notifyWarnings(): void {
    if (!this.sources.interactive || !this.sources.notify) return;
    const context = { mcMemoryMiB: this.task.mc.memory, unsetOnPurpose: this.unsetOnPurpose() };
    for (const finding of checkEnvironment(this.environment, context)) {
      const key = `${finding.variable}: ${finding.message}`;
      if (finding.severity !== "warning" || this.notified.has(key)) continue;
      this.notified.add(key);
      this.sources.notify(finding);
    }
  }

  private mailWorks(): boolean {
    return this.environment.MC_MAIL_HOST !== undefined && this.environment.MC_MAIL_FROM !== undefined;
  }

  private async groupEnabled(group: GroupSpec): Promise<boolean> {
    if (!group.optional) return true;
    const variables = VARIABLES.filter((variable) => variable.group === group.id);
    // A value from the environment or from a resource setup manages settles it: not a question.
    const given = variables.some(
      (variable) =>
        this.fromEnv(variable.name) !== undefined || this.sources.derived?.[variable.name] !== undefined,
    );
    if (given) return true;
    // Remembered: a variable of the group has a value in mcctl.json (false means "none"), or the answer.
    const remembered =
      variables.some((variable) => typeof this.fileEnvironment[variable.name] === "string") ||
      this.sources.settings.features?.[group.id as OptionalGroup];
    if (remembered !== undefined && !this.review) return remembered;
    if (!this.sources.interactive) return false;
    return this.ask.askConfirm(group.question ?? `Configure ${group.title}?`, remembered ?? false);
  }

  private fromEnv(name: string): string | undefined {
    const value = this.sources.env[name];
    return value === undefined || value === "" ? undefined : value;
  }

  /** Variables mcctl.json sets to false ("deliberately unset") that the environment does not set. */
  unsetOnPurpose(): Set<string> {
    const names = Object.keys(this.fileEnvironment).filter((name) => this.fileEnvironment[name] === false);
    return new Set(names.filter((name) => this.fromEnv(name) === undefined));
  }

  /** A value from the environment or the settings file (false: deliberately unset); undefined if neither. */
  private given(name: string): string | boolean | undefined {
    return this.fromEnv(name) ?? this.fileEnvironment[name];
  }

  private async collectVariable(spec: VariableSpec, group: GroupSpec): Promise<void> {
    const partner = ASKED_ONLY_WITH[spec.name];
    if (partner !== undefined && this.decided.has(partner) && this.environment[partner] === undefined) {
      // Its partner was left out, so this one means nothing: leave it out too, without asking.
      this.decide(spec, undefined);
      return;
    }
    const fromEnv = this.fromEnv(spec.name);
    if (fromEnv !== undefined) {
      this.decide(spec, this.validated(spec, fromEnv, "from the environment"));
      this.compareWithDerived(spec, fromEnv, "the environment");
      return;
    }
    const remembered = this.settledValue(spec);
    const needed = spec.required || (group.optional && REQUIRED_IN_GROUP.has(spec.name));
    if (remembered !== undefined && !(this.review && this.asksInReview(spec))) {
      this.decide(spec, remembered === false ? undefined : remembered);
      return;
    }
    const again = remembered === undefined && this.deletedByDestroy(spec);
    if (!this.sources.interactive || (ADVANCED.has(spec.name) && !(await this.wantsAdvanced()))) {
      const fallback = this.defaultFor(spec);
      if (fallback !== undefined && !spec.isSwitch) this.decide(spec, fallback);
      else if (needed || again) this.missing.push(spec.name);
      else this.decide(spec, undefined);
      return;
    }
    await this.prompt(spec, needed, remembered, again);
  }

  /** A secret that was set until `destroy` deleted it: its absence is no answer, so it is asked for again. */
  private deletedByDestroy(spec: VariableSpec): boolean {
    return spec.secret && (this.sources.settings.secrets?.deleted ?? []).includes(spec.name);
  }

  /** What earlier runs settled: mcctl.json, a secret ECS holds, or what setup derived. */
  private settledValue(spec: VariableSpec): string | false | undefined {
    const file = this.fileEnvironment[spec.name];
    if (file !== undefined) {
      if (typeof file === "string") {
        this.compareWithDerived(spec, file, "mcctl.json");
        return this.validated(spec, file, "in mcctl.json");
      }
      return file ? SWITCH_ON_VALUE : false;
    }
    const known = spec.secret ? this.sources.knownSecrets?.[spec.name] : undefined;
    if (known !== undefined) {
      this.keptSecrets.push(spec.name);
      return known;
    }
    return this.sources.derived?.[spec.name];
  }

  /** In a review every question comes back, except the ones whose answer comes from a resource setup manages. */
  private asksInReview(spec: VariableSpec): boolean {
    return (
      this.sources.derived?.[spec.name] === undefined && (!ADVANCED.has(spec.name) || !!this.advancedWanted)
    );
  }

  private compareWithDerived(spec: VariableSpec, value: string, source: string): void {
    const derived = this.sources.derived?.[spec.name];
    if (derived === undefined || derived === value || spec.secret) return;
    this.disagreements.push({
      severity: "warning",
      variable: spec.name,
      message: `${source} says ${value}, but setup's resource gives ${derived}; ${source} wins (precedence): change or remove it to use ${derived}`,
    });
  }

  private validated(spec: VariableSpec, value: string, source: string): string {
    const problem = spec.validate(value);
    if (problem) throw new UsageError(`${spec.name} (${source}): ${problem}`);
    return value;
  }

  private decide(spec: VariableSpec, value: string | undefined): void {
    this.decided.add(spec.name);
    if (value === undefined) delete this.environment[spec.name];
    else this.environment[spec.name] = value;
  }

  /** A secret typed again is no longer the one ECS held. */
  private forgetKept(name: string): void {
    const index = this.keptSecrets.indexOf(name);
    if (index >= 0) this.keptSecrets.splice(index, 1);
  }

  private async wantsAdvanced(): Promise<boolean> {
    if (this.advancedWanted === undefined) {
      const remembered = this.sources.settings.features?.advanced;
      this.advancedWanted =
        remembered !== undefined && !this.review
          ? remembered
          : await this.ask.askConfirm(
              "Change advanced settings (JVM options, search batching, welcome texts, admin e-mail)?",
              remembered ?? false,
            );
    }
    return this.advancedWanted;
  }

  private defaultFor(spec: VariableSpec): string | undefined {
    if (spec.name === "CATALINA_OPTS") return defaultCatalinaOpts(this.task.mc.memory);
    if (spec.name === "MC_S3_REGION") return this.sources.region ?? spec.defaultValue;
    return spec.defaultValue;
  }

  /**
   * `current`: the remembered answer in a review (false: left unset), offered as the default. `again`: a
   * secret destroy deleted, which stays unset only when the operator says so.
   */
  private async prompt(
    spec: VariableSpec,
    needed: boolean,
    current: string | false | undefined,
    again = false,
  ) {
    const message = `${spec.description} (${spec.name})`;
    if (spec.isSwitch) {
      const on = await this.ask.askConfirm(message, current === SWITCH_ON_VALUE);
      this.decide(spec, on ? SWITCH_ON_VALUE : undefined);
      return;
    }
    const validate = (value: string) => {
      if (value === "") return needed && current === undefined ? `${spec.name} is required` : undefined;
      return spec.validate(value);
    };
    if (spec.secret) {
      const keep = typeof current === "string";
      const hint = keep
        ? " — leave empty to keep the current one"
        : again
          ? " — destroy deleted the stored one: type it again"
          : needed
            ? ""
            : " — leave empty for none";
      let value = await this.ask.askSecret({ message: `${message}${hint}`, validate });
      while (value === "" && again && !(await this.ask.askConfirm(`Leave ${spec.name} unset?`, false))) {
        value = await this.ask.askSecret({ message: `${message}${hint}`, validate });
      }
      if (value !== "") this.forgetKept(spec.name);
      this.decide(spec, value !== "" ? value : keep ? current : undefined);
      return;
    }
    // A remembered "left unset" stays unset on Enter; only a first answer is offered the default.
    const defaultValue = current === undefined ? this.defaultFor(spec) : current || undefined;
    const value = await this.ask.askText({ message, defaultValue, validate });
    this.decide(spec, value === "" ? undefined : value);
  }
}

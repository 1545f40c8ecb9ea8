import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import type { SettingsChange } from "../config/deployment.js";
import { isSecretVariable, SECRET_MASK } from "../domain/environment.js";
import type { Finding } from "../domain/rules.js";
import type { Target } from "../plan/account.js";
import type { AdoptionSummary } from "../plan/adoption.js";
import { describeLogGroupPlan } from "../plan/logs.js";
import type { RegistrationPlan } from "../plan/registration.js";
import { PENDING_DB_HOST } from "../plan/setup/pending.js";
import { renderChanges } from "./diff.js";
import type { Output } from "./output.js";
import { printSecretStore } from "./secrets.js";

/** Every plan starts with where the change would land. */
export function printTarget(output: Output, target: Target): void {
  output.info(output.style.bold(`AWS account ${target.account} (${target.arn}), region ${target.region}`));
}

/** What a registration would do, the whole task definition for a first one, secrets masked. */
export function printRegistration(output: Output, plan: RegistrationPlan): void {
  const { baseline, family } = plan;
  if (plan.adoption) printAdoption(output, plan.adoption);
  if (!baseline) {
    const retired = plan.retired;
    output.info(
      retired
        ? `Task definition: ${family} has no active revision (${family}:${retired.revision} is ${retired.status === "INACTIVE" ? "deregistered" : "being deleted"}, and ECS never reuses a number); this registers revision ${retired.revision + 1}:`
        : plan.numberUncertain
          ? `Task definition: ECS lists no revision of ${family}; this registers revision 1, or a later one if earlier revisions were deleted (ECS never reuses a number):`
          : `Task definition: ${family} has no revision yet; this registers revision 1:`,
    );
    output.info(summarizeTaskDefinition(plan.input));
  } else {
    const name = `${baseline.taskDefinition.family}:${baseline.taskDefinition.revision}`;
    const from = {
      "mcctl.json": "the revision mcctl.json describes",
      service: "in service",
      newest: "the newest",
    }[baseline.source];
    if (!plan.register) {
      output.info(`Task definition: ${name} (${from}) is up to date; nothing to register.`);
    } else {
      output.info(`Task definition: a new revision of ${family}, changed from ${name} (${from}):`);
      output.info(plan.changes.length > 0 ? renderChanges(plan.changes, output.style) : "  (none; --force)");
    }
  }
  printSecretStore(output, plan.secrets);
  const logLine = describeLogGroupPlan(plan.logGroup);
  if (logLine) output.info(logLine);
  if (plan.drift) {
    output.warn(
      `The service runs ${plan.drift.revision}, not the revision mcctl.json describes. Compared with it, mcctl.json's task definition changes:`,
    );
    output.info(
      plan.drift.changes.length > 0
        ? renderChanges(plan.drift.changes, output.style)
        : "  (nothing: they are the same)",
    );
    output.hint(
      "mcctl.json wins when mcctl deploys; to keep a change made outside mcctl, `mcctl rollback --to REVISION` adopts that revision into mcctl.json.",
    );
  }
  for (const note of plan.placementNotes) output.warn(note);
  printFindings(output, plan.inputs.findings);
}

/** Where the values of a deployment mcctl.json did not describe come from; never a secret's value. */
function printAdoption(output: Output, adoption: AdoptionSummary): void {
  const moved = adoption.moved.length > 0 ? `; ${adoption.moved.join(", ")} move from plain text to SSM` : "";
  output.info(
    `Adopting ${adoption.revision} (in service; mcctl.json describes no revision): ${adoption.taken} values taken from it${moved}.`,
  );
  for (const difference of adoption.differences) output.warn(difference);
  if (adoption.skipped.length > 0) {
    output.warn(
      `${adoption.revision} sets ${adoption.skipped.join(", ")}, which mcctl does not know: the new revision leaves ${adoption.skipped.length === 1 ? "it" : "them"} out.`,
    );
  }
}

export function printFindings(output: Output, findings: readonly Finding[]): void {
  for (const finding of findings) {
    output.warn(`${finding.variable}: ${finding.message}`);
    if (finding.suggestion) output.hint(`suggested: ${finding.suggestion}`);
  }
}

/**
 * The changes saving would make to mcctl.json; nothing when there are none. A section that is only
 * added (a first run writes whole sections) takes one line, so the changes to existing values stand out.
 */
export function printSettingsChanges(output: Output, changes: readonly SettingsChange[], path: string): void {
  if (changes.length === 0) return;
  output.info(`${path} is updated after the change:`);
  const sections = new Map<string, SettingsChange[]>();
  for (const change of changes) {
    const section = change.key.split(".")[0] ?? change.key;
    sections.set(section, [...(sections.get(section) ?? []), change]);
  }
  for (const [section, inSection] of sections) {
    if (inSection.length >= 4 && inSection.every((change) => !("before" in change))) {
      const values = inSection.map(
        (change) => `${change.key.slice(section.length + 1)}=${shown(change.after)}`,
      );
      output.info(`  + ${section}: ${cut(values.join(", "), 200)}`);
      continue;
    }
    for (const change of inSection) output.info(`  ${describeChange(change)}`);
  }
}

function describeChange(change: SettingsChange): string {
  const before = "before" in change ? shown(change.before) : undefined;
  const after = "after" in change ? shown(change.after) : undefined;
  if (before === undefined) return `+ ${change.key}: ${after}`;
  if (after === undefined) return `- ${change.key} (was ${before})`;
  return `~ ${change.key}: ${before} → ${after}`;
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function shown(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return cut(text.replace(PENDING_DB_HOST, "<the new instance's endpoint>"), 80);
}

/** A first registration has nothing to compare with: show what it holds, one line a field. */
export function summarizeTaskDefinition(input: RegisterTaskDefinitionCommandInput): string {
  const lines: string[] = [];
  for (const container of input.containerDefinitions ?? []) {
    const ports = (container.portMappings ?? [])
      .map((mapping) => `host ${mapping.hostPort} → ${mapping.containerPort}`)
      .join(", ");
    lines.push(
      `  ${container.name}: ${container.image}, ${container.memory} MiB, ${container.cpu} CPU units${ports ? `, ${ports}` : ""}`,
    );
    for (const entry of container.environment ?? []) {
      const value = entry.name && isSecretVariable(entry.name) ? SECRET_MASK : shown(entry.value ?? "");
      lines.push(`    ${entry.name}=${value}`);
    }
    for (const secret of container.secrets ?? []) {
      const parameter = /:parameter(\/.*)$/.exec(secret.valueFrom ?? "")?.[1] ?? secret.valueFrom;
      lines.push(`    ${secret.name} from SSM ${parameter}`);
    }
  }
  for (const volume of input.volumes ?? []) {
    lines.push(`  volume ${volume.name}: ${volume.host?.sourcePath ?? "(docker volume)"}`);
  }
  return lines.join("\n");
}

/** The line every dry run ends with: nothing was changed, and nothing was written to mcctl.json. */
export const DRY_RUN_END = "dry run: nothing was changed in AWS and nothing was saved to mcctl.json";

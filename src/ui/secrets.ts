import type { SecretStorePlan } from "../plan/secrets.js";
import type { SecretInventory } from "../plan/secrets-inventory.js";
import type { Output } from "./output.js";

/** One line a secret, e.g. `  ~ MC_MAIL_PASSWORD: changed (SSM version 3 → 4)`; never a value. */
export function describeSecret(secret: SecretStorePlan["secrets"][number]): string {
  switch (secret.action) {
    case "create":
      return `+ ${secret.variable}: new SecureString ${secret.parameter}`;
    case "migrate":
      return `+ ${secret.variable}: plain text → SSM ${secret.parameter}${secret.from ? ` (from ${secret.from})` : ""}`;
    case "update":
      return `~ ${secret.variable}: changed (SSM version ${secret.version} → ${(secret.version ?? 0) + 1})`;
    case "rekey":
      return `~ ${secret.variable}: re-encrypted with the key named now, same value (SSM version ${secret.version} → ${(secret.version ?? 0) + 1})`;
    case "keep":
      return `  ${secret.variable}: unchanged (SSM version ${secret.version}${secret.lastModified ? `, set ${secret.lastModified.toISOString()}` : ""})`;
  }
}

/** The secrets part of a plan: where they live, what changes, and the role that reads them. */
export function printSecretStore(output: Output, plan: SecretStorePlan): void {
  if (plan.secrets.length === 0) return;
  const key = plan.store.kmsKeyArn
    ? `customer key ${plan.store.kmsKeyArn}`
    : "the AWS-managed key alias/aws/ssm";
  output.info(`Secrets: SSM Parameter Store SecureStrings under ${plan.store.path}, encrypted with ${key}:`);
  for (const secret of plan.secrets) output.info(`  ${describeSecret(secret)}`);
  for (const parameter of plan.unused) {
    output.hint(
      `${parameter} is no longer used; \`mcctl secrets rm ${parameter.split("/").pop()}\` deletes it`,
    );
  }
  output.info(`Execution role: ${describeRole(plan.role)}`);
  for (const note of plan.notes) output.hint(note);
}

function describeRole(role: SecretStorePlan["role"]): string {
  if (!role.managed) return `${role.name} (named in mcctl.json, used as it is)`;
  const policy = role.policy.Statement.map(
    (statement) => `${[statement.Action].flat().join(",")} on ${[statement.Resource].flat().join(",")}`,
  ).join("; ");
  const managed = role.managedPolicyArn.split("/").pop();
  if (role.create) return `+ create ${role.name} (trusts ecs-tasks.amazonaws.com; ${managed}; ${policy})`;
  const fixes = [
    role.attachManagedPolicy ? `attach ${managed}` : "",
    role.putPolicy ? `set its policy to ${policy}` : "",
  ].filter(Boolean);
  return fixes.length > 0 ? `~ ${role.name}: ${fixes.join(", ")}` : `${role.name} (exists, up to date)`;
}

/**
 * A plan's step that writes the secret store: "update execution role R, then store A, B in SSM under
 * /mcctl/family". Names only, never a value.
 */
export function describeSecretStoreStep(plan: SecretStorePlan): string {
  const { role } = plan;
  const parts: string[] = [];
  if (role.create) parts.push(`create execution role ${role.name}`);
  else if (role.attachManagedPolicy || role.putPolicy) parts.push(`update execution role ${role.name}`);
  const written = plan.secrets.filter((secret) => secret.action !== "keep").map((secret) => secret.variable);
  if (written.length > 0) parts.push(`store ${written.join(", ")} in SSM under ${plan.store.path}`);
  return parts.join(", then ");
}

/** A secret SSM now holds reaches the running task only when it starts again. */
export function restartAdvice(plan: SecretStorePlan, service: string): string | undefined {
  const changed = plan.secrets
    .filter((secret) => secret.action === "update")
    .map((secret) => secret.variable);
  if (changed.length === 0) return undefined;
  return `${changed.join(", ")} reach${changed.length === 1 ? "es" : ""} the running task only when it starts again: run \`mcctl restart\` to restart ${service} now.`;
}

/** `mcctl secrets list` as a table: name, where it lives, version and when it changed. Never a value. */
export function renderSecretInventory(inventory: SecretInventory): string {
  const lines = [
    `Secrets of ${inventory.family}${inventory.revision ? ` (${inventory.revision})` : ""}, SSM path ${inventory.store.path}:`,
  ];
  const width = Math.max(...inventory.rows.map((row) => row.variable.length));
  for (const row of inventory.rows) {
    const where =
      row.delivery === "plain"
        ? "plain text in the task definition"
        : row.stored
          ? `SSM version ${row.stored.version}${row.stored.lastModified ? `, changed ${row.stored.lastModified.toISOString()}` : ""}${row.delivery === "unset" ? ", not used by the task definition" : ""}`
          : row.delivery === "ssm"
            ? "referenced, but missing from SSM"
            : "not set";
    lines.push(`  ${row.variable.padEnd(width)}  ${where}${row.optional ? "" : " (required)"}`);
  }
  return lines.join("\n");
}

import type { Outage } from "../domain/outage.js";
import type { ContainerInstanceStatus, StatusReport, TaskStatus } from "../queries/status.js";
import { formatDuration } from "./output.js";

const LABEL_WIDTH = 13;

function describeSecrets(secrets: StatusReport["secrets"]): string {
  if (secrets.plain.length > 0) {
    return `PLAIN TEXT in the task definition: ${secrets.plain.join(", ")} (\`mcctl register-task\` moves them to SSM)`;
  }
  if (secrets.ssm.length === 0) return "(none)";
  const folder = secrets.ssm[0]?.replace(/\/[^/]*$/, "") ?? "";
  const sameFolder = secrets.ssm.every((parameter) => parameter.startsWith(`${folder}/`));
  return sameFolder
    ? `SSM Parameter Store ${folder}/ (${secrets.ssm.map((parameter) => parameter.slice(folder.length + 1)).join(", ")}); \`mcctl secrets list\``
    : `SSM Parameter Store: ${secrets.ssm.join(", ")}`;
}

/** `mcctl status` as text: a summary block, then deployments, tasks, container instances and events. */
export function renderStatus(report: StatusReport): string {
  const now = Date.parse(report.checkedAt);
  const when = (at: string | undefined) => (at ? `${shortIso(at)} (${ago(now, at)})` : "(unknown)");
  const { service, cluster } = report;
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${label.padEnd(LABEL_WIDTH)}${value}`);

  field(
    "Cluster",
    `${cluster.name} (${cluster.status}, ${plural(cluster.containerInstances, "container instance")})`,
  );
  field(
    "Service",
    `${service.name} ${service.status}: desired ${service.desiredCount}, running ${service.runningCount}, pending ${service.pendingCount}`,
  );
  field("Revision", service.taskDefinition);
  const nameWidth = Math.max(0, ...report.containers.map((container) => container.name.length)) + 2;
  for (const container of report.containers) {
    lines.push(`${" ".repeat(LABEL_WIDTH)}${container.name.padEnd(nameWidth)}${container.image}`);
  }
  field("App URL", report.urls.app ?? "(METADATA_HOST is not set in the task definition)");
  report.urls.instances.forEach((url, index) => {
    field(index === 0 ? "On instance" : "", url);
  });
  field("Secrets", describeSecrets(report.secrets));
  field(
    "Logs",
    report.logGroup
      ? `CloudWatch Logs ${report.logGroup}: \`mcctl logs\` (\`--follow\`, \`--previous\`)`
      : "on the instance (syslog / json-file): ssh to it; `mcctl register-task` moves them to CloudWatch Logs",
  );
  field("Health", report.healthy ? "OK" : `NOT OK: ${report.problems.join("; ")}`);
  if (report.lastOutage) field("Last outage", describeOutage(report.lastOutage));

  lines.push("", "Deployments");
  if (report.deployments.length === 0) lines.push("  (none)");
  for (const deployment of report.deployments) {
    lines.push(
      `  ${deployment.status.padEnd(8)} ${deployment.taskDefinition}  ${deployment.rolloutState ?? "-"}  ` +
        `running ${deployment.runningCount}/${deployment.desiredCount}, pending ${deployment.pendingCount}, ` +
        `failed ${deployment.failedTasks}  since ${when(deployment.createdAt)}`,
    );
    if (deployment.rolloutState !== "COMPLETED" && deployment.rolloutStateReason) {
      lines.push(`           ${deployment.rolloutStateReason}`);
    }
  }

  lines.push("", "Tasks");
  if (report.tasks.length === 0) lines.push("  (none)");
  for (const task of report.tasks) lines.push(...taskLines(task, when));
  if (report.lastFailedTask) {
    const failed = report.lastFailedTask;
    lines.push(`  last failed: ${failed.taskId} stopped ${when(failed.stoppedAt)}: ${failed.reason}`);
  }

  lines.push("", "Container instances");
  if (report.containerInstances.length === 0) lines.push("  (none registered)");
  for (const instance of report.containerInstances) lines.push(...containerInstanceLines(instance));

  lines.push("", `Events (last ${report.events.length}, newest first)`);
  if (report.events.length === 0) lines.push("  (none)");
  for (const event of report.events) lines.push(`  ${shortIso(event.at)}  ${event.message}`);
  return lines.join("\n");
}

function taskLines(task: TaskStatus, when: (at: string | undefined) => string): string[] {
  const state =
    task.desiredStatus === "STOPPED" && task.lastStatus !== "STOPPED"
      ? `${task.lastStatus} (stopping)`
      : task.lastStatus;
  const started = task.startedAt ? `  started ${when(task.startedAt)}` : "";
  const containers = task.containers
    .map(
      (container) =>
        `${container.name} ${container.lastStatus}${container.exitCode === undefined ? "" : ` (exit ${container.exitCode})`}`,
    )
    .join(", ");
  const address = task.publicDnsName ?? task.privateIpAddress;
  const host = `${task.ec2InstanceId ?? "(unknown EC2 instance)"}${address ? ` (${address})` : ""}`;
  return [
    `  ${task.taskId}  ${state}  ${task.taskDefinition}${started}`,
    `    on ${host}, container instance ${task.containerInstanceId ?? "(unknown)"}`,
    ...(containers ? [`    containers: ${containers}`] : []),
  ];
}

function containerInstanceLines(instance: ContainerInstanceStatus): string[] {
  const state = [
    instance.status,
    instance.agentConnected ? "agent connected" : "AGENT DISCONNECTED",
    instance.instanceType,
    instance.operatingSystem,
    instance.instanceState && instance.instanceState !== "running"
      ? `EC2 ${instance.instanceState}`
      : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const address = instance.publicDnsName ?? instance.privateIpAddress;
  return [
    `  ${instance.ec2InstanceId ?? "(no EC2 instance id)"}  ${state}${address ? `  ${address}` : ""}`,
    `    free ${instance.cpu.free} of ${instance.cpu.registered} CPU units, ` +
      `${instance.memoryMiB.free} of ${instance.memoryMiB.registered} MiB; ` +
      `${instance.runningTasks} running, ${instance.pendingTasks} pending; container instance ${instance.containerInstanceId}`,
  ];
}

/** "2m 14s (model-catalogue:3 stopped 03:04:05Z → model-catalogue:4 running 03:06:19Z)" */
function describeOutage(outage: Outage): string {
  const time = (at: string) => shortIso(at).replace(/^.*T/, "");
  const stopped = `${outage.stoppedRevision} stopped ${time(outage.stoppedAt)}`;
  if (outage.endedAt === undefined || outage.durationMs === undefined) {
    return `under way (${stopped}; no task has started since)`;
  }
  return `${formatDuration(outage.durationMs)} (${stopped} → ${outage.startedRevision} running ${time(outage.endedAt)})`;
}

/** "2026-11-25T03:00:12.000Z" → "2026-11-25T03:00:12Z". */
function shortIso(at: string): string {
  return at.replace(/\.\d{3}Z$/, "Z");
}

function ago(now: number, at: string): string {
  const elapsed = now - Date.parse(at);
  return elapsed < 1000 ? "just now" : `${formatDuration(elapsed)} ago`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

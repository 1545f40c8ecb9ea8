import type { CreateServiceCommandInput, Service } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import type { Reporter } from "./reporter.js";
import type { RoleChange } from "./role-propagation.js";
import { ServiceMonitor, waitForSteady } from "./service-monitor.js";
import { timeoutError } from "./timeouts.js";

export interface ServiceCreation {
  input: CreateServiceCommandInput;
  /** Wait until the service is steady (false: --no-wait). */
  wait: boolean;
  /** --timeout, as the operator gave it (a timeout says it). */
  timeoutMs: number;
  /** When the wait must be over (epoch ms); left out, `timeoutMs` from the creation. */
  deadline?: number | undefined;
  pollIntervalMs: number;
  signal?: AbortSignal | undefined;
  /** Called as soon as ECS has the service, before the wait: what exists must be remembered even if the wait fails. */
  onCreated?: (service: Service) => Promise<void>;
  /** The role mcctl created or changed in this run (setup): its propagation failures are not failures. */
  roleChange?: RoleChange | undefined;
}

/** Creates the planned service and, unless told not to, waits until it is steady (failing fast). */
export async function createService(
  ecs: EcsApi,
  reporter: Reporter,
  creation: ServiceCreation,
): Promise<Service> {
  const deadline = creation.deadline ?? Date.now() + creation.timeoutMs;
  const created = await ecs.createService(creation.input);
  const name = creation.input.serviceName as string;
  const cluster = creation.input.cluster as string;
  reporter.success(`Created service ${name} (${created.serviceArn})`);
  await creation.onCreated?.(created);
  if (!creation.wait) return created;
  return reporter.wait(`Waiting for ${name} to become steady`, async (progress) => {
    const monitor = new ServiceMonitor(ecs, cluster, name, progress, creation.roleChange);
    monitor.ignoreEvents(created.events);
    const steady = await waitForSteady(
      monitor,
      {
        deadline,
        pollIntervalMs: creation.pollIntervalMs,
        signal: creation.signal,
        onTimeout: (snapshot) =>
          timeoutError(
            `service ${name} to become steady`,
            creation.timeoutMs,
            snapshot,
            `ECS keeps trying on its own; follow it with \`mcctl status\`.`,
          ),
      },
      progress,
    );
    return { value: steady.service, done: `Service ${name} is steady` };
  });
}

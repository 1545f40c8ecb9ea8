/**
 * The faults `mcctl sandbox fail` arranges in the sandbox account, to rehearse an incident before a real one.
 * Plain data: the catalogue (loaded by --help) lists them; src/sandbox/ makes them happen.
 */
export const SANDBOX_FAULTS = {
  "task-fails-to-start":
    "The next task a service starts exits right after it starts: its essential container logs why and exits with code 1.",
  "out-of-memory":
    "The next task a service starts is OOM-killed moments after it is RUNNING (exit code 137, OutOfMemoryError).",
  "placement-failure":
    "The next time ECS places a task, no container instance has room for 25 s; ECS's own retry then places it.",
  throttling: "The next 3 requests to ECS get its throttling error; the SDK retries them.",
  "endpoint-hang":
    "The next request to ECS gets no answer: the SDK's request timeout ends it and the SDK retries.",
} as const;

export type SandboxFaultName = keyof typeof SANDBOX_FAULTS;

export function isSandboxFault(name: string): name is SandboxFaultName {
  return Object.hasOwn(SANDBOX_FAULTS, name);
}

import { afterEach, beforeEach, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "./sim.js";

export const TEST_START = Date.parse("2026-11-25T03:00:00Z");

/**
 * A fresh simulated AWS for each test of the file, with fake timers starting at TEST_START.
 * The returned object always stands for the current test's simulator, so tests write `sim.ecs…`.
 */
export function useSimulatedAws(options: SimulatedAwsOptions = {}): SimulatedAws {
  let current: SimulatedAws | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(TEST_START);
    current = createSimulatedAws(options);
    current.install();
  });
  afterEach(() => {
    current?.restore();
    current = undefined;
    vi.useRealTimers();
  });
  return new Proxy({} as SimulatedAws, {
    get(_target, property) {
      if (!current) throw new Error("the simulated AWS exists only inside a test");
      const value = Reflect.get(current, property);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}

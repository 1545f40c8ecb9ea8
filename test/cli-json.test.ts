import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main, VERB_MODULES } from "../src/cli.js";
// What main loads when a command runs, loaded before the fake clock runs: a first load that takes real
// time while the test advances simulated time would let the command's deadlines pass.
import "./helpers/context.js";
import { mcServiceInput, mcTaskDefinition } from "./helpers/sim-fixtures.js";
import { useSimulatedAws } from "./helpers/simulated-aws.js";
import { runUntilSettled } from "./helpers/time.js";

const sim = useSimulatedAws();

/** Runs mcctl in this process, returning its exit code and what it wrote to stdout. */
async function mcctl(...args: string[]) {
  const chunks: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await runUntilSettled(main(["node", "mcctl", ...args]));
    return { code, stdout: chunks.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

beforeAll(async () => {
  await Promise.all([
    ...Object.values(VERB_MODULES).map((load) => load()),
    import("../src/driver/options.js"),
    import("../src/config/globals.js"),
    import("../src/config/settings.js"),
    import("../src/context.js"),
  ]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("mcctl --json when a command fails", () => {
  it("answers on stdout with the error when the command printed nothing", async () => {
    const { code, stdout } = await mcctl("status", "--json", "--cluster", "nowhere");
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      error: { code: 1, message: expect.stringMatching(/nowhere/) },
    });
  });

  it("keeps the one answer a command printed before failing (status --check)", async () => {
    sim.ecs.addCluster("default");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.createService(mcServiceInput({ cluster: "default" }));
    const { code, stdout } = await mcctl("status", "--json", "--check");
    expect(code).toBe(1);
    const answer = JSON.parse(stdout) as Record<string, unknown>;
    expect(answer).not.toHaveProperty("error");
    expect(answer).toHaveProperty("healthy", false);
  });
});

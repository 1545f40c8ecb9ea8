import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The test suite as Stryker runs it (`npm run mutate`): everything but the lifecycle test (below) and
 * test/bin/, which runs the built binary in dist/. Stryker mutates the TypeScript sources in its sandbox
 * and never rebuilds dist/, so those tests would only ever see the unmutated code: they cannot kill a
 * mutant, only slow every run.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      // test/commands/lifecycle.test.ts is one deployment's life told in steps that build on each
      // other: Stryker runs only the tests that cover a mutant, so a later step run alone fails on any
      // mutant and would count as killing it (307 of 1180 mutants of src/operations were "killed" so).
      // The sandbox's tests across processes run dist/ too, like test/bin/.
      exclude: [
        "test/bin/**",
        "test/commands/lifecycle.test.ts",
        "test/sandbox/lifecycle.test.ts",
        "test/sandbox/faults.test.ts",
        "test/sandbox/loopback.test.ts",
        "test/sandbox/readme-first-command.test.ts",
        "**/node_modules/**",
      ],
      // Test files share the loaded modules (the AWS SDK above all) instead of loading them again for
      // each file: a quarter faster per mutant, with the same results on a sample of 198 mutants.
      isolate: false,
    },
  }),
);

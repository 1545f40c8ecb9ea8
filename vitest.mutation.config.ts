import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The test suite as Stryker runs it (`npm run mutate`): everything but test/bin/, which runs the built
 * binary in dist/. Stryker mutates the TypeScript sources in its sandbox and never rebuilds dist/, so
 * those tests would only ever see the unmutated code: they cannot kill a mutant, only slow every run.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ["test/bin/**", "**/node_modules/**"],
    },
  }),
);

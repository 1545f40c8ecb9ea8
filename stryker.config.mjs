// Mutation testing (`npm run mutate`, not part of CI): do the tests fail when the code they guard is
// broken? Stryker changes one thing at a time in src/operations/, src/queries/ and src/domain/ (a condition, an
// operator, a string) and runs the tests that cover it; a mutant no test notices "survives".
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ["src/operations/**/*.ts", "src/queries/**/*.ts", "src/domain/**/*.ts"],
  testRunner: "vitest",
  // test/bin/ is left out there: it runs dist/, which Stryker does not rebuild (see that file).
  vitest: { configFile: "vitest.mutation.config.ts" },
  // Each mutant runs only the tests that reached it in the first (unmutated) run.
  coverageAnalysis: "perTest",
  // Two runners: the machine has two cores, shared with other work.
  concurrency: 2,
  // Mutants in module-level code (constant tables, patterns) can only be tested by reloading every
  // module and running every test that imports it: 18% of the mutants but two thirds of the time
  // (hours on two cores). They are reported as "Ignored" and left out of the score.
  ignoreStatic: true,
  // Re-runs only test mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Tests on the simulated AWS use fake timers; a mutant that loops is stopped by this.
  timeoutMS: 20_000,
  thresholds: { high: 85, low: 70, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};

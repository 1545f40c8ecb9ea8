import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Keep the AWS SDK quiet and away from any real account while testing.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "AKIDTESTONLY",
      AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
      AWS_REGION: "eu-west-1",
      AWS_EC2_METADATA_DISABLED: "true",
      // A shell that practises in the sandbox (MCCTL_SANDBOX=1) must not turn every test into a sandbox run.
      MCCTL_SANDBOX: "",
    },
    testTimeout: 20_000,
    // Each file in a process of its own (vitest's default). Sharing one worker process between files
    // halved the suite's time, but some files then timed out now and then after another file had run
    // in the same process; test/helpers/between-files.ts keeps what it restores for a shared worker.
    isolate: true,
    maxWorkers: 2,
    setupFiles: ["test/helpers/between-files.ts"],
  },
});

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
    },
    testTimeout: 20_000,
    // A worker process runs one test file after another instead of a new process per file: starting
    // node and importing the AWS SDK again for each of the ~130 files was most of the suite's time.
    // test/helpers/between-files.ts gives each file fresh modules of src/ and test/, the worker's
    // starting environment, real timers and no leftover signal listeners, as a new process did.
    isolate: false,
    setupFiles: ["test/helpers/between-files.ts"],
  },
});

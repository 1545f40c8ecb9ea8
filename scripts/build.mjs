// Bundles the CLI so that a cold start reads a handful of files instead of hundreds: commands and
// the AWS SDK stay in separate chunks that load only when a command needs them.
import { rm } from "node:fs/promises";
import { build } from "esbuild";

await rm("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/cli.ts"],
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  minifyWhitespace: true,
  minifySyntax: true,
  // Error and class names are part of how AWS errors are recognised; keep them.
  keepNames: true,
  legalComments: "none",
  logLevel: "warning",
  chunkNames: "chunks/[name]-[hash]",
  // The SDK's shared client base is loaded from node_modules rather than bundled: one copy of it for
  // every client, which the end-to-end tests can also reach to plug in the simulated AWS.
  external: ["@smithy/core", "@smithy/core/*"],
  // Some bundled CommonJS dependencies call require(); give each ESM chunk one.
  banner: {
    js: 'import { createRequire as __mcctlCreateRequire } from "node:module"; const require = __mcctlCreateRequire(import.meta.url);',
  },
});

// Bundles the CLI so that a cold start reads a handful of files instead of hundreds: commands and
// the AWS SDK stay in separate chunks that load only when a command needs them.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { build } from "esbuild";

// Some bundled CommonJS dependencies call require(); a chunk that does gets one. The others go
// without: each createRequire costs a cold start a module import and a path look-up.
const REQUIRE_SHIM =
  'import { createRequire as __mcctlCreateRequire } from "node:module"; const require = __mcctlCreateRequire(import.meta.url);\n';

await rm("dist", { recursive: true, force: true });
const { outputFiles } = await build({
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
  write: false,
});
for (const file of outputFiles) {
  const needsRequire = file.path.endsWith(".js") && /\brequire\b/.test(file.text);
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, needsRequire ? REQUIRE_SHIM + file.text : file.contents);
}

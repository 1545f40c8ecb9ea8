// Bundles the CLI so that a cold start reads a handful of files instead of hundreds: commands and
// the AWS SDK stay in separate chunks that load only when a command needs them.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

// Some bundled CommonJS dependencies call require(); a chunk that does gets one. The others go
// without. Node's built-in modules (all that a start needs: commander's) come from
// process.getBuiltinModule; createRequire, and node:module with it, only for a package
// (@smithy/core, for the SDK).
const REQUIRE_SHIM =
  "let __mcctlRequire; const require = (id) => process.getBuiltinModule(id) ?? " +
  '(__mcctlRequire ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);\n';

const ENTRY = "src/cli.ts";
// What a command's start needs (its context, settings, flag checks, the task's inputs, the plan's
// printing): the modules `register-task --dry-run --offline` imports statically.
const CORE_ROOTS = ["src/commands/register-task.ts"];

/** The source files reached from `roots` by static imports (dynamic imports and packages left out). */
async function staticClosure(roots) {
  const { metafile } = await build({
    entryPoints: roots,
    bundle: true,
    write: false,
    metafile: true,
    outdir: "dist",
    format: "esm",
    platform: "node",
    packages: "external",
    logLevel: "error",
  });
  const reached = new Set();
  const pending = [...roots];
  while (pending.length > 0) {
    const path = pending.pop();
    if (reached.has(path) || !metafile.inputs[path]) continue;
    reached.add(path);
    for (const imported of metafile.inputs[path].imports) {
      if (imported.kind === "import-statement" && !imported.external) pending.push(imported.path);
    }
  }
  return reached;
}

/**
 * esbuild splits by which entry points (the CLI and every dynamic import) reach a module, so the modules
 * that most commands share fell into some twenty small chunks, each a file to resolve, read and compile
 * at start-up. Here every entry point outside the CLI's own static imports (what `--help` loads) reaches
 * all the core modules, so that they share one chunk:
 * - every other source module (commands, plans, operations, SDK wrappers) also imports a glue module
 *   that imports the core ones;
 * - a dynamic import of a core module (lazy-action's flag checks, globals and settings) goes through a
 *   facade that imports the glue, then re-exports the module.
 * Nothing imports back into the glue, so the import graph gains no cycle and every module still runs
 * after the modules it imports.
 */
async function coreChunkPlugin() {
  const cliModules = await staticClosure([ENTRY]);
  const core = [...(await staticClosure(CORE_ROOTS))].filter(
    (path) => !cliModules.has(path) && !CORE_ROOTS.includes(path),
  );
  const coreFiles = new Set(core.map((path) => resolve(path)));
  const cliFiles = new Set([...cliModules].map((path) => resolve(path)));
  const glue = core.map((path) => `import ${JSON.stringify(resolve(path))};`).join("\n");
  return {
    name: "core-chunk",
    setup(build) {
      build.onResolve({ filter: /^mcctl:core$/ }, () => ({ path: "core", namespace: "mcctl-core" }));
      build.onLoad({ filter: /.*/, namespace: "mcctl-core" }, () => ({
        contents: glue,
        loader: "js",
        resolveDir: process.cwd(),
      }));
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.kind !== "dynamic-import" || args.pluginData?.coreFacade) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { coreFacade: true },
        });
        if (resolved.errors.length > 0 || !coreFiles.has(resolved.path)) return resolved;
        return { path: resolved.path, namespace: "mcctl-core-entry" };
      });
      build.onLoad({ filter: /.*/, namespace: "mcctl-core-entry" }, ({ path }) => ({
        contents: `import "mcctl:core";\nexport * from ${JSON.stringify(path)};\n`,
        loader: "js",
        resolveDir: dirname(path),
      }));
      build.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => {
        if (coreFiles.has(path) || cliFiles.has(path)) return undefined;
        const source = await readFile(path, "utf8");
        return { contents: `${source}\nimport "mcctl:core";\n`, loader: "ts" };
      });
    },
  };
}

/**
 * commander requires node:child_process at load, for executable subcommands (a separate program per
 * command), which mcctl does not use: that is some ten of Node's modules at every start, --help
 * included. Its one use, spawn, now loads the module when called. The build fails if commander
 * changes that line, rather than bundle it unchanged.
 */
const commanderLazyChildProcess = {
  name: "commander-lazy-child-process",
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) {
        throw new Error(`${path} no longer has \`${eager}\`: update scripts/build.mjs`);
      }
      const lazy =
        "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: "js" };
    });
  },
};

/**
 * An ESM import of a Node built-in builds a facade module over all of its exports; for node:process
 * that reads every property, allowedNodeEnvironmentFlags's getter included, and it cost node:process,
 * node:tty and node:os together some 15 ms against 4 through process.getBuiltinModule (a bare script
 * on this machine, under load). Static imports of built-ins (chalk's, the core modules') now read the
 * module from process.getBuiltinModule and re-export its data properties; a name it lacks (an
 * accessor) fails the build rather than come out undefined.
 */
const builtinsWithoutFacade = {
  name: "builtins-without-facade",
  setup(build) {
    const builtins = new Set(builtinModules);
    // One copy per importer, so that it lands in the importer's chunk rather than in a chunk of its own.
    build.onResolve({ filter: /^(node:)?[a-z_0-9/]+$/ }, ({ path, kind, importer }) => {
      const name = path.replace(/^node:/, "");
      if (kind !== "import-statement" || !builtins.has(name)) return undefined;
      return { path: `node:${name}`, namespace: "mcctl-builtin", suffix: `?${importer}` };
    });
    build.onLoad({ filter: /.*/, namespace: "mcctl-builtin" }, ({ path }) => {
      const exported = process.getBuiltinModule(path);
      const names = Object.keys(exported).filter(
        (name) =>
          /^[A-Za-z_$][\w$]*$/.test(name) && "value" in Object.getOwnPropertyDescriptor(exported, name),
      );
      const lines = names.map((name) => `export const ${name} = builtin.${name};`);
      return {
        contents: `const builtin = process.getBuiltinModule(${JSON.stringify(path)});\nexport default builtin;\n${lines.join("\n")}\n`,
        loader: "js",
      };
    });
  },
};

await rm("dist", { recursive: true, force: true });
const { outputFiles } = await build({
  entryPoints: [ENTRY],
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
  plugins: [await coreChunkPlugin(), commanderLazyChildProcess, builtinsWithoutFacade],
  write: false,
});
for (const file of outputFiles) {
  const needsRequire = file.path.endsWith(".js") && /\brequire\b/.test(file.text);
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, needsRequire ? REQUIRE_SHIM + file.text : file.contents);
}

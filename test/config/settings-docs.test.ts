import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SettingsSchema } from "../../src/config/settings.js";

const ROOT = join(import.meta.dirname, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
}

/** Every key path of mcctl.json's schema: "region", "setup", "setup.database", "setup.database.engineVersion", … */
function keyPaths(def: Def, prefix = ""): string[] {
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
      return def.innerType ? keyPaths(def.innerType._zod.def, prefix) : [];
    case "pipe":
      return def.in ? keyPaths(def.in._zod.def, prefix) : [];
    case "union":
      return (def.options ?? []).flatMap((option) => keyPaths(option._zod.def, prefix));
    case "object":
      return Object.entries(def.shape ?? {}).flatMap(([key, value]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        return [path, ...keyPaths(value._zod.def, path)];
      });
    default:
      return [];
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The text of the string and template literals of a source file: what its messages can say. */
function literals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].map(
    (match) => match[0],
  );
}

const PATHS = new Set(keyPaths((SettingsSchema as unknown as { _zod: { def: Def } })._zod.def));

/** The nested mcctl.json keys (a.b, a.b.c) that some message, warning or suggestion in src/ names. */
function keysNamedInMessages(): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const file of sourceFiles(join(ROOT, "src"))) {
    for (const literal of literals(readFileSync(file, "utf8"))) {
      for (const [candidate] of literal.matchAll(/\b[a-z][A-Za-z]*(?:\.[A-Za-z]+)+\b/g)) {
        if (!PATHS.has(candidate)) continue;
        named.set(candidate, [...(named.get(candidate) ?? []), file.slice(ROOT.length + 1)]);
      }
    }
  }
  return named;
}

describe("the mcctl.json keys that mcctl's messages name", () => {
  const named = keysNamedInMessages();

  it("are found (the scan itself works)", () => {
    expect(PATHS).toContain("setup.database.engineVersion");
    expect(named.get("setup.database.engineVersion")).toContain("src/plan/setup/database-options.ts");
  });

  it.each([...named.keys()].sort())("%s is documented in the README", (key) => {
    expect(README, `${key}, named in ${named.get(key)?.join(", ")}`).toMatch(
      new RegExp(`\`${key.replaceAll(".", "\\.")}[\`: ]`),
    );
  });
});

describe("the setup keys", () => {
  it.each([...PATHS].filter((path) => /^setup\.\w+\.\w+$/.test(path)).sort())(
    "%s is in the README's table",
    (key) => {
      expect(README).toContain(`| \`${key}\` |`);
    },
  );
});

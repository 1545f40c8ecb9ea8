import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FlagUse, VERBS } from "../../src/driver/catalogue.js";
import { FLAGS, type FlagDeclaration, type FlagKey, GLOBAL_FLAGS } from "../../src/driver/flags.js";

/**
 * The README's tables of commands and flags are made from the same declarations as commander's options
 * and the validation (src/driver/catalogue.ts, flags.ts): a flag added, renamed or given another default
 * fails here until the README says so (UPDATE_README=1 npx vitest run test/driver/readme.test.ts
 * writes the blocks).
 */
const README = new URL("../../README.md", import.meta.url);

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (text: string) => `\`${text}\``;

function commandsTable(): string {
  return [
    "| command | what it does | changes AWS |",
    "| --- | --- | --- |",
    ...VERBS.map(
      (verb) =>
        `| ${code(`mcctl ${verb.name}${"args" in verb ? ` ${verb.args}` : ""}`)} | ${cell(verb.description)} | ${verb.changes ? "yes" : "no"} |`,
    ),
  ].join("\n");
}

function globalTable(): string {
  return [
    "| option | meaning | environment |",
    "| --- | --- | --- |",
    ...Object.values(GLOBAL_FLAGS).map(
      (flag: FlagDeclaration) =>
        `| ${code(flag.spelling)} | ${cell(flag.help)} | ${flag.env ? code(flag.env) : ""} |`,
    ),
  ].join("\n");
}

function flagsTables(): string {
  return VERBS.map((verb) => {
    const rows = (Object.entries(verb.flags) as [FlagKey, FlagUse][]).flatMap(([key, use]) => {
      const flag: FlagDeclaration = FLAGS[key];
      const row = `| ${code(flag.spelling)} | ${use.default !== undefined ? code(use.default) : ""} | ${cell(use.help ?? flag.help)} |`;
      if (flag.negation === undefined) return [row];
      const opposite = `| ${code(`--no-${flag.spelling.slice(2)}`)} | | ${cell(use.negationHelp ?? flag.negation)} |`;
      if (use.on === undefined) return [row, opposite];
      return use.on ? [opposite] : [row];
    });
    const table =
      rows.length > 0
        ? ["| flag | default | meaning |", "| --- | --- | --- |", ...rows]
        : ["(no flags of its own)"];
    return [`**${code(`mcctl ${verb.name}`)}**`, "", ...table].join("\n");
  }).join("\n\n");
}

const BLOCKS = [
  ["commands", commandsTable],
  ["global options", globalTable],
  ["flags", flagsTables],
] as const;

describe("the README's tables", () => {
  it.each(BLOCKS)("%s: what the declarations give", (name, render) => {
    const begin = `<!-- ${name}: generated from src/driver/catalogue.ts and flags.ts; UPDATE_README=1 npx vitest run test/driver/readme.test.ts -->`;
    const end = `<!-- end of generated ${name} -->`;
    const text = readFileSync(README, "utf8");
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    expect(start, `README.md has the generated ${name} block`).toBeGreaterThanOrEqual(0);
    const current = text.slice(start, stop + end.length);
    const wanted = `${begin}\n${render()}\n${end}`;
    if (process.env.UPDATE_README === "1" && current !== wanted) {
      writeFileSync(README, text.replace(current, wanted));
      return;
    }
    expect(current).toBe(wanted);
  });
});

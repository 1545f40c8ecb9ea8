/** FilterLogEvents' filter patterns: terms, "exact phrases", ?alternatives, -exclusions and %regex%. */
import { logsMessages } from "./logs-model.js";

export type FilterPattern = { match: (message: string) => boolean } | { problem: string };

/**
 * Parses a filter pattern for unstructured events: empty matches everything; `ERROR Exception` needs both
 * terms; `"Server startup"` the phrase; `?ERROR ?WARN` either; `-DEBUG` excludes; `%regex%` a regular
 * expression. Matching is case-sensitive, on substrings. An unquoted term may hold only letters, digits and
 * underscores ("Invalid character(s) in term ':'"). JSON (`{ $.x = … }`) and space-delimited (`[a, b]`)
 * patterns, and ?alternatives mixed with other terms, are not simulated: they throw.
 */
export function parseFilterPattern(pattern: string | undefined): FilterPattern {
  const text = (pattern ?? "").trim();
  if (text === "") return { match: () => true };
  if (text.startsWith("{") || text.startsWith("[")) {
    throw new Error(
      `simulated CloudWatch Logs does not implement JSON or space-delimited filter patterns (${text})`,
    );
  }
  if (text.length > 1 && text.startsWith("%") && text.endsWith("%")) {
    const regex = new RegExp(text.slice(1, -1));
    return { match: (message) => regex.test(message) };
  }
  const terms: Array<{ kind: "all" | "any" | "none"; text: string }> = [];
  let at = 0;
  while (at < text.length) {
    if (/\s/.test(text[at] ?? "")) {
      at++;
      continue;
    }
    const modifier = text[at] === "?" ? "any" : text[at] === "-" ? "none" : "all";
    if (modifier !== "all") at++;
    if (text[at] === '"') {
      let phrase = "";
      let end = at + 1;
      for (; end < text.length && text[end] !== '"'; end++) {
        if (text[end] === "\\" && end + 1 < text.length) end++;
        phrase += text[end];
      }
      if (end >= text.length) return { problem: logsMessages.invalidTerm('"') };
      terms.push({ kind: modifier, text: phrase });
      at = end + 1;
      continue;
    }
    let end = at;
    while (end < text.length && !/\s/.test(text[end] ?? "")) end++;
    const term = text.slice(at, end);
    const bad = /[^A-Za-z0-9_]/.exec(term);
    if (bad || term === "") return { problem: logsMessages.invalidTerm(bad?.[0] ?? text[at - 1] ?? "") };
    terms.push({ kind: modifier, text: term });
    at = end;
  }
  const any = terms.filter((term) => term.kind === "any");
  if (any.length > 0 && any.length < terms.length) {
    throw new Error(`simulated CloudWatch Logs does not implement ?terms mixed with other terms (${text})`);
  }
  if (any.length > 0) return { match: (message) => any.some((term) => message.includes(term.text)) };
  return {
    match: (message) => terms.every((term) => (term.kind === "none") !== message.includes(term.text)),
  };
}

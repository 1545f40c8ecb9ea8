/**
 * The shapes of the values mcctl accepts, as plain patterns and predicates (no zod: src/domain stays
 * pure), and the one way a value is echoed in an error message. src/config/values.ts builds the zod
 * schemas for flags, environment variables and mcctl.json on top of these.
 */

/** An echoed value is cut to this many characters: a 100 KB value must not make a 100 KB error line. */
export const MAX_QUOTED_LENGTH = 60;

/**
 * The longest value mcctl accepts for one environment variable or settings string. ECS refuses a whole
 * task definition above 64 KiB (see MAX_TASK_DEFINITION_BYTES), so one value may take an eighth of it:
 * room for a welcome text in HTML, far beyond any host name, URL or option list.
 */
export const MAX_VALUE_LENGTH = 8192;

/** ECS cluster and service names, and task definition families: 1 to 255 letters, digits, - and _. */
export const ECS_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
export const MAX_ECS_NAME_LENGTH = 255;

/** eu-west-1, us-gov-west-1, ap-southeast-5, cn-north-1; not "eu west 1" or "Ireland". */
export const AWS_REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** arn:aws:ecs:eu-west-1:123456789012:task-definition/family:3 (also aws-cn, aws-us-gov partitions). */
export const TASK_DEFINITION_ARN_PATTERN =
  /^arn:aws[a-z-]*:ecs:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:[1-9]\d{0,9}$/;

/** family, family:revision: what ECS accepts as a task definition reference, besides an ARN. */
export const FAMILY_REVISION_PATTERN = /^[A-Za-z0-9_-]{1,255}(?::[1-9]\d{0,9})?$/;

/** A revision number on its own (rollback --to 7). */
export const REVISION_NUMBER_PATTERN = /^[1-9]\d{0,9}$/;

/** A POSIX login name as ssh and useradd accept it (ec2-user, ubuntu, admin). */
export const SSH_USER_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/**
 * Characters that would split an error line, hide what follows it or end a C string early: the C0
 * controls except tab, DEL, the C1 controls, the Unicode line separators and the bidirectional overrides.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is what this pattern is for.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, "g");

const CONTROL_NAMES: Readonly<Record<string, string>> = {
  "\u0000": "a NUL character",
  "\n": "a line feed (newline)",
  "\r": "a carriage return",
};

/** What is wrong when `value` holds a control character (never echoing the value), else undefined. */
export function controlCharacterProblem(value: string): string | undefined {
  const found = CONTROL_CHARACTER.exec(value)?.[0];
  if (found === undefined) return undefined;
  const name = CONTROL_NAMES[found] ?? `the control character ${codePoint(found)}`;
  return `contains ${name} at position ${value.indexOf(found) + 1}; values must be one line of text`;
}

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

function escapeCharacter(character: string): string {
  const escaped = JSON.stringify(character).slice(1, -1);
  return escaped.replace(
    CONTROL_CHARACTERS,
    (control) => `\\u${(control.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * `value` in double quotes, safe to print on one line: control characters escaped as in JSON, and cut
 * to about `max` characters with an ellipsis and the full length when longer. Never pass a secret.
 */
export function quote(value: string, max = MAX_QUOTED_LENGTH): string {
  let shown = "";
  for (const character of value) {
    const piece = escapeCharacter(character);
    if (shown.length + piece.length > max) {
      const length = [...value].length;
      return `"${shown}…" (${length} characters)`;
    }
    shown += piece;
  }
  return `"${shown}"`;
}

/**
 * A message from elsewhere (a JSON parser, the file system) made safe for one line: control characters
 * escaped, cut to about `max` characters. Unlike quote, for text that is not a value on its own.
 */
export function oneLine(text: string, max = 200): string {
  const escaped = text.replace(CONTROL_CHARACTERS, escapeCharacter);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

/** A name shown in an error that came from outside (a JSON key, an option): as it is when plain, else quoted. */
export function quoteName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : quote(name);
}

/** 0 → "0 bytes", 2048 → "2.0 KiB", 5 << 20 → "5.0 MiB": the unit that keeps the number readable. */
/** "the new revision" → "The new revision": a message part that starts a sentence. */
export function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

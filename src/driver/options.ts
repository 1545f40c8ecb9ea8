import * as z from "zod/mini";
import * as values from "../config/values.js";
import { ES_CONTAINER, MC_CONTAINER } from "../domain/task-definition.js";
import { UsageError } from "../errors.js";
import type { FlagUse } from "./catalogue.js";
import { FLAGS, type FlagKey, flagName, type ValueKind } from "./flags.js";

/** The schema of each kind of value (src/driver/flags.ts), which parses the text given on the command line. */
const VALUE_SCHEMAS = {
  family: values.family,
  taskDefinition: values.taskDefinitionReference,
  revision: values.revisionReference,
  duration: values.waitTimeout,
  pollInterval: values.pollInterval,
  count: values.desiredCount,
  url: values.httpUrl,
  tag: values.dockerTag,
  image: values.imageReference,
  path: values.filePath,
  sshUser: values.sshUser,
  kmsKey: values.kmsKey,
  text: values.nonEmptyText(),
  container: z.enum([MC_CONTAINER, ES_CONTAINER], { error: "is mc or mc-es" }),
  since: values.nonEmptyText(256),
} as const satisfies Record<ValueKind, z.ZodMiniType>;

type ValueOf<K extends ValueKind> = z.output<(typeof VALUE_SCHEMAS)[K]>;

/** What one flag is once parsed: its value, on/off, or (for --restart/--no-restart) unsaid. */
type FlagOutput<K extends FlagKey, U> = (typeof FLAGS)[K] extends { value: infer V extends ValueKind }
  ? U extends { default: string }
    ? ValueOf<V>
    : ValueOf<V> | undefined
  : (typeof FLAGS)[K] extends { negation: string }
    ? U extends { on: boolean }
      ? boolean
      : boolean | undefined
    : boolean;

/** Flags that may be absent once parsed: a value without a default, or a switch that may go unsaid. */
type MayBeAbsent<K extends FlagKey, U> = (typeof FLAGS)[K] extends { value: ValueKind }
  ? U extends { default: string }
    ? false
    : true
  : (typeof FLAGS)[K] extends { negation: string }
    ? U extends { on: boolean }
      ? false
      : true
    : false;

/** The options a verb's flags give it, typed from its declaration in src/driver/catalogue.ts. */
export type OptionsOf<F> = {
  /** The global --family (src/driver/flags.ts), which every verb's options carry. */
  family?: string | undefined;
} & {
  -readonly [K in keyof F & FlagKey as MayBeAbsent<K, F[K]> extends true ? never : K]: FlagOutput<K, F[K]>;
} & {
  -readonly [K in keyof F & FlagKey as MayBeAbsent<K, F[K]> extends true ? K : never]?: FlagOutput<K, F[K]>;
};

/**
 * The schema of a verb's options, made from its flags' declarations: a value is parsed by its kind's
 * schema (a default like a given value), an on/off flag is a boolean with commander's default.
 * `args` are the verb's arguments (`secrets set NAME`).
 */
export function optionsSchema<
  const F extends Readonly<Partial<Record<FlagKey, FlagUse>>>,
  A extends Record<string, z.ZodMiniType> = Record<never, z.ZodMiniType>,
>(flags: F, args?: A): z.ZodMiniType<OptionsOf<F> & z.output<z.ZodMiniObject<A>>> {
  const shape: Record<string, z.ZodMiniType> = { family: z.optional(VALUE_SCHEMAS.family) };
  for (const [key, use] of Object.entries(flags) as [FlagKey, FlagUse][]) {
    const declaration = FLAGS[key];
    if ("value" in declaration) {
      const schema = VALUE_SCHEMAS[declaration.value];
      shape[key] =
        use.default !== undefined ? z.pipe(z._default(z.string(), use.default), schema) : z.optional(schema);
    } else if ("negation" in declaration) {
      // `--wait`/`--no-wait`: the verb's default; `--restart`/`--no-restart`: unsaid unless given.
      shape[key] = use.on === undefined ? z.optional(z.boolean()) : z._default(z.boolean(), use.on);
    } else {
      // `--no-snapshot` is on unless given; every other switch is off unless given.
      shape[key] = z._default(z.boolean(), declaration.spelling.startsWith("--no-"));
    }
  }
  return z.object({ ...shape, ...args }) as unknown as z.ZodMiniType<
    OptionsOf<F> & z.output<z.ZodMiniObject<A>>
  >;
}

const MAX_PROBLEMS = 3;

/**
 * Parses a command's options with its schema; a bad flag value is a usage error (exit 2) on one line,
 * naming each bad flag (at most three) with its value cut short.
 */
export function parseOptions<T extends z.ZodMiniType>(
  schema: T,
  raw: unknown,
  command?: string,
): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join(".");
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(
      key === "" || issue.message.startsWith("-") ? issue.message : `${flagName(key)} ${issue.message}`,
    );
  }
  const shown = problems.slice(0, MAX_PROBLEMS).join("; ");
  const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : "";
  throw new UsageError(`${shown}${more}`, command ? { suggestion: `See \`mcctl ${command} --help\`.` } : {});
}

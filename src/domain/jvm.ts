import { quote } from "./formats.js";

/** JVM memory options in CATALINA_OPTS, in MiB (fractions possible for sizes given in k or bytes). */
export interface JvmMemoryOptions {
  heapMaxMiB?: number;
  heapInitialMiB?: number;
  newSizeMiB?: number;
  maxNewSizeMiB?: number;
  permSizeMiB?: number;
  maxPermSizeMiB?: number;
  maxMetaspaceSizeMiB?: number;
  threadStackMiB?: number;
}

export interface CatalinaOptsParse {
  options: JvmMemoryOptions;
  /** Problems that do not depend on the container's memory. */
  problems: string[];
}

export interface CatalinaOptsAnalysis {
  heapMaxMiB?: number;
  nonHeapMiB: number;
  overheadMiB: number;
  requiredMiB: number;
  fits: boolean;
  problems: string[];
}

type MemoryOption = keyof JvmMemoryOptions;

interface OptionSyntax {
  option: MemoryOption;
  prefix: string;
}

const OPTION_SYNTAX: readonly OptionSyntax[] = [
  { option: "heapMaxMiB", prefix: "-Xmx" },
  { option: "heapInitialMiB", prefix: "-Xms" },
  { option: "threadStackMiB", prefix: "-Xss" },
  { option: "maxPermSizeMiB", prefix: "-XX:MaxPermSize=" },
  { option: "permSizeMiB", prefix: "-XX:PermSize=" },
  { option: "maxMetaspaceSizeMiB", prefix: "-XX:MaxMetaspaceSize=" },
  { option: "maxNewSizeMiB", prefix: "-XX:MaxNewSize=" },
  { option: "newSizeMiB", prefix: "-XX:NewSize=" },
];

const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};
const BYTES_PER_MIB = 1024 ** 2;

/** Used when neither MaxPermSize nor MaxMetaspaceSize caps class metadata; a Grails 2 app loads plenty. */
export const ASSUMED_NON_HEAP_MIB = 256;
/**
 * Memory a JVM uses beyond heap and class metadata: thread stacks, code cache, GC structures, direct buffers
 * and native allocations. Measured Tomcat JVMs need roughly 10% of the heap, but never less than ~512 MiB.
 */
export const MIN_JVM_OVERHEAD_MIB = 512;
export const JVM_OVERHEAD_RATIO = 0.1;
/** Without -Xmx a container-aware JVM takes a quarter of the memory it can see. */
const DEFAULT_HEAP_RATIO = 0.25;
const SMALLEST_HEAP_MIB = 64;

export function jvmOverheadMiB(heapMaxMiB: number): number {
  return Math.max(MIN_JVM_OVERHEAD_MIB, heapMaxMiB * JVM_OVERHEAD_RATIO);
}

/** Parses a JVM size (`2048m`, `10g`, `512k`, `1073741824`) into MiB, or undefined when it is not one. */
export function parseJvmSize(size: string): number | undefined {
  const match = /^(\d+)([kmgt]?)$/i.exec(size);
  if (match === null) return undefined;
  const [, digits = "", unit = ""] = match;
  const bytesPerUnit = BYTES_PER_UNIT[unit.toLowerCase()];
  if (bytesPerUnit === undefined) return undefined;
  return (Number(digits) * bytesPerUnit) / BYTES_PER_MIB;
}

/** Whole MiB as the JVM would be given them: `g` when it divides evenly, otherwise `m`. */
export function formatJvmSize(mib: number): string {
  const whole = Math.floor(mib);
  return whole % 1024 === 0 && whole > 0 ? `${whole / 1024}g` : `${whole}m`;
}

export function parseCatalinaOpts(opts: string): CatalinaOptsParse {
  const options: JvmMemoryOptions = {};
  const problems: string[] = [];
  for (const token of opts.split(/\s+/)) {
    const syntax = syntaxOf(token);
    if (syntax === undefined) continue;
    const sizeText = token.slice(syntax.prefix.length);
    const size = parseJvmSize(sizeText);
    if (size === undefined) {
      problems.push(
        `${quote(token)}: cannot read the size ${quote(sizeText)}; use a whole number with k, m or g, e.g. ${syntax.prefix}2048m`,
      );
      continue;
    }
    // The JVM honours the last occurrence of an option.
    options[syntax.option] = size;
  }

  const { heapMaxMiB, heapInitialMiB, newSizeMiB, maxNewSizeMiB, permSizeMiB, maxPermSizeMiB } = options;
  if (heapMaxMiB !== undefined) {
    if (heapInitialMiB !== undefined && heapInitialMiB > heapMaxMiB) {
      problems.push(
        `-Xms (${describeMiB(heapInitialMiB)}) is larger than -Xmx (${describeMiB(heapMaxMiB)}); ` +
          `the JVM refuses to start`,
      );
    }
    for (const [label, size] of [
      ["NewSize", newSizeMiB],
      ["MaxNewSize", maxNewSizeMiB],
    ] as const) {
      if (size !== undefined && size >= heapMaxMiB) {
        problems.push(
          `${label} (${describeMiB(size)}) is not smaller than -Xmx (${describeMiB(heapMaxMiB)}); ` +
            `the young generation must leave room for the old one`,
        );
      }
    }
  }
  if (permSizeMiB !== undefined && maxPermSizeMiB !== undefined && permSizeMiB > maxPermSizeMiB) {
    problems.push(
      `PermSize (${describeMiB(permSizeMiB)}) is larger than MaxPermSize (${describeMiB(maxPermSizeMiB)})`,
    );
  }
  return { options, problems };
}

export function analyseCatalinaOpts(opts: string, containerMemoryMiB: number): CatalinaOptsAnalysis {
  const { options, problems } = parseCatalinaOpts(opts);
  const heapMiB = options.heapMaxMiB ?? containerMemoryMiB * DEFAULT_HEAP_RATIO;
  const nonHeapMiB = nonHeapOf(options);
  const overheadMiB = jvmOverheadMiB(heapMiB);
  const requiredMiB = Math.ceil(heapMiB + nonHeapMiB + overheadMiB);
  return {
    ...(options.heapMaxMiB === undefined ? {} : { heapMaxMiB: options.heapMaxMiB }),
    nonHeapMiB,
    overheadMiB,
    requiredMiB,
    fits: requiredMiB <= containerMemoryMiB,
    problems,
  };
}

/**
 * A short account of where the memory goes, e.g. "-Xmx10g + MaxPermSize 2048m + ~1024m JVM overhead", using
 * the operator's own spelling of the sizes.
 */
export function describeMemoryNeed(opts: string, containerMemoryMiB: number): string {
  const analysis = analyseCatalinaOpts(opts, containerMemoryMiB);
  const spelled = lastSpelling(opts);
  const heap =
    analysis.heapMaxMiB === undefined
      ? `default heap ~${formatJvmSize(containerMemoryMiB * DEFAULT_HEAP_RATIO)}`
      : `-Xmx${spelled.heapMaxMiB}`;
  const { maxPermSizeMiB, maxMetaspaceSizeMiB } = parseCatalinaOpts(opts).options;
  let nonHeap = `~${ASSUMED_NON_HEAP_MIB}m PermGen/Metaspace (not capped)`;
  if (maxPermSizeMiB !== undefined && maxPermSizeMiB >= (maxMetaspaceSizeMiB ?? 0)) {
    nonHeap = `MaxPermSize ${spelled.maxPermSizeMiB}`;
  } else if (maxMetaspaceSizeMiB !== undefined) {
    nonHeap = `MaxMetaspaceSize ${spelled.maxMetaspaceSizeMiB}`;
  }
  return `${heap} + ${nonHeap} + ~${Math.ceil(analysis.overheadMiB)}m JVM overhead`;
}

/**
 * The same options with the memory sizes lowered just enough to fit the container. Every other option keeps
 * its text and position. Options that already fit (and are consistent) come back unchanged. When the container
 * is too small for any JVM the result is the smallest sensible configuration, which still does not fit.
 */
export function suggestCatalinaOpts(opts: string, containerMemoryMiB: number): string {
  const { options, problems } = parseCatalinaOpts(opts);
  if (analyseCatalinaOpts(opts, containerMemoryMiB).fits && problems.length === 0) return opts;

  const replacements: Partial<Record<MemoryOption, number>> = {};
  const nonHeapMiB = nonHeapOf(options);
  const nonHeapIsCapped = options.maxPermSizeMiB !== undefined || options.maxMetaspaceSizeMiB !== undefined;
  // Class metadata rarely needs more than a quarter of the container; beyond that the heap pays for it.
  const nonHeapCapMiB = Math.max(SMALLEST_HEAP_MIB, roundDown(containerMemoryMiB * 0.25, SMALLEST_HEAP_MIB));
  let targetNonHeapMiB = nonHeapMiB;
  if (nonHeapIsCapped && nonHeapMiB > nonHeapCapMiB) {
    targetNonHeapMiB = nonHeapCapMiB;
    for (const option of ["maxPermSizeMiB", "maxMetaspaceSizeMiB"] as const) {
      const size = options[option];
      if (size !== undefined && size > nonHeapCapMiB) replacements[option] = nonHeapCapMiB;
    }
  }
  const effectiveMaxPerm = replacements.maxPermSizeMiB ?? options.maxPermSizeMiB;
  if (
    options.permSizeMiB !== undefined &&
    effectiveMaxPerm !== undefined &&
    options.permSizeMiB > effectiveMaxPerm
  ) {
    replacements.permSizeMiB = effectiveMaxPerm;
  }

  const currentHeapMiB = options.heapMaxMiB ?? containerMemoryMiB * DEFAULT_HEAP_RATIO;
  let heapMiB = currentHeapMiB;
  if (currentHeapMiB + targetNonHeapMiB + jvmOverheadMiB(currentHeapMiB) > containerMemoryMiB) {
    heapMiB = largestHeapMiB(containerMemoryMiB, targetNonHeapMiB);
    replacements.heapMaxMiB = heapMiB;
  }
  if (options.heapInitialMiB !== undefined && options.heapInitialMiB > heapMiB) {
    replacements.heapInitialMiB = heapMiB;
  }
  // A young generation larger than half the heap starves the old generation; the JVM's own default is a third.
  const youngCapMiB = heapMiB / 2;
  for (const option of ["newSizeMiB", "maxNewSizeMiB"] as const) {
    const size = options[option];
    if (size !== undefined && size > youngCapMiB) {
      replacements[option] = roundDown(heapMiB / 3, SMALLEST_HEAP_MIB);
    }
  }

  const rewritten = rewriteOptions(opts, replacements);
  if (replacements.heapMaxMiB !== undefined && options.heapMaxMiB === undefined) {
    return `${rewritten.trimEnd()} -Xmx${formatJvmSize(heapMiB)}`.trimStart();
  }
  return rewritten;
}

/** The option list of the manual procedure, sized for a container of the given memory. */
export function defaultCatalinaOpts(containerMemoryMiB: number): string {
  const permMiB = Math.min(1024, Math.max(256, roundDown(containerMemoryMiB * 0.1, SMALLEST_HEAP_MIB)));
  const heapMiB = largestHeapMiB(containerMemoryMiB, permMiB);
  const initialHeapMiB = roundDown(heapMiB / 2, SMALLEST_HEAP_MIB);
  const newSizeMiB = roundDown(heapMiB / 4, SMALLEST_HEAP_MIB);
  return [
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-server",
    `-Xms${formatJvmSize(initialHeapMiB)}`,
    `-Xmx${formatJvmSize(heapMiB)}`,
    `-XX:NewSize=${formatJvmSize(newSizeMiB)}`,
    `-XX:MaxNewSize=${formatJvmSize(newSizeMiB)}`,
    `-XX:PermSize=${formatJvmSize(permMiB)}`,
    `-XX:MaxPermSize=${formatJvmSize(permMiB)}`,
    "-XX:+DisableExplicitGC",
  ].join(" ");
}

function syntaxOf(token: string): OptionSyntax | undefined {
  return OPTION_SYNTAX.find((syntax) => token.startsWith(syntax.prefix));
}

/** When both are given only one applies (PermGen before Java 8, Metaspace after); assume the larger. */
function nonHeapOf(options: JvmMemoryOptions): number {
  const { maxPermSizeMiB, maxMetaspaceSizeMiB } = options;
  if (maxPermSizeMiB === undefined && maxMetaspaceSizeMiB === undefined) return ASSUMED_NON_HEAP_MIB;
  return Math.max(maxPermSizeMiB ?? 0, maxMetaspaceSizeMiB ?? 0);
}

/** The largest heap, in tidy steps, for which heap + non-heap + overhead stays within the container. */
function largestHeapMiB(containerMemoryMiB: number, nonHeapMiB: number): number {
  const available = containerMemoryMiB - nonHeapMiB;
  const exact = Math.min(available - MIN_JVM_OVERHEAD_MIB, available / (1 + JVM_OVERHEAD_RATIO));
  const step = exact >= 1024 ? 256 : SMALLEST_HEAP_MIB;
  return Math.max(SMALLEST_HEAP_MIB, roundDown(exact, step));
}

function roundDown(value: number, step: number): number {
  return Math.floor(value / step) * step;
}

function describeMiB(mib: number): string {
  return Number.isInteger(mib) ? `${mib} MiB` : `${mib.toFixed(1)} MiB`;
}

/** The size text of the last occurrence of each option, as the operator wrote it. */
function lastSpelling(opts: string): Partial<Record<MemoryOption, string>> {
  const spelled: Partial<Record<MemoryOption, string>> = {};
  for (const token of opts.split(/\s+/)) {
    const syntax = syntaxOf(token);
    if (syntax !== undefined) spelled[syntax.option] = token.slice(syntax.prefix.length);
  }
  return spelled;
}

function rewriteOptions(opts: string, replacements: Partial<Record<MemoryOption, number>>): string {
  // Splitting with a capture group keeps the original whitespace between options.
  return opts
    .split(/(\s+)/)
    .map((part) => {
      const syntax = syntaxOf(part);
      if (syntax === undefined) return part;
      const replacement = replacements[syntax.option];
      if (replacement === undefined || parseJvmSize(part.slice(syntax.prefix.length)) === undefined)
        return part;
      return `${syntax.prefix}${formatJvmSize(replacement)}`;
    })
    .join("");
}

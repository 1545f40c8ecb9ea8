/**
 * IAM's evaluation of identity-based policies for one request, as the IAM User Guide describes it ("Policy
 * evaluation logic", "IAM JSON policy elements: Condition operators", "Single-valued vs. multivalued context
 * keys"): an explicit Deny in any statement wins, otherwise an Allow that matches action, resource and
 * conditions allows, otherwise the request is implicitly denied. Nothing here keeps state.
 *
 * Supported: Action / NotAction and Resource / NotResource with the `*` and `?` wildcards (actions matched without
 * regard to case, resources with it); the condition operators String(Not)Equals, String(Not)EqualsIgnoreCase,
 * String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool and Null, each with `…IfExists`, and the set prefixes
 * `ForAnyValue:` and `ForAllValues:`. Any other operator (Numeric…, Date…, IpAddress…) makes its statement not
 * apply, Allow or Deny: the simulator then grants less than IAM would, never more, except that such a Deny is
 * ignored. Policy variables (`${aws:username}`) are not substituted: a pattern holding one matches only itself.
 */

/** One statement of a policy document, as written (single strings or lists). */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | boolean | Array<string | boolean>>>;
}

/** A policy document (identity or trust policy). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement | PolicyStatement[];
}

/** A condition key's value in the request: one string, or several for multivalued keys such as aws:TagKeys. */
export type ConditionValue = string | readonly string[];

/** What a request looks like to the evaluator: the action, the resource ARN and condition context keys. */
export interface PolicyRequest {
  /** e.g. "ssm:GetParameters" (matched case-insensitively, as IAM does). */
  action: string;
  /** e.g. "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/x" (matched case-sensitively). */
  resource: string;
  /** Condition keys the request carries, e.g. { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" }. */
  context?: Readonly<Record<string, ConditionValue>>;
}

/** The outcome for one request, with the statement that decided it (none for an implicit deny). */
export interface PolicyDecision {
  effect: "allow" | "explicit-deny" | "implicit-deny";
  /** Index of the deciding document in the list evaluated, and of the statement in it. */
  document?: number;
  statement?: number;
  sid?: string;
}

/** A document's statements as a list (IAM accepts a single statement object too). */
export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  const { Statement } = document;
  if (Statement === undefined) return [];
  return Array.isArray(Statement) ? Statement : [Statement];
}

/** Explicit Deny first, then any Allow, else implicit deny; names the statement that decided. */
export function decide(documents: readonly PolicyDocument[], request: PolicyRequest): PolicyDecision {
  let allow: PolicyDecision | undefined;
  for (const [documentIndex, document] of documents.entries()) {
    for (const [statementIndex, statement] of statementsOf(document).entries()) {
      if (!matches(statement, request)) continue;
      const where = { document: documentIndex, statement: statementIndex, sid: statement.Sid };
      if (statement.Effect === "Deny") return { effect: "explicit-deny", ...where };
      if (statement.Effect === "Allow") allow ??= { effect: "allow", ...where };
    }
  }
  return allow ?? { effect: "implicit-deny" };
}

/** Whether the documents allow the request (see `decide`). */
export function evaluatePolicies(documents: readonly PolicyDocument[], request: PolicyRequest): boolean {
  return decide(documents, request).effect === "allow";
}

/** IAM's wildcards: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function matches(statement: PolicyStatement, request: PolicyRequest): boolean {
  const actionMatches =
    statement.Action !== undefined
      ? listOf(statement.Action).some((pattern) => wildcardMatch(pattern, request.action, true))
      : statement.NotAction !== undefined &&
        !listOf(statement.NotAction).some((pattern) => wildcardMatch(pattern, request.action, true));
  if (!actionMatches) return false;
  const resourceMatches =
    statement.Resource !== undefined
      ? listOf(statement.Resource).some((pattern) => wildcardMatch(pattern, request.resource, false))
      : statement.NotResource !== undefined &&
        !listOf(statement.NotResource).some((pattern) => wildcardMatch(pattern, request.resource, false));
  if (!resourceMatches) return false;
  return conditionsHold(statement.Condition, request.context ?? {});
}

/** Every operator and every key in a Condition block must hold (AND); a key's values are alternatives (OR). */
function conditionsHold(
  condition: PolicyStatement["Condition"],
  context: Readonly<Record<string, ConditionValue>>,
): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const parsed = parseOperator(operator);
    if (!parsed) return false;
    for (const [key, expected] of Object.entries(keys ?? {})) {
      const found = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase());
      const actual = found === undefined ? undefined : listOf(found[1] as string | string[]);
      const values = listOf(expected).map(String);
      if (!conditionHolds(parsed, actual, values)) return false;
    }
  }
  return true;
}

interface ParsedOperator {
  set: "ForAnyValue" | "ForAllValues" | undefined;
  base: keyof typeof comparisons | "Null";
  ifExists: boolean;
}

/** How one request value compares with one policy value, for each base operator (negations handled apart). */
const comparisons = {
  StringEquals: (actual: string, value: string) => actual === value,
  StringEqualsIgnoreCase: (actual: string, value: string) => actual.toLowerCase() === value.toLowerCase(),
  StringLike: (actual: string, value: string) => wildcardMatch(value, actual, false),
  ArnEquals: (actual: string, value: string) => wildcardMatch(value, actual, false),
  ArnLike: (actual: string, value: string) => wildcardMatch(value, actual, false),
  Bool: (actual: string, value: string) => actual.toLowerCase() === value.toLowerCase(),
} as const;

const negations: Record<string, keyof typeof comparisons> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

function parseOperator(operator: string): (ParsedOperator & { negated: boolean }) | undefined {
  const match = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(operator);
  if (!match) return undefined;
  const set = match[1] as ParsedOperator["set"];
  const name = match[2] ?? "";
  const ifExists = match[3] !== undefined;
  if (name === "Null") return set || ifExists ? undefined : { set, base: "Null", ifExists, negated: false };
  if (name in comparisons) return { set, base: name as keyof typeof comparisons, ifExists, negated: false };
  const positive = negations[name];
  return positive ? { set, base: positive, ifExists, negated: true } : undefined;
}

/**
 * One key of one operator. A key missing from the request: positive operators fail, negated ones hold,
 * `…IfExists` holds, ForAnyValue fails and ForAllValues holds. Null checks presence.
 */
function conditionHolds(
  operator: ParsedOperator & { negated: boolean },
  actual: readonly string[] | undefined,
  values: readonly string[],
): boolean {
  if (operator.base === "Null") return (actual === undefined) === (values[0]?.toLowerCase() === "true");
  if (actual === undefined) {
    if (operator.set === "ForAllValues") return true;
    if (operator.set === "ForAnyValue") return false;
    return operator.ifExists || operator.negated;
  }
  const compare = comparisons[operator.base];
  const matchesOne = (item: string) => {
    const equal = values.some((value) => compare(item, value));
    return operator.negated ? !equal : equal;
  };
  if (operator.set === "ForAllValues") return actual.every(matchesOne);
  if (operator.set === "ForAnyValue") return actual.some(matchesOne);
  // A single-valued operator on a multivalued key: positive when any value matches, negated when none does.
  return operator.negated ? actual.every(matchesOne) : actual.some(matchesOne);
}

function listOf<T>(value: T | T[] | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

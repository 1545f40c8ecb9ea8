/**
 * IAM identity policy documents built from grants (actions on resources, under a condition): statements
 * merged where they share resources and condition, in a stable order, and split into documents that each
 * fit IAM's size limit for a managed policy. Pure.
 */

export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface Grant {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: Condition | undefined;
}

export interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/**
 * IAM's limit for a customer managed policy: 6,144 characters, white space not counted (IAM User Guide,
 * "IAM and AWS STS quotas").
 */
export const MANAGED_POLICY_LIMIT = 6144;

/**
 * One statement per distinct (resources, condition): the actions of every grant that names exactly those
 * resources under that condition are listed together. Grants without resources are dropped (a permission
 * that applies only when a setting is present, e.g. a customer KMS key).
 */
export function statementsFor(grants: readonly Grant[]): Statement[] {
  const groups = new Map<string, { actions: Set<string>; resources: string[]; condition?: Condition }>();
  for (const grant of grants) {
    if (grant.resources.length === 0 || grant.actions.length === 0) continue;
    const resources = [...new Set(grant.resources)].sort();
    const key = JSON.stringify([resources, canonical(grant.condition)]);
    let group = groups.get(key);
    if (!group) {
      group = {
        actions: new Set(),
        resources,
        ...(grant.condition === undefined ? {} : { condition: grant.condition }),
      };
      groups.set(key, group);
    }
    for (const action of grant.actions) group.actions.add(action);
  }
  const statements = [...groups.values()].map((group) => ({
    Effect: "Allow" as const,
    Action: [...group.actions].sort(),
    Resource: group.resources,
    ...(group.condition === undefined ? {} : { Condition: group.condition }),
  }));
  statements.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  const used = new Map<string, number>();
  return statements.map((statement) => {
    const base = sidFor(statement);
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    return { Sid: count === 1 ? base : `${base}${count}`, ...statement };
  });
}

/** The size IAM counts: the document without white space outside its strings. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}

export function policyDocument(statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The statements in as few documents as fit the limit (first fit, largest first, keeping each
 * document's statements in their order). A statement too large for a document of its own is split by
 * its actions.
 */
export function splitIntoDocuments(
  statements: readonly Statement[],
  limit: number = MANAGED_POLICY_LIMIT,
): PolicyDocument[] {
  const pieces = statements.flatMap((statement) => fitting(statement, limit));
  const order = new Map(pieces.map((piece, index) => [piece, index]));
  const bins: Statement[][] = [];
  for (const piece of [...pieces].sort((a, b) => size(b) - size(a))) {
    const bin = bins.find((candidate) => policySize(policyDocument([...candidate, piece])) <= limit);
    if (bin) bin.push(piece);
    else bins.push([piece]);
  }
  return bins.map((bin) => policyDocument(bin.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))));
}

function fitting(statement: Statement, limit: number): Statement[] {
  if (policySize(policyDocument([statement])) <= limit || statement.Action.length < 2) return [statement];
  const half = Math.ceil(statement.Action.length / 2);
  return [
    ...fitting({ ...statement, Sid: `${statement.Sid}A`, Action: statement.Action.slice(0, half) }, limit),
    ...fitting({ ...statement, Sid: `${statement.Sid}B`, Action: statement.Action.slice(half) }, limit),
  ];
}

const size = (statement: Statement) => JSON.stringify(statement).length;

function canonical(condition: Condition | undefined): unknown {
  if (condition === undefined) return null;
  return Object.keys(condition)
    .sort()
    .map((operator) => [
      operator,
      Object.entries(condition[operator] ?? {}).sort(([a], [b]) => a.localeCompare(b)),
    ]);
}

function sortKey(statement: Omit<Statement, "Sid">): string {
  return `${statement.Action[0] ?? ""} ${statement.Resource.join(" ")}`;
}

/** "EcsService" for a statement on an ECS service, "AnyResource" for "*": letters and digits, as IAM wants. */
function sidFor(statement: Omit<Statement, "Sid">): string {
  const [resource] = statement.Resource;
  if (resource === undefined || resource === "*") {
    return statement.Condition === undefined ? "AnyResource" : "AnyResourceWithCondition";
  }
  const [, , service = "", , , rest = ""] = resource.split(":");
  // An S3 ARN names the bucket itself, not a resource type.
  const type =
    service === "s3" ? (rest.includes("/") ? "objects" : "bucket") : (/^[a-z-]+/.exec(rest)?.[0] ?? "");
  const words = [service, ...type.split("-")].filter(Boolean);
  return words.map((word) => `${word[0]?.toUpperCase() ?? ""}${word.slice(1)}`).join("") || "Resource";
}

/**
 * IAM policy documents for the simulated IAM: parsing (with IAM's error wording), the AWS managed policies
 * the simulator knows, and a small evaluator that answers "may this role call ssm:GetParameters on this
 * ARN?" from the role's identity policies. Nothing here keeps state.
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
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A policy document (identity or trust policy). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement | PolicyStatement[];
}

/** What a request looks like to the evaluator: the action, the resource ARN and condition context keys. */
export interface PolicyRequest {
  /** e.g. "ssm:GetParameters" (matched case-insensitively, as IAM does). */
  action: string;
  /** e.g. "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/x" (matched case-sensitively). */
  resource: string;
  /** Condition keys the request carries, e.g. { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" }. */
  context?: Readonly<Record<string, string>>;
}

/** Why IAM rejects a document, in its own words (all `MalformedPolicyDocument`, HTTP 400). */
export const policyErrors = {
  invalidJson: "This policy contains invalid Json",
  principalInIdentityPolicy: "Policy document should not specify a principal.",
} as const;

/**
 * Parses a policy document as IAM receives it (text). Returns the IAM error message when IAM would reject
 * it: not JSON (or not a JSON object), or — for identity policies — a statement naming a `Principal`.
 */
export function parsePolicyDocument(
  text: string | undefined,
  kind: "identity" | "trust",
): { document: PolicyDocument; error?: undefined } | { document?: undefined; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    return { error: policyErrors.invalidJson };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { error: policyErrors.invalidJson };
  }
  const document = parsed as PolicyDocument;
  if (kind === "identity" && statementsOf(document).some((statement) => statement.Principal !== undefined)) {
    return { error: policyErrors.principalInIdentityPolicy };
  }
  return { document };
}

/** A document's statements as a list (IAM accepts a single statement object too). */
export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  const { Statement } = document;
  if (Statement === undefined) return [];
  return Array.isArray(Statement) ? Statement : [Statement];
}

/**
 * Identity-policy evaluation as IAM does it for one principal in one account: an explicit Deny in any
 * document wins, otherwise an Allow that matches action, resource and conditions allows, otherwise the
 * request is implicitly denied. Supports Action/NotAction, Resource/NotResource with `*` and `?` wildcards,
 * and the condition operators StringEquals, StringNotEquals, StringLike and StringNotLike (a condition on
 * a key the request does not carry does not match, as in IAM). Any other operator makes the statement not
 * match, so a simulated Allow never grants more than the real one would.
 */
export function evaluatePolicies(documents: readonly PolicyDocument[], request: PolicyRequest): boolean {
  const statements = documents.flatMap(statementsOf).filter((statement) => matches(statement, request));
  if (statements.some((statement) => statement.Effect === "Deny")) return false;
  return statements.some((statement) => statement.Effect === "Allow");
}

/** Whether a trust policy lets an AWS service (e.g. "ecs-tasks.amazonaws.com") call sts:AssumeRole. */
export function trustsService(document: PolicyDocument, service: string): boolean {
  return statementsOf(document).some((statement) => {
    if (statement.Effect !== "Allow") return false;
    const principal = statement.Principal as { Service?: string | string[] } | string | undefined;
    const services =
      principal === "*" ? ["*"] : typeof principal === "object" ? listOf(principal?.Service) : [];
    const actions = listOf(statement.Action);
    return (
      services.some((candidate) => candidate === "*" || candidate === service) &&
      actions.some((action) => wildcardMatch(action, "sts:AssumeRole", true))
    );
  });
}

/** A trust policy letting one AWS service assume the role, as the console and the docs write it. */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "", Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  };
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

function conditionsHold(
  condition: PolicyStatement["Condition"],
  context: Readonly<Record<string, string>>,
): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys ?? {})) {
      const actual = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      const values = listOf(expected);
      switch (operator) {
        case "StringEquals":
          if (actual === undefined || !values.includes(actual)) return false;
          break;
        case "StringNotEquals":
          if (actual !== undefined && values.includes(actual)) return false;
          break;
        case "StringLike":
          if (actual === undefined || !values.some((value) => wildcardMatch(value, actual, false)))
            return false;
          break;
        case "StringNotLike":
          if (actual !== undefined && values.some((value) => wildcardMatch(value, actual, false)))
            return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

/** IAM's wildcards: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function listOf<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// ---------------------------------------------------------------------------------------------------
// AWS managed policies the simulator knows (their current documents, abridged to what they allow)

/** An AWS managed policy: its name, path and document. */
export interface ManagedPolicy {
  name: string;
  path: string;
  document: PolicyDocument;
}

const ecrPull = [
  "ecr:GetAuthorizationToken",
  "ecr:BatchCheckLayerAvailability",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
];

/**
 * By ARN. AmazonECSTaskExecutionRolePolicy grants image pulls from ECR and CloudWatch Logs only: it does NOT
 * grant ssm:GetParameters (the ECS docs have you add an inline policy for secrets). AmazonSSMReadOnlyAccess
 * does (ssm:Get* on every resource).
 */
export const managedPolicies: Readonly<Record<string, ManagedPolicy>> = {
  "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": {
    name: "AmazonECSTaskExecutionRolePolicy",
    path: "/service-role/",
    document: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: [...ecrPull, "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" },
      ],
    },
  },
  "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role": {
    name: "AmazonEC2ContainerServiceforEC2Role",
    path: "/service-role/",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "ec2:DescribeTags",
            "ecs:CreateCluster",
            "ecs:DeregisterContainerInstance",
            "ecs:DiscoverPollEndpoint",
            "ecs:Poll",
            "ecs:RegisterContainerInstance",
            "ecs:StartTelemetrySession",
            "ecs:UpdateContainerInstancesState",
            "ecs:Submit*",
            ...ecrPull,
            "logs:CreateLogStream",
            "logs:PutLogEvents",
          ],
          Resource: "*",
        },
      ],
    },
  },
  "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess": {
    name: "AmazonSSMReadOnlyAccess",
    path: "/",
    document: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["ssm:Describe*", "ssm:Get*", "ssm:List*"], Resource: "*" }],
    },
  },
};

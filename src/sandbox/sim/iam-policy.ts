/**
 * IAM policy documents for the simulated IAM: parsing (with IAM's error wording), trust policies and the AWS
 * managed policies the simulator knows. The evaluator ("may this role call ssm:GetParameters on this ARN?") is in
 * iam-evaluation.ts and re-exported here. Nothing here keeps state.
 */

import { type PolicyDocument, statementsOf, wildcardMatch } from "./iam-evaluation.js";

export {
  type ConditionValue,
  decide,
  evaluatePolicies,
  type PolicyDecision,
  type PolicyDocument,
  type PolicyRequest,
  type PolicyStatement,
  statementsOf,
  wildcardMatch,
} from "./iam-evaluation.js";

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

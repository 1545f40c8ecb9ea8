import type { PolicyDocument } from "../domain/iam-policy.js";

/** The documents, each ready to paste, and how to attach them. */
export function renderPolicies(verbs: readonly string[], documents: readonly PolicyDocument[]): string {
  const lines = [`IAM policy for mcctl ${verbs.length > 1 ? "commands" : "command"}: ${verbs.join(", ")}`];
  if (documents.length > 1) {
    lines.push(
      `It needs ${documents.length} managed policies (IAM allows at most 6,144 characters in one).`,
      "Create each and attach them all to the operator's user or role, e.g.:",
      ...documents.map(
        (_, index) =>
          `  aws iam create-policy --policy-name mcctl-operator-${index + 1} --policy-document file://mcctl-operator-${index + 1}.json`,
      ),
    );
  } else {
    lines.push(
      "Create it and attach it to the operator's user or role, e.g.:",
      "  aws iam create-policy --policy-name mcctl-operator --policy-document file://mcctl-operator.json",
    );
  }
  lines.push("  aws iam attach-user-policy --user-name <operator> --policy-arn <the policy's ARN>");
  documents.forEach((document, index) => {
    lines.push("", documents.length > 1 ? `mcctl-operator-${index + 1}.json:` : "mcctl-operator.json:");
    lines.push(JSON.stringify(document, null, 2));
  });
  return lines.join("\n");
}

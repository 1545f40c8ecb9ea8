import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import type { SecretWiring } from "../../src/domain/task-definition.js";

export const TEST_ACCOUNT = "123456789012";

/** The wiring a registration in eu-west-1 of TEST_ACCOUNT gives the default family's task definition. */
export const TEST_WIRING: SecretWiring = {
  executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/mcctl-model-catalogue-execution`,
  valueFrom: (variable) =>
    `arn:aws:ssm:eu-west-1:${TEST_ACCOUNT}:parameter/mcctl/model-catalogue/${variable}`,
};

/** Where a test's commands land: the simulator's default account and region. */
export function testTarget(account = TEST_ACCOUNT, region = "eu-west-1") {
  return { account, arn: `arn:aws:iam::${account}:user/test`, region };
}

/**
 * A task definition as mcctl registered it before secrets moved to SSM: every secret variable of `env`
 * as a plain `environment` value of the mc container, no `secrets`, no execution role.
 */
export function legacyTaskDefinition(
  input: RegisterTaskDefinitionCommandInput,
  env: Readonly<Record<string, string>>,
): RegisterTaskDefinitionCommandInput {
  const copy = structuredClone(input);
  delete copy.executionRoleArn;
  for (const container of copy.containerDefinitions ?? []) {
    if (!container.secrets) continue;
    const plain = container.secrets.map((secret) => ({
      name: secret.name,
      value: env[secret.name ?? ""] ?? "",
    }));
    container.environment = [...(container.environment ?? []), ...plain].sort((a, b) =>
      (a.name ?? "") < (b.name ?? "") ? -1 : 1,
    );
    delete container.secrets;
  }
  return copy;
}

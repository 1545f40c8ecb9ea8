import { type ContainerInstance, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  attributeAdvice,
  canHold,
  describeVerdict,
  judgePlacement,
  missingAttributes,
  requiredAttributes,
} from "../../src/domain/placement.js";
import { buildTaskDefinition, DEFAULT_TASK_SETTINGS } from "../../src/domain/task-definition.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";

const ROLE = "arn:aws:iam::123456789012:role/mcctl-model-catalogue-execution";
const wiring = {
  executionRoleArn: ROLE,
  valueFrom: (name: string) => `arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/${name}`,
};
const AWSLOGS = "com.amazonaws.ecs.capability.logging-driver.awslogs";
const EXECUTION_ROLE_AWSLOGS = "ecs.capability.execution-role-awslogs";
const SSM_SECRETS = "ecs.capability.secrets.ssm.environment-variables";

/** mcctl's revision: awslogs (the default) or the wiki's syslog / json-file, with or without secrets. */
function revision(options: { syslog?: boolean; secrets?: boolean } = {}) {
  const task = options.syslog
    ? { ...DEFAULT_TASK_SETTINGS, logging: { driver: "syslog" as const } }
    : DEFAULT_TASK_SETTINGS;
  const env = { METADATA_HOST: "mc.example.org", ...(options.secrets ? { METADATA_PASSWORD: "x" } : {}) };
  return buildTaskDefinition(task, env, wiring);
}

function instance(
  fields: { attributes?: string[]; cpu?: number; memory?: number; type?: string; id?: string } = {},
): ContainerInstance {
  return {
    ec2InstanceId: fields.id ?? "i-0abc",
    status: "ACTIVE",
    attributes: [
      ...(fields.type ? [{ name: "ecs.instance-type", value: fields.type }] : []),
      ...(fields.attributes ?? [AWSLOGS, EXECUTION_ROLE_AWSLOGS, SSM_SECRETS]).map((name) => ({ name })),
    ],
    registeredResources: [
      { name: "CPU", integerValue: fields.cpu ?? 4096 },
      { name: "MEMORY", integerValue: fields.memory ?? 15576 },
      { name: "PORTS", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
    ],
  };
}

describe("requiredAttributes", () => {
  it("mcctl's revision with secrets: the awslogs driver, awslogs through the execution role, SSM secrets", () => {
    expect(requiredAttributes(revision({ secrets: true }))).toEqual([
      AWSLOGS,
      EXECUTION_ROLE_AWSLOGS,
      SSM_SECRETS,
    ]);
  });

  it("without secrets there is no execution role, so awslogs writes with the instance role", () => {
    expect(requiredAttributes(revision())).toEqual([AWSLOGS]);
  });

  it("the wiki's logging: syslog for mc, json-file for mc-es", () => {
    expect(requiredAttributes(revision({ syslog: true }))).toEqual([
      "com.amazonaws.ecs.capability.logging-driver.syslog",
      "com.amazonaws.ecs.capability.logging-driver.json-file",
    ]);
  });

  it("Secrets Manager, a task role and awsvpc have their own capabilities", () => {
    expect(
      requiredAttributes({
        taskRoleArn: "arn:aws:iam::1:role/task",
        networkMode: "awsvpc",
        containerDefinitions: [
          { name: "a", secrets: [{ name: "X", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:x" }] },
        ],
      }),
    ).toEqual([
      "ecs.capability.secrets.asm.environment-variables",
      "com.amazonaws.ecs.capability.task-iam-role",
      "ecs.capability.task-eni",
    ]);
  });
});

describe("requiredAttributes against what the simulated ECS requires", () => {
  let sim: SimulatedAws;
  beforeEach(() => {
    sim = createSimulatedAws({ accountId: "123456789012" });
    sim.install();
    sim.iam.addRole("mcctl-model-catalogue-execution");
  });
  afterEach(() => sim.restore());

  it("every attribute the domain names is one RegisterTaskDefinition lists in requiresAttributes", async () => {
    const ecs = new ECSClient({ region: "eu-west-1" });
    for (const input of [revision({ secrets: true }), revision(), revision({ syslog: true })]) {
      const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input));
      const required = (taskDefinition?.requiresAttributes ?? []).map((attribute) => attribute.name);
      expect(required).toEqual(expect.arrayContaining(requiredAttributes(input)));
    }
  });
});

describe("judgePlacement", () => {
  it("an instance that registered the attributes and enough resources can hold the revision", () => {
    const [verdict] = judgePlacement([instance()], revision({ secrets: true }));
    expect(verdict && canHold(verdict)).toBe(true);
  });

  it("names what an instance lacks: registered resources and attributes, with what each attribute is for", () => {
    const [verdict] = judgePlacement(
      [instance({ attributes: [AWSLOGS], cpu: 2048, memory: 3800, type: "t3.medium" })],
      revision({ secrets: true }),
    );
    expect(verdict && canHold(verdict)).toBe(false);
    expect(verdict && describeVerdict(verdict)).toBe(
      "i-0abc (t3.medium): 2048 of 3072 CPU units registered, 3800 of 14336 MiB memory registered; " +
        "lacks the attributes ecs.capability.execution-role-awslogs (awslogs through the execution role), " +
        "ecs.capability.secrets.ssm.environment-variables (secrets from SSM Parameter Store)",
    );
  });

  it("missingAttributes compares names only, and an instance that reports none lacks all", () => {
    expect(missingAttributes([AWSLOGS], { attributes: [{ name: AWSLOGS, value: "x" }] })).toEqual([]);
    expect(missingAttributes([AWSLOGS, SSM_SECRETS], {})).toEqual([AWSLOGS, SSM_SECRETS]);
  });

  it("says how an operator gets each attribute registered", () => {
    expect(attributeAdvice(EXECUTION_ROLE_AWSLOGS).remedy).toContain(
      "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true",
    );
    expect(attributeAdvice(SSM_SECRETS).remedy).toContain("1.22.0");
    expect(attributeAdvice(AWSLOGS).remedy).toContain('add "awslogs" to ECS_AVAILABLE_LOGGING_DRIVERS');
  });
});

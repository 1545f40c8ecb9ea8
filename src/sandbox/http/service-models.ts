/**
 * What the sandbox's HTTP server knows about each simulated service, all of it read from the SDK itself: the
 * operation schemas (each Command class carries its own), the shape namespace whose registry holds the error
 * schemas, and the protocol settings the client is built with (XML namespace, API version, JSON target prefix).
 * Nothing here is written per operation.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { NormalizedSchema, TypeRegistry } from "@smithy/core/schema";
import type { StaticErrorSchema, StaticOperationSchema } from "@smithy/types";
import { ec2Commands } from "../sim/ec2.js";
import { ecsCommands } from "../sim/ecs-commands.js";
import { iamCommands } from "../sim/iam.js";
import { logsCommands } from "../sim/logs.js";
import { rdsCommands } from "../sim/rds.js";
import { s3Commands } from "../sim/s3.js";
import { ssmCommands } from "../sim/ssm.js";
import { stsCommands } from "../sim/sts.js";

/** The SigV4 signing names of the simulated services (the 4th part of a credential scope). */
export const signingNames = ["ecs", "ec2", "s3", "rds", "sts", "iam", "ssm", "logs"] as const;
export type SigningName = (typeof signingNames)[number];

/** One operation: its schemas, ready to walk. */
export interface OperationModel {
  name: string;
  input: NormalizedSchema;
  output: NormalizedSchema;
}

/** One simulated service as the server serves it. */
export interface ServiceModel {
  signingName: SigningName;
  /** The simulator's name for it (`sim.send`'s first argument): "ECS", "CloudWatchLogs"… */
  simName: string;
  /** The Smithy namespace of its shapes, e.g. "com.amazonaws.rds". */
  namespace: string;
  /** The namespace AWS puts on its XML answers, e.g. "http://rds.amazonaws.com/doc/2014-10-31/". */
  xmlNamespace: string;
  /** The API version, e.g. "2014-10-31" (query protocols send it as `Version`). */
  version: string;
  /** The JSON protocols' X-Amz-Target prefix, e.g. "AmazonEC2ContainerServiceV20141113". */
  serviceTarget: string;
  /** The operations the simulator answers, by name. */
  operations: ReadonlyMap<string, OperationModel>;
  /** The modeled error of that shape name (e.g. "DBInstanceNotFoundFault"), if the service has one. */
  errorSchema(name: string): NormalizedSchema | undefined;
}

type CommandTable = Record<string, readonly [unknown, string]>;
type CommandClass = new (input: object) => { schema?: unknown };
type ClientClass = new (config: {
  region: string;
}) => { config: { protocolSettings?: Record<string, unknown> }; destroy(): void };

const services: Record<SigningName, { simName: string; Client: ClientClass; commands: CommandTable }> = {
  ecs: { simName: "ECS", Client: ECSClient, commands: ecsCommands },
  ec2: { simName: "EC2", Client: EC2Client, commands: ec2Commands },
  s3: { simName: "S3", Client: S3Client, commands: s3Commands },
  rds: { simName: "RDS", Client: RDSClient, commands: rdsCommands },
  sts: { simName: "STS", Client: STSClient, commands: stsCommands },
  iam: { simName: "IAM", Client: IAMClient, commands: iamCommands },
  ssm: { simName: "SSM", Client: SSMClient, commands: ssmCommands },
  logs: { simName: "CloudWatchLogs", Client: CloudWatchLogsClient, commands: logsCommands },
};

const models = new Map<SigningName, ServiceModel>();

/** The model of one service, built on first use (from a client's resolved settings) and kept. */
export function serviceModel(signingName: SigningName): ServiceModel {
  const known = models.get(signingName);
  if (known) return known;
  const model = buildModel(signingName);
  models.set(signingName, model);
  return model;
}

function buildModel(signingName: SigningName): ServiceModel {
  const { simName, Client, commands } = services[signingName];
  // The settings the client hands its protocol; the region is irrelevant to them. Building a client prints
  // the SDK's NodeVersionSupportWarning on Node 20, which mcctl keeps from operators (src/aws/clients.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const client = new Client({ region: "us-east-1" });
  const settings = client.config.protocolSettings ?? {};
  client.destroy();
  const operations = new Map<string, OperationModel>();
  for (const [name, [Command]] of Object.entries(commands)) {
    const schema = new (Command as CommandClass)({}).schema as StaticOperationSchema | undefined;
    if (!Array.isArray(schema)) throw new Error(`${simName} ${name}: the SDK command has no schema`);
    operations.set(name, {
      name,
      input: NormalizedSchema.of(schema[4]),
      output: NormalizedSchema.of(schema[5]),
    });
  }
  const namespace = setting(settings, "defaultNamespace", simName);
  const registry = TypeRegistry.for(namespace);
  return {
    signingName,
    simName,
    namespace,
    xmlNamespace: setting(settings, "xmlNamespace", simName),
    version: setting(settings, "version", simName),
    serviceTarget: setting(settings, "serviceTarget", simName),
    operations,
    errorSchema(name) {
      const schema = registry.find(
        (candidate) => Array.isArray(candidate) && candidate[0] === -3 && candidate[2] === name,
      );
      return schema ? NormalizedSchema.of(schema as StaticErrorSchema) : undefined;
    },
  };
}

function setting(settings: Record<string, unknown>, name: string, simName: string): string {
  const value = settings[name];
  if (typeof value !== "string")
    throw new Error(`${simName}: the SDK client has no protocol setting ${name}`);
  return value;
}

import {
  DeleteParameterCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  paginateDescribeParameters,
  SSMClient,
} from "@aws-sdk/client-ssm";
import type { AwsConfig } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { SSM_PERMISSIONS } from "./ssm-permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of SsmApi without a declaration. */
const DECLARED: PermissionTable<SsmApi> = SSM_PERMISSIONS;

/** What SSM says about a parameter without its value. */
export interface StoredParameter {
  name: string;
  type: string;
  version: number;
  lastModified?: Date | undefined;
  /** The KMS key of a SecureString ("alias/aws/ssm" for the AWS-managed one). */
  keyId?: string | undefined;
}

export interface SecureStringWrite {
  name: string;
  /** Never logged: it goes to SSM and nowhere else. */
  value: string;
  /** A customer key's ARN; the AWS-managed key when undefined. */
  keyId?: string | undefined;
  /** Replace an existing parameter (a new version); a new one is created with `tags` instead. */
  overwrite: boolean;
  tags: Record<string, string>;
  description?: string | undefined;
}

/** The part of SSM Parameter Store that mcctl uses. Values are read only to compare them, never shown. */
export interface SsmApi {
  /** The parameters directly under a path ("/mcctl/family"), described: names and versions, no values. */
  describePath(path: string): Promise<StoredParameter[]>;
  /** A SecureString's current value, decrypted, or undefined when there is no such parameter. */
  readSecureString(name: string): Promise<string | undefined>;
  /** Writes a SecureString; returns the version SSM gave it. */
  putSecureString(write: SecureStringWrite): Promise<number>;
  /** False when there was no such parameter. */
  deleteParameter(name: string): Promise<boolean>;
  /** The parameter's tags; undefined when there is no such parameter. */
  parameterTags(name: string): Promise<Record<string, string> | undefined>;
  /**
   * The value of one of AWS's public parameters (e.g. "/aws/service/ecs/optimized-ami/…"), or undefined
   * when the region has no such parameter.
   */
  publicParameter(name: string): Promise<string | undefined>;
}

export function createSsmApi(config: AwsConfig, limits: AwsLimits = {}): SsmApi {
  const client = new SSMClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  return {
    describePath: (path) =>
      call({ declared: DECLARED.describePath }, async () => {
        const found: StoredParameter[] = [];
        const pages = paginateDescribeParameters(
          { client },
          { ParameterFilters: [{ Key: "Path", Option: "OneLevel", Values: [path] }], MaxResults: 50 },
        );
        for await (const page of pages) {
          for (const parameter of page.Parameters ?? []) {
            if (!parameter.Name) continue;
            found.push({
              name: parameter.Name,
              type: parameter.Type ?? "String",
              version: parameter.Version ?? 0,
              lastModified: parameter.LastModifiedDate,
              keyId: parameter.KeyId,
            });
          }
        }
        return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }),

    readSecureString: (name) =>
      call({ declared: DECLARED.readSecureString }, async () => {
        try {
          const output = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
          return output.Parameter?.Value;
        } catch (error) {
          if (awsErrorName(error) === "ParameterNotFound") return undefined;
          throw error;
        }
      }),

    putSecureString: (write) =>
      call({ declared: DECLARED.putSecureString }, async () => {
        const tags = Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value }));
        const output = await client.send(
          new PutParameterCommand({
            Name: write.name,
            Value: write.value,
            Type: "SecureString",
            ...(write.keyId ? { KeyId: write.keyId } : {}),
            ...(write.description ? { Description: write.description } : {}),
            // SSM refuses tags together with Overwrite: a replaced parameter keeps the tags it has.
            ...(write.overwrite ? { Overwrite: true } : { Tags: tags }),
          }),
        );
        return output.Version ?? 0;
      }),

    deleteParameter: (name) =>
      call({ declared: DECLARED.deleteParameter }, async () => {
        try {
          await client.send(new DeleteParameterCommand({ Name: name }));
          return true;
        } catch (error) {
          if (awsErrorName(error) === "ParameterNotFound") return false;
          throw error;
        }
      }),

    publicParameter: (name) =>
      call(
        {
          declared: DECLARED.publicParameter,
          // A public parameter's ARN has no account.
          deniedHint: `The resource is AWS's public parameter arn:aws:ssm:${config.region ?? "<region>"}::parameter${name} (AmazonECS_FullAccess allows reading it).`,
        },
        async () => {
          try {
            const output = await client.send(new GetParameterCommand({ Name: name }));
            return output.Parameter?.Value;
          } catch (error) {
            if (awsErrorName(error) === "ParameterNotFound") return undefined;
            throw error;
          }
        },
      ),

    parameterTags: (name) =>
      call({ declared: DECLARED.parameterTags }, async () => {
        try {
          const output = await client.send(
            new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: name }),
          );
          return Object.fromEntries((output.TagList ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
        } catch (error) {
          if (awsErrorName(error) === "InvalidResourceId") return undefined;
          throw error;
        }
      }),
  };
}

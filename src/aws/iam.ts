import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from "@aws-sdk/client-iam";
import type { AwsConfig } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";
import { IAM_PERMISSIONS } from "./iam-permissions.js";
import type { AwsLimits } from "./limits.js";
import type { PermissionTable } from "./permissions.js";
import { applyLimits, clientOptions } from "./transport.js";

/** Each wrapper's IAM permissions: the compiler refuses a method of IamApi without a declaration. */
const DECLARED: PermissionTable<IamApi> = IAM_PERMISSIONS;

/** A role as mcctl needs to judge it: policies decoded from IAM's URL encoding. */
export interface RoleFacts {
  name: string;
  arn: string;
  trustPolicy: unknown;
  tags: Record<string, string>;
}

export interface IamApi {
  instanceProfileExists(name: string): Promise<boolean>;
  /**
   * The names of the roles the instance profile holds (at most one): [] when it holds none, undefined when
   * there is no such profile. An instance launched with a profile without a role gets no credentials.
   */
  instanceProfileRoles(name: string): Promise<string[] | undefined>;
  /** The role, or undefined when there is none of that name. */
  findRole(name: string): Promise<RoleFacts | undefined>;
  attachedPolicyArns(role: string): Promise<string[]>;
  /** An inline policy's document, decoded; undefined when the role has no policy of that name. */
  inlinePolicy(role: string, policy: string): Promise<unknown>;
  createRole(input: {
    name: string;
    trustPolicy: unknown;
    description: string;
    tags: Record<string, string>;
  }): Promise<RoleFacts>;
  attachPolicy(role: string, policyArn: string): Promise<void>;
  putInlinePolicy(role: string, policy: string, document: unknown): Promise<void>;
  /**
   * Detaches the role's managed policies, deletes its inline ones, then the role (IAM deletes nothing
   * else first). False when there is no such role (any more).
   */
  deleteRole(name: string): Promise<boolean>;
}

/** What an operator without IAM rights can do instead of creating and changing the execution role. */
const ROLE_HINT =
  'Or have an administrator create the execution role and name it in mcctl.json ("secrets": {"executionRole": "<name>"}).';

/** The same for a role that exists (mcctl may have just created it): it needs its policies, not creating. */
const rolePolicyHint = (role: string) =>
  `Or have an administrator give role ${role} its policies (shown in the plan) and name it in mcctl.json ("secrets": {"executionRole": "${role}"}).`;

export function createIamApi(config: AwsConfig, limits: AwsLimits = {}): IamApi {
  const client = new IAMClient(clientOptions(config));
  applyLimits(client, config, limits);
  const call = awsCaller(config);
  const roles = (name: string) =>
    call({ declared: DECLARED.instanceProfileRoles }, async () => {
      try {
        const output = await client.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
        return (output.InstanceProfile?.Roles ?? []).flatMap((role) =>
          role.RoleName ? [role.RoleName] : [],
        );
      } catch (error) {
        if (awsErrorName(error)?.startsWith("NoSuchEntity")) return undefined;
        throw error;
      }
    });
  return {
    instanceProfileExists: async (name) => (await roles(name)) !== undefined,
    instanceProfileRoles: roles,

    findRole: (name) =>
      call({ declared: DECLARED.findRole, deniedHint: ROLE_HINT }, async () => {
        try {
          const output = await client.send(new GetRoleCommand({ RoleName: name }));
          return output.Role ? roleFacts(output.Role) : undefined;
        } catch (error) {
          if (awsErrorName(error)?.startsWith("NoSuchEntity")) return undefined;
          throw error;
        }
      }),

    attachedPolicyArns: (role) =>
      call({ declared: DECLARED.attachedPolicyArns, deniedHint: ROLE_HINT }, async () => {
        const arns: string[] = [];
        for await (const page of paginateListAttachedRolePolicies({ client }, { RoleName: role })) {
          for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyArn) arns.push(policy.PolicyArn);
        }
        return arns;
      }),

    inlinePolicy: (role, policy) =>
      call({ declared: DECLARED.inlinePolicy, deniedHint: ROLE_HINT }, async () => {
        try {
          const output = await client.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policy }));
          return decodePolicy(output.PolicyDocument);
        } catch (error) {
          if (awsErrorName(error)?.startsWith("NoSuchEntity")) return undefined;
          throw error;
        }
      }),

    createRole: (input) =>
      call({ declared: DECLARED.createRole, deniedHint: ROLE_HINT }, async () => {
        const output = await client.send(
          new CreateRoleCommand({
            RoleName: input.name,
            AssumeRolePolicyDocument: JSON.stringify(input.trustPolicy),
            Description: input.description,
            Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
        if (!output.Role) throw new Error("IAM returned no role after creating it");
        return roleFacts(output.Role);
      }),

    attachPolicy: (role, policyArn) =>
      call({ declared: DECLARED.attachPolicy, deniedHint: rolePolicyHint(role) }, async () => {
        await client.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }));
      }),

    putInlinePolicy: (role, policy, document) =>
      call({ declared: DECLARED.putInlinePolicy, deniedHint: rolePolicyHint(role) }, async () => {
        await client.send(
          new PutRolePolicyCommand({
            RoleName: role,
            PolicyName: policy,
            PolicyDocument: JSON.stringify(document),
          }),
        );
      }),

    deleteRole: async (name) => {
      const missing = (error: unknown) => awsErrorName(error)?.startsWith("NoSuchEntity") ?? false;
      const policies = await call({ declared: DECLARED.deleteRole }, async () => {
        const found: { managed: string[]; inline: string[] } = { managed: [], inline: [] };
        try {
          for await (const page of paginateListAttachedRolePolicies({ client }, { RoleName: name })) {
            for (const policy of page.AttachedPolicies ?? []) {
              if (policy.PolicyArn) found.managed.push(policy.PolicyArn);
            }
          }
          for await (const page of paginateListRolePolicies({ client }, { RoleName: name })) {
            found.inline.push(...(page.PolicyNames ?? []));
          }
        } catch (error) {
          if (missing(error)) return undefined;
          throw error;
        }
        return found;
      });
      if (!policies) return false;
      for (const arn of policies.managed) {
        await call({ declared: DECLARED.deleteRole }, async () => {
          try {
            await client.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
          } catch (error) {
            if (!missing(error)) throw error;
          }
        });
      }
      for (const policy of policies.inline) {
        await call({ declared: DECLARED.deleteRole }, async () => {
          try {
            await client.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policy }));
          } catch (error) {
            if (!missing(error)) throw error;
          }
        });
      }
      return call({ declared: DECLARED.deleteRole }, async () => {
        try {
          await client.send(new DeleteRoleCommand({ RoleName: name }));
          return true;
        } catch (error) {
          if (missing(error)) return false;
          throw error;
        }
      });
    },
  };
}

function roleFacts(role: {
  RoleName?: string | undefined;
  Arn?: string | undefined;
  AssumeRolePolicyDocument?: string | undefined;
  Tags?: { Key?: string | undefined; Value?: string | undefined }[] | undefined;
}): RoleFacts {
  return {
    name: role.RoleName ?? "",
    arn: role.Arn ?? "",
    trustPolicy: decodePolicy(role.AssumeRolePolicyDocument),
    tags: Object.fromEntries((role.Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""])),
  };
}

/** IAM returns policy documents URL-encoded; an unreadable one counts as empty rather than failing. */
function decodePolicy(document: string | undefined): unknown {
  if (!document) return undefined;
  try {
    return JSON.parse(decodeURIComponent(document));
  } catch {
    try {
      return JSON.parse(document);
    } catch {
      return undefined;
    }
  }
}

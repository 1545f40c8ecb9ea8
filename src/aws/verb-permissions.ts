import type { Ec2Api } from "./ec2.js";
import { EC2_PERMISSIONS } from "./ec2-permissions.js";
import type { EcsApi } from "./ecs.js";
import { ECS_PERMISSIONS } from "./ecs-permissions.js";
import type { IamApi } from "./iam.js";
import { IAM_PERMISSIONS } from "./iam-permissions.js";
import type { LogsApi } from "./logs.js";
import { LOGS_PERMISSIONS } from "./logs-permissions.js";
import type { Permission } from "./permissions.js";
import type { RdsApi } from "./rds.js";
import { RDS_PERMISSIONS } from "./rds-permissions.js";
import type { S3Api } from "./s3.js";
import { S3_PERMISSIONS } from "./s3-permissions.js";
import type { SsmApi } from "./ssm.js";
import { SSM_PERMISSIONS } from "./ssm-permissions.js";
import type { StsApi } from "./sts.js";
import { STS_PERMISSIONS } from "./sts-permissions.js";

/** The wrapper methods a verb may call, by service: what `mcctl permissions VERB` grants. */
export interface ApiUse {
  ecs?: readonly (keyof EcsApi)[];
  ec2?: readonly (keyof Ec2Api)[];
  s3?: readonly (keyof S3Api)[];
  rds?: readonly (keyof RdsApi)[];
  iam?: readonly (keyof IamApi)[];
  logs?: readonly (keyof LogsApi)[];
  ssm?: readonly (keyof SsmApi)[];
  sts?: readonly (keyof StsApi)[];
}

const TABLES: { [Service in keyof ApiUse]-?: Readonly<Record<string, readonly Permission[]>> } = {
  ecs: ECS_PERMISSIONS,
  ec2: EC2_PERMISSIONS,
  s3: S3_PERMISSIONS,
  rds: RDS_PERMISSIONS,
  iam: IAM_PERMISSIONS,
  logs: LOGS_PERMISSIONS,
  ssm: SSM_PERMISSIONS,
  sts: STS_PERMISSIONS,
};

/** The caller's account and the region the SDK resolved. */
const IDENTITY: ApiUse = { sts: ["callerIdentity", "region"] };

/** Rendering and registering a revision: its secrets, their role and its log group (register-task). */
const REGISTRATION: ApiUse = {
  ecs: [
    "describeService",
    "findLatestTaskDefinition",
    "findTaskDefinition",
    "newestRetiredRevision",
    "listContainerInstances",
    "describeContainerInstances",
    "registerTaskDefinition",
  ],
  iam: ["findRole", "attachedPolicyArns", "inlinePolicy", "createRole", "attachPolicy", "putInlinePolicy"],
  logs: ["findLogGroup", "createLogGroup", "setRetention"],
  ssm: ["describePath", "readSecureString", "putSecureString"],
};

/** Watching a service until it is steady, and the failure screen when a task dies. */
const SERVICE_WAIT: ApiUse = {
  ecs: ["describeService", "describeTaskDefinition", "listServiceTasks", "describeTasks"],
  logs: ["filterEvents", "existingStreams"],
};

/** An upgrade's pre-pull: a one-off task of <family>-prepull on each container instance, deregistered after. */
const PREPULL: ApiUse = {
  ecs: [
    "listContainerInstances",
    "registerTaskDefinition",
    "startTask",
    "describeTasks",
    "stopTask",
    "deregisterTaskDefinition",
  ],
};

/** Scale to 0, wait until every task has stopped, scale back, wait until steady. */
const RESTART: ApiUse = merge(SERVICE_WAIT, { ecs: ["updateService"] });

/** A manual snapshot of the database METADATA_JDBC_URL points at. */
const SNAPSHOT: ApiUse = { rds: ["listInstances", "findInstance", "createSnapshot", "findSnapshot"] };

/** A snapshot restored into a new instance, its password, and the service moved onto it (restore). */
const RESTORE: ApiUse = merge(RESTART, {
  rds: [
    "listInstances",
    "findInstance",
    "findSnapshot",
    "listRegionSnapshots",
    "restoreFromSnapshot",
    "setMasterPassword",
    "deleteInstance",
  ],
  ecs: [
    "describeCluster",
    "describeService",
    "describeTaskDefinitionWithTags",
    "registerTaskDefinition",
    "listServiceTasks",
    "describeTasks",
  ],
  ssm: ["readSecureString", "putSecureString"],
  ec2: ["securityGroups"],
});

/** Every verb, as the operator types it, with the calls it may make. */
export const VERB_API_USE = {
  setup: merge(IDENTITY, REGISTRATION, SERVICE_WAIT, {
    s3: ["inspectBucket", "createBucket", "blockPublicAccess", "enableDefaultEncryption", "tagBucket"],
    rds: ["findInstance", "listMysqlInstances", "mysqlVersions", "mysqlClasses", "createInstance"],
    ec2: [
      "defaultVpc",
      "subnets",
      "securityGroups",
      "createSecurityGroup",
      "authorizeIngress",
      "keyPairs",
      "describeImages",
      "isInstanceTypeOffered",
      "describeInstanceType",
      "currentInstanceTypes",
      "runInstance",
      "findInstances",
      "describeInstances",
    ],
    ecs: ["describeCluster", "createCluster", "createService"],
    iam: ["instanceProfileExists", "instanceProfileRoles"],
    ssm: ["publicParameter"],
  }),
  "register-task": merge(IDENTITY, REGISTRATION),
  "create-service": merge(IDENTITY, SERVICE_WAIT, {
    ecs: [
      "describeCluster",
      "findLatestTaskDefinition",
      "findTaskDefinition",
      "listContainerInstances",
      "describeContainerInstances",
      "createService",
    ],
  }),
  restart: merge(IDENTITY, RESTART),
  upgrade: merge(IDENTITY, REGISTRATION, RESTART, SNAPSHOT, PREPULL, {
    ecs: ["describeTaskDefinitionWithTags", "listActiveRevisions"],
    // With --ssh-key: the hosts a floating-tag upgrade pulls on, and whether ssh can reach them (key pair, port 22).
    ec2: ["describeInstances", "securityGroups"],
  }),
  rollback: merge(IDENTITY, RESTART, RESTORE, {
    ecs: ["describeTaskDefinitionWithTags", "findTaskDefinition", "listActiveRevisions"],
  }),
  restore: merge(IDENTITY, RESTORE),
  status: merge(IDENTITY, SERVICE_WAIT, {
    ecs: ["describeCluster", "listContainerInstances", "describeContainerInstances"],
    ec2: ["describeInstances", "describeImages"],
  }),
  logs: merge(IDENTITY, SERVICE_WAIT),
  backup: merge(IDENTITY, SNAPSHOT, { ecs: ["describeService", "findTaskDefinition"] }),
  "backup list": merge(IDENTITY, { rds: ["listInstances", "listRegionSnapshots"] }),
  "secrets list": merge(IDENTITY, {
    ecs: ["describeService", "findLatestTaskDefinition", "findTaskDefinition"],
    ssm: ["describePath"],
  }),
  "secrets set": merge(IDENTITY, REGISTRATION, RESTART),
  "secrets rm": merge(IDENTITY, REGISTRATION, { ssm: ["deleteParameter"] }),
  "secrets purge-plaintext": merge(IDENTITY, {
    ecs: [
      "describeService",
      "describeTaskDefinition",
      "findLatestTaskDefinition",
      "findTaskDefinition",
      "listActiveRevisions",
      "listInactiveRevisions",
      "deregisterTaskDefinition",
      "deleteTaskDefinitions",
    ],
  }),
  destroy: merge(IDENTITY, {
    ecs: [
      "describeService",
      "updateService",
      "listServiceTasks",
      "describeTasks",
      "deleteService",
      "describeCluster",
      "listServices",
      "listContainerInstances",
      "describeContainerInstances",
      "deregisterContainerInstance",
      "deleteCluster",
      "listActiveRevisions",
      "deregisterTaskDefinition",
    ],
    ec2: [
      "defaultVpc",
      "securityGroups",
      "findInstances",
      "describeInstances",
      "terminateInstances",
      "revokeIngress",
      "deleteSecurityGroup",
    ],
    rds: ["listInstances", "findInstance", "listManualSnapshots", "deleteInstance"],
    s3: ["inspectBucket", "bucketTags", "countObjects", "emptyBucket", "deleteBucket"],
    ssm: ["describePath", "parameterTags", "deleteParameter"],
    iam: ["findRole", "deleteRole"],
    logs: ["findLogGroup", "deleteLogGroup"],
  }),
  permissions: merge(IDENTITY, { iam: ["instanceProfileRoles"] }),
  // The sandbox's verbs act on the practice account on this machine, never on AWS.
  "sandbox reset": {},
  "sandbox fail": {},
} as const satisfies Record<string, ApiUse>;

export type Verb = keyof typeof VERB_API_USE;

export const VERBS = Object.keys(VERB_API_USE) as Verb[];

/** The declared permissions of every call the verbs may make (each wrapper once). */
export function permissionsOf(verbs: readonly Verb[]): Permission[] {
  const seen = new Set<string>();
  const permissions: Permission[] = [];
  for (const verb of verbs) {
    const use: ApiUse = VERB_API_USE[verb];
    for (const [service, methods] of Object.entries(use) as [keyof ApiUse, readonly string[]][]) {
      for (const method of methods) {
        const key = `${service}.${method}`;
        if (seen.has(key)) continue;
        seen.add(key);
        permissions.push(...(TABLES[service][method] ?? []));
      }
    }
  }
  return permissions;
}

function merge(...uses: ApiUse[]): ApiUse {
  const merged: Record<string, Set<string>> = {};
  for (const use of uses) {
    for (const [service, methods] of Object.entries(use) as [string, readonly string[]][]) {
      merged[service] ??= new Set();
      for (const method of methods) merged[service].add(method);
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([service, methods]) => [service, [...methods]]));
}

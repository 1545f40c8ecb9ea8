import { DEFAULT_TASK_SETTINGS } from "./task-definition.js";

/** ECS's rule for cluster names: 1–255 letters, digits, hyphens and underscores. */
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** An absolute path of plain characters: it is written into a shell script, so nothing to quote around. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

export function validateClusterName(cluster: string): string | undefined {
  if (CLUSTER_NAME.test(cluster)) return undefined;
  return `ECS cluster name "${cluster}" must be 1–255 letters, digits, hyphens or underscores`;
}

export function validateDataPath(path: string): string | undefined {
  if (SAFE_PATH.test(path) && !path.split("/").includes("..")) return undefined;
  return `data path "${path}" must be an absolute path of letters, digits, ".", "_", "-" and "/"`;
}

/**
 * The boot script of a container instance (cloud-init runs it once, as root, before the ECS agent
 * starts): join `cluster` and create the host directory the Elasticsearch container keeps its
 * indices in. Plain bash, so it works on every ECS-optimized Amazon Linux image.
 */
export function ecsUserData(cluster: string, dataPath: string = DEFAULT_TASK_SETTINGS.es.dataPath): string {
  const badCluster = validateClusterName(cluster);
  if (badCluster) throw new Error(badCluster);
  const badPath = validateDataPath(dataPath);
  if (badPath) throw new Error(badPath);
  return [
    "#!/bin/bash",
    "# Written by mcctl setup: join the ECS cluster and prepare the Elasticsearch data directory.",
    "set -euo pipefail",
    "mkdir -p /etc/ecs",
    `echo 'ECS_CLUSTER=${cluster}' >> /etc/ecs/ecs.config`,
    `mkdir -p '${dataPath}'`,
    "",
  ].join("\n");
}

/** User data as RunInstances takes it. */
export function encodeUserData(script: string): string {
  return Buffer.from(script, "utf8").toString("base64");
}

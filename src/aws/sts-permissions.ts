import { noPermission } from "./permissions.js";

/** GetCallerIdentity needs no permission: IAM cannot deny it (STS API reference). */
export const STS_PERMISSIONS = {
  callerIdentity: noPermission("sts:GetCallerIdentity", "IAM cannot deny it"),
  region: noPermission("sts:GetCallerIdentity", "the SDK's own configuration: no AWS call"),
} as const;

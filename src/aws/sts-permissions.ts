import { NO_PERMISSION, type PermissionTable } from "./permissions.js";
import type { StsApi } from "./sts.js";

/** GetCallerIdentity needs no permission: IAM cannot deny it (STS API reference). */
export const STS_PERMISSIONS = {
  callerIdentity: NO_PERMISSION,
  region: NO_PERMISSION,
} as const satisfies PermissionTable<StsApi>;

import type { AwsConfig } from "./config.js";
import type { Ec2Api } from "./ec2.js";
import type { EcsApi } from "./ecs.js";

/**
 * Hands out narrow per-service APIs, each built on first use: a command loads only the SDK clients
 * it calls, and `--help` or `register-task --dry-run` load none.
 */
export class AwsClients {
  private ecsApi: Promise<EcsApi> | undefined;
  private ec2Api: Promise<Ec2Api> | undefined;

  constructor(readonly config: AwsConfig) {}

  ecs(): Promise<EcsApi> {
    this.ecsApi ??= loadSdk(() => import("./ecs.js")).then(({ createEcsApi }) => createEcsApi(this.config));
    return this.ecsApi;
  }

  ec2(): Promise<Ec2Api> {
    this.ec2Api ??= loadSdk(() => import("./ec2.js")).then(({ createEc2Api }) => createEc2Api(this.config));
    return this.ec2Api;
  }
}

function loadSdk<T>(load: () => Promise<T>): Promise<T> {
  // SDK releases print a multi-line NodeVersionSupportWarning on Node 20 on every run. mcctl states
  // the Node versions it supports in package.json and README, so operators need not see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return load();
}

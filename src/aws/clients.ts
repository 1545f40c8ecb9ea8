import type { AwsConfig } from "./config.js";
import type { Ec2Api } from "./ec2.js";
import type { EcsApi } from "./ecs.js";
import type { IamApi } from "./iam.js";
import type { AwsLimits } from "./limits.js";
import type { LogsApi } from "./logs.js";
import type { RdsApi } from "./rds.js";
import type { S3Api } from "./s3.js";
import type { SsmApi } from "./ssm.js";
import type { StsApi } from "./sts.js";

/**
 * Hands out narrow per-service APIs, each built on first use: a command loads only the SDK clients
 * it calls, and `--help` or `register-task --dry-run` load none.
 */
export class AwsClients {
  private readonly loaded = new Map<string, Promise<unknown>>();

  /**
   * @param limits bound every call of every API handed out that no `withCallLimits` (aws/limits.ts)
   *   bounds otherwise: the plan's (with --yes, the command's deadline). Pass another AwsClients'
   *   limits to share them.
   */
  constructor(
    readonly config: AwsConfig,
    readonly limits: AwsLimits = {},
  ) {}

  ecs(): Promise<EcsApi> {
    return this.load("ecs", async () => (await import("./ecs.js")).createEcsApi(this.config, this.limits));
  }

  ec2(): Promise<Ec2Api> {
    return this.load("ec2", async () => (await import("./ec2.js")).createEc2Api(this.config, this.limits));
  }

  s3(): Promise<S3Api> {
    return this.load("s3", async () => (await import("./s3.js")).createS3Api(this.config, this.limits));
  }

  rds(): Promise<RdsApi> {
    return this.load("rds", async () => (await import("./rds.js")).createRdsApi(this.config, this.limits));
  }

  sts(): Promise<StsApi> {
    return this.load("sts", async () => (await import("./sts.js")).createStsApi(this.config, this.limits));
  }

  iam(): Promise<IamApi> {
    return this.load("iam", async () => (await import("./iam.js")).createIamApi(this.config, this.limits));
  }

  logs(): Promise<LogsApi> {
    return this.load("logs", async () => (await import("./logs.js")).createLogsApi(this.config, this.limits));
  }

  ssm(): Promise<SsmApi> {
    return this.load("ssm", async () => (await import("./ssm.js")).createSsmApi(this.config, this.limits));
  }

  /** What a registration reads and writes: the task definition, its secrets, their role and its log group. */
  async registration(): Promise<{ ecs: EcsApi; ssm: SsmApi; iam: IamApi; logs: LogsApi }> {
    const [ecs, ssm, iam, logs] = await Promise.all([this.ecs(), this.ssm(), this.iam(), this.logs()]);
    return { ecs, ssm, iam, logs };
  }

  /** Every service a whole deployment spans, for the commands that build or remove one (setup, destroy). */
  async deployment(): Promise<{
    s3: S3Api;
    rds: RdsApi;
    ec2: Ec2Api;
    ecs: EcsApi;
    iam: IamApi;
    ssm: SsmApi;
    logs: LogsApi;
  }> {
    const [s3, rds, ec2, ecs, iam, ssm, logs] = await Promise.all([
      this.s3(),
      this.rds(),
      this.ec2(),
      this.ecs(),
      this.iam(),
      this.ssm(),
      this.logs(),
    ]);
    return { s3, rds, ec2, ecs, iam, ssm, logs };
  }

  private load<T>(name: string, create: () => Promise<T>): Promise<T> {
    // SDK releases print a multi-line NodeVersionSupportWarning on Node 20 on every run. mcctl states
    // the Node versions it supports in package.json and README, so operators need not see it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    let api = this.loaded.get(name) as Promise<T> | undefined;
    if (!api) {
      api = create();
      this.loaded.set(name, api);
    }
    return api;
  }
}

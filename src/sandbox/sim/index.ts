/**
 * A stateful simulated AWS: the sandbox account (`mcctl --sandbox`, served over local HTTP) and the tests
 * (test/helpers/sim.ts plugs it into the SDK clients with aws-sdk-client-mock).
 *
 *   const sim = createSimulatedAws();
 *   sim.ecs.addCluster("mc");
 *   await sim.send("ECS", "DescribeClusters", { clusters: ["mc"] });
 *
 * Services: ECS (EC2 launch type), EC2, S3, RDS, STS, IAM (instance profiles and roles), SSM Parameter
 * Store and CloudWatch Logs. IAM and SSM also serve ECS: a task with `secrets` gets them at start with its
 * execution role (`sim.iam.addRole`, `sim.ssm.putParameterDirectly`, `sim.ecs.containerEnvironment`); the
 * containers of a task with the awslogs log driver write to CloudWatch Logs (`sim.ecs.scriptContainerOutput`,
 * `sim.logs.events`).
 *
 * Time comes from `Date.now()`: use `vi.useFakeTimers()` and `vi.advanceTimersByTimeAsync(ms)` (or give a
 * time source of your own: `createSimulatedAws({ now })`).
 *
 * Opt-in: `createSimulatedAws({ callerPolicies: [document] })` (or `sim.setCallerPolicies`) authorizes every call
 * against the caller's identity-based policies, as IAM does, before the simulator acts on it (authorization.ts).
 */
import { type AuthorizationRecord, CallerAuthorization, type CallerPolicies } from "./authorization.js";
import { ec2Authorization } from "./authorization-ec2.js";
import { ecsAuthorization } from "./authorization-ecs.js";
import { iamAuthorization, stsAuthorization } from "./authorization-iam.js";
import { logsAuthorization } from "./authorization-logs.js";
import { rdsAuthorization } from "./authorization-rds.js";
import { s3Authorization } from "./authorization-s3.js";
import { ssmAuthorization } from "./authorization-ssm.js";
import { replayCall, sendCall } from "./calls.js";
import { type CallRecord, createSimContext, type SimClock, type SimRequest } from "./core.js";
import { type Ec2CommandName, type Ec2Input, type Ec2Inputs, Ec2Simulator, ec2Commands } from "./ec2.js";
import { EcsSimulator } from "./ecs.js";
import { type EcsCommandName, type EcsInput, type EcsInputs, ecsCommands } from "./ecs-commands.js";
import { faultError, type ServiceErrorProfile } from "./errors.js";
import { FaultInjector } from "./faults.js";
import { type IamCommandName, type IamInput, type IamInputs, IamSimulator, iamCommands } from "./iam.js";
import {
  type LogsCommandName,
  type LogsInput,
  type LogsInputs,
  LogsSimulator,
  logsCommands,
} from "./logs.js";
import type { SimulatedAwsOptions } from "./options.js";
import { type RdsCommandName, type RdsInput, type RdsInputs, RdsSimulator, rdsCommands } from "./rds.js";
import { type S3CommandName, type S3Input, type S3Inputs, S3Simulator, s3Commands } from "./s3.js";
import { type SsmCommandName, type SsmInput, type SsmInputs, SsmSimulator, ssmCommands } from "./ssm.js";
import { type StsCommandName, type StsInput, type StsInputs, StsSimulator, stsCommands } from "./sts.js";

export {
  type AuthorizationRecord,
  addServiceLinkedRole,
  type CallerPolicies,
  type Requirement,
  serviceLinkedRoleNames,
} from "./authorization.js";
export type { CallRecord } from "./core.js";
export {
  type AddInstanceOptions,
  type DefaultVpc,
  type Ec2ImageSpec,
  type Ec2InstanceState,
  type Ec2InstanceTypeInfo,
  Ec2Simulator,
  type Ec2Timings,
  ec2InstanceTypes,
  type SecurityGroupUser,
} from "./ec2.js";
export {
  type CommandExitScript,
  type ContainerOutputOptions,
  defaultContainerOutput,
  EcsSimulator,
  imageNotFoundReason,
  modelCatalogueImageSizesMiB,
  type OutputLine,
  type RefusedImage,
  type ScriptedContainerOutput,
  type TaskFailureScript,
  type TaskTimings,
  taskFailures,
} from "./ecs.js";
export type { PlacementFailureScript, ScriptedPlacementFailure } from "./ecs-placement-failure.js";
export type { FaultSpec, InjectedFault } from "./faults.js";
export {
  type AddRoleOptions,
  IamSimulator,
  type IamTimings,
  managedPolicies,
  type PolicyDocument,
  type RoleView,
} from "./iam.js";
export {
  type LogEventView,
  type LogGroupView,
  LogsSimulator,
  type LogsSimulatorOptions,
} from "./logs.js";
export type { SimulatedAwsOptions } from "./options.js";
export {
  type AddDbInstanceOptions,
  type RdsEngineVersionSpec,
  type RdsOrderableRule,
  RdsSimulator,
  type RdsTimings,
} from "./rds.js";
export type {
  AddDbSnapshotOptions,
  RdsSnapshotFailureMatch,
  RdsSnapshotStatus,
  RdsSnapshotType,
} from "./rds-snapshots.js";
export {
  type AddBucketOptions,
  OTHER_ACCOUNT_ID,
  type S3BucketState,
  type S3ObjectView,
  S3Simulator,
} from "./s3.js";
export { type ParameterView, SsmSimulator } from "./ssm.js";
export { StsSimulator } from "./sts.js";

/** Operation name → SDK input type, for every operation of every simulated service. */
export type SimInputs = EcsInputs &
  Ec2Inputs &
  S3Inputs &
  RdsInputs &
  StsInputs &
  IamInputs &
  SsmInputs &
  LogsInputs;

export interface SimulatedAws {
  readonly accountId: string;
  readonly region: string;
  readonly clock: SimClock;
  readonly ecs: EcsSimulator;
  readonly ec2: Ec2Simulator;
  readonly s3: S3Simulator;
  readonly rds: RdsSimulator;
  readonly sts: StsSimulator;
  readonly iam: IamSimulator;
  readonly ssm: SsmSimulator;
  readonly logs: LogsSimulator;
  /** Typed per operation: `inject({ command: "UpdateService", match: (input) => input.desiredCount === 1, … })`. */
  readonly faults: FaultInjector<SimInputs>;
  /** Every call made through an installed client, in order, including failed and faulted ones. */
  readonly calls: readonly CallRecord[];
  /**
   * Every requirement the simulated IAM evaluated while caller policies were set, in order: { service, command,
   * action, resource, context?, allowed, decision, matchedStatement? }.
   */
  readonly authorizations: readonly AuthorizationRecord[];
  /** Sets the caller's identity-based policies (enforcement on), or undefined (enforcement off). */
  setCallerPolicies(policies: CallerPolicies | undefined): void;
  /** The calls of one operation, e.g. `callsOf("UpdateService")` (inputs typed for known ECS operations). */
  callsOf<N extends EcsCommandName>(command: N, service?: "ECS"): CallRecord<EcsInput<N>>[];
  callsOf<N extends Ec2CommandName>(command: N, service?: "EC2"): CallRecord<Ec2Input<N>>[];
  callsOf<N extends S3CommandName>(command: N, service?: "S3"): CallRecord<S3Input<N>>[];
  callsOf<N extends RdsCommandName>(command: N, service?: "RDS"): CallRecord<RdsInput<N>>[];
  callsOf<N extends StsCommandName>(command: N, service?: "STS"): CallRecord<StsInput<N>>[];
  callsOf<N extends IamCommandName>(command: N, service?: "IAM"): CallRecord<IamInput<N>>[];
  callsOf<N extends SsmCommandName>(command: N, service?: "SSM"): CallRecord<SsmInput<N>>[];
  callsOf<N extends LogsCommandName>(command: N, service?: "CloudWatchLogs"): CallRecord<LogsInput<N>>[];
  callsOf(command: string, service?: string): CallRecord[];
  /** Forgets the calls made (and the authorizations evaluated) so far, e.g. after a test's set-up. */
  clearCalls(): void;
  /**
   * One call by name, as a client would send it: what the HTTP server and the tests' SDK stubs call.
   * `service` is "ECS", "EC2", "S3", "SSM"…
   */
  send(
    service: string,
    command: string,
    input: unknown,
    clientConfig?: Record<string, unknown>,
  ): Promise<unknown>;
  /**
   * One call run again, as the sandbox account replays its journal: the same effects as `send` (the same ids
   * drawn), without the response. Logged in `calls` (its output only with `recordOutput`: a copy costs as much
   * as the call). `succeeded`: the call succeeded when first made, so a read whose handler changes nothing
   * (calls.ts, PURE_READS) need not run it. Returns the error the call failed with, if it did.
   */
  replay(
    service: string,
    command: string,
    input: unknown,
    options?: { clientConfig?: Record<string, unknown>; recordOutput?: boolean; succeeded?: boolean },
  ): { error?: unknown };
  /** Processes everything due up to now (API calls do this on their own). */
  advance(): void;
}

/** One simulated service: its simulator and command table. */
interface ServiceBinding {
  /** SDK service name, as recorded in the call log and matched by faults: "ECS", "EC2", "S3"… */
  name: string;
  simulator: { readonly errorProfile: ServiceErrorProfile };
  /** Operation name → [SDK command class, simulator method name]. */
  commands: Record<string, readonly [unknown, string]>;
  /** Operation name → what IAM requires for it (authorization-<service>.ts). */
  authorization: object;
}

export function createSimulatedAws(options: SimulatedAwsOptions = {}): SimulatedAws {
  const context = createSimContext(options);
  const iam = new IamSimulator(context, options.iam);
  const ssm = new SsmSimulator(context);
  const logs = new LogsSimulator(context, options.logs);
  // A task with `secrets` gets them at start through its execution role (IAM) from Parameter Store (SSM);
  // its awslogs containers write to CloudWatch Logs.
  const ecs = new EcsSimulator(context, {
    timings: options.timings,
    circuitBreaker: options.circuitBreaker,
    iam,
    ssm,
    logs,
  });
  // Launched EC2 instances look up their instance profile in IAM and register in ECS.
  const ec2 = new Ec2Simulator(context, { ...options.ec2, iam, ecs });
  // RDS takes the default subnet group and security groups from EC2.
  const rds = new RdsSimulator(context, { ...options.rds, network: ec2 });
  // A DB instance (until it is deleted) uses its VPC security groups: EC2 will not delete them.
  ec2.addSecurityGroupUser(() =>
    rds
      .instances()
      .flatMap((instance) =>
        (instance.VpcSecurityGroups ?? []).flatMap((group) => group.VpcSecurityGroupId ?? []),
      ),
  );
  const s3 = new S3Simulator(context);
  const sts = new StsSimulator(context);
  // To add a service: create its simulator on `context` above and bind it here.
  const bindings: ServiceBinding[] = [
    {
      name: "ECS",
      simulator: ecs,
      commands: ecsCommands,
      authorization: ecsAuthorization,
    },
    {
      name: "EC2",
      simulator: ec2,
      commands: ec2Commands,
      authorization: ec2Authorization,
    },
    { name: "S3", simulator: s3, commands: s3Commands, authorization: s3Authorization },
    {
      name: "RDS",
      simulator: rds,
      commands: rdsCommands,
      authorization: rdsAuthorization,
    },
    {
      name: "STS",
      simulator: sts,
      commands: stsCommands,
      authorization: stsAuthorization,
    },
    {
      name: "IAM",
      simulator: iam,
      commands: iamCommands,
      authorization: iamAuthorization,
    },
    {
      name: "SSM",
      simulator: ssm,
      commands: ssmCommands,
      authorization: ssmAuthorization,
    },
    {
      name: "CloudWatchLogs",
      simulator: logs,
      commands: logsCommands,
      authorization: logsAuthorization,
    },
  ];
  const profiles = new Map(bindings.map((binding) => [binding.name, binding.simulator.errorProfile]));
  const authorization = new CallerAuthorization({
    context,
    env: { accountId: context.accountId, region: context.region, ecs, ec2, iam, rds, s3, ssm, logs },
    tables: Object.fromEntries(bindings.map((binding) => [binding.name, binding.authorization])),
    profiles,
  });
  authorization.setCallerPolicies(options.callerPolicies);
  const faults = new FaultInjector<SimInputs>((kind, call) => {
    const profile = profiles.get(call.service);
    if (!profile) throw new Error(`simulated AWS: no error profile for ${call.service}`);
    return faultError(kind, profile, call, context);
  });
  const calls: CallRecord[] = [];

  const machinery = { context, faults, calls, authorization };
  /** The handler of an operation, undefined when the simulator does not implement it. */
  const handlerOf = (
    service: string,
    command: string,
    input: unknown,
    clientConfig: Record<string, unknown>,
  ) => {
    const binding = bindings.find((candidate) => candidate.name === service);
    const entry = binding
      ? (binding.commands as Record<string, readonly [unknown, string]>)[command]
      : undefined;
    if (!binding || !entry) return undefined;
    const simulator = binding.simulator as unknown as Record<
      string,
      (input: unknown, request: SimRequest) => unknown
    >;
    const method = simulator[entry[1]] as (input: unknown, request: SimRequest) => unknown;
    return () => method.call(simulator, input, { clientConfig });
  };

  return {
    accountId: context.accountId,
    region: context.region,
    clock: context.clock,
    ecs,
    ec2,
    s3,
    rds,
    sts,
    iam,
    ssm,
    logs,
    faults,
    calls,
    authorizations: authorization.records,
    setCallerPolicies(policies) {
      authorization.setCallerPolicies(policies);
    },
    callsOf: (command: string, service?: string) =>
      calls.filter((call) => call.command === command && (service === undefined || call.service === service)),
    clearCalls() {
      calls.splice(0);
      authorization.records.splice(0);
    },
    send(service, command, input, clientConfig = {}) {
      const handle = handlerOf(service, command, input, clientConfig);
      return sendCall(machinery, { service, command, input }, handle);
    },
    replay(service, command, input, options = {}) {
      const handle = handlerOf(service, command, input, options.clientConfig ?? {});
      return replayCall(machinery, { service, command, input }, handle, {
        recordOutput: options.recordOutput ?? false,
        succeeded: options.succeeded ?? false,
      });
    },
    advance() {
      context.clock.advance();
    },
  };
}

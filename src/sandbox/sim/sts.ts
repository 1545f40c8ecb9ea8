/**
 * Simulated AWS STS: who is calling. `GetCallerIdentity` answers from the simulated account and principal
 * (`createSimulatedAws({ accountId, principalArn })`).
 */
import { createHash } from "node:crypto";
import {
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandInput,
  type GetCallerIdentityResponse,
  STSServiceException,
} from "@aws-sdk/client-sts";
import { createSimContext, type SimContext } from "./core.js";
import { queryProtocolFaultError, type ServiceErrorProfile } from "./errors.js";

export class StsSimulator {
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #userId: string;

  constructor(context: SimContext = createSimContext()) {
    this.#ctx = context;
    // Derived from the principal (not from `context.ids`), so that other simulated ids stay as they were.
    const unique = createHash("sha256").update(context.principalArn).digest("hex").slice(0, 17).toUpperCase();
    this.#userId = userIdFor(context.principalArn, unique);
    const profile = {
      service: "STS",
      iamPrefix: "sts",
      BaseException: STSServiceException,
      resourceArn: () => "*",
    };
    this.errorProfile = {
      ...profile,
      faultError: (kind, call, faultContext) => queryProtocolFaultError(profile, kind, call, faultContext),
    };
  }

  getCallerIdentity(_input: GetCallerIdentityCommandInput = {}): GetCallerIdentityResponse {
    this.#ctx.clock.advance();
    return { UserId: this.#userId, Account: this.#ctx.accountId, Arn: this.#ctx.principalArn };
  }
}

/**
 * The unique id STS reports: `AIDA…` for an IAM user, `AROA…:<session>` for an assumed role, the account id
 * for the root user.
 */
function userIdFor(principalArn: string, unique: string): string {
  const assumedRole = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/[^/]+\/(.+)$/.exec(principalArn);
  if (assumedRole) return `AROA${unique}:${assumedRole[1]}`;
  const root = /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(principalArn);
  if (root?.[1]) return root[1];
  return `AIDA${unique}`;
}

/** The STS commands the simulator answers: operation name → [SDK command class, StsSimulator method]. */
export const stsCommands = {
  GetCallerIdentity: [GetCallerIdentityCommand, "getCallerIdentity"],
} as const satisfies Record<string, readonly [unknown, keyof StsSimulator]>;

export type StsCommandName = keyof typeof stsCommands;

export type StsInput<N extends StsCommandName> = StsSimulator[(typeof stsCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

export type StsInputs = { [N in StsCommandName]: StsInput<N> };

/**
 * What the parts of the simulated SSM Parameter Store share (ssm.ts wires them together): the account's
 * parameters, and the checks and lookups API calls start with, in SSM's wording.
 */
import { HierarchyLevelLimitExceededException, ValidationException } from "@aws-sdk/client-ssm";
import type { SimContext } from "./core.js";
import { type ModeledExceptionClass, modeledError } from "./errors.js";
import { nameFromArn, nameProblem, type ParameterRecord, parameterArn, ssmMessages } from "./ssm-model.js";

export class SsmState {
  readonly ctx: SimContext;
  readonly parameters = new Map<string, ParameterRecord>();

  constructor(context: SimContext) {
    this.ctx = context;
  }

  arn(name: string): string {
    return parameterArn(this.ctx.region, this.ctx.accountId, name);
  }

  find(nameOrArn: string): ParameterRecord | undefined {
    const name = nameOrArn.startsWith("arn:")
      ? nameFromArn(nameOrArn, this.ctx.region, this.ctx.accountId, (candidate) =>
          this.parameters.has(candidate),
        )
      : nameOrArn;
    return name === undefined ? undefined : this.parameters.get(name);
  }

  checkName(name: string, access: "write" | "read"): void {
    const problem = nameProblem(name, access, (candidate) => this.arn(candidate));
    if (problem?.kind === "depth") throw this.error(HierarchyLevelLimitExceededException, problem.message);
    if (problem) throw this.validation(problem.message);
  }

  /** 1 to 10 names, as GetParameters and DeleteParameters take them. */
  nameList(names: string[] | undefined, member: string): string[] {
    const list = [...new Set(names ?? [])];
    if (list.length === 0) {
      throw this.validation(
        `1 validation error detected: Value '[]' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    if (list.length > 10) throw this.validation(ssmMessages.tooMany(member, `[${list.join(", ")}]`, 10));
    return list;
  }

  validation(message: string): Error {
    return this.error(ValidationException, message);
  }

  error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E {
    return modeledError(Exception, message, this.ctx.ids);
  }
}

/**
 * Reading the simulated Parameter Store: GetParameter and GetParameters (a version by ":<number>" selector, AWS's
 * public parameters beside the account's: ssm-public.ts) and DescribeParameters with its ParameterFilters.
 */
import {
  type DescribeParametersCommandInput,
  type DescribeParametersResult,
  type GetParameterCommandInput,
  type GetParameterResult,
  type GetParametersCommandInput,
  type GetParametersResult,
  InvalidFilterKey,
  InvalidFilterOption,
  InvalidFilterValue,
  InvalidNextToken,
  type Parameter,
  ParameterNotFound,
  ParameterVersionNotFound,
} from "@aws-sdk/client-ssm";
import { compact, paginate } from "./core.js";
import type { ModeledExceptionClass } from "./errors.js";
import {
  currentVersion,
  filterProblem,
  type ParameterRecord,
  type ParameterVersionRecord,
  passesFilters,
  renderMetadata,
  renderParameter,
  ssmMessages,
} from "./ssm-model.js";
import { isPublicParameterName, type PublicParameters } from "./ssm-public.js";
import type { SsmState } from "./ssm-state.js";

export class ParameterReads {
  readonly #state: SsmState;
  readonly #publicParameters: PublicParameters;

  constructor(state: SsmState, publicParameters: PublicParameters) {
    this.#state = state;
    this.#publicParameters = publicParameters;
  }

  getParameter(input: GetParameterCommandInput): GetParameterResult {
    this.#state.ctx.clock.advance();
    const { name, selector } = splitSelector(input.Name ?? "");
    if (!name.startsWith("arn:")) this.#state.checkName(name, "read");
    if (isPublicParameterName(name)) {
      const parameter = this.#publicParameters.render(name, selector);
      if (!parameter) throw this.#state.error(ParameterNotFound, ssmMessages.noMessage);
      return { Parameter: parameter };
    }
    const record = this.#state.find(name);
    if (!record) throw this.#state.error(ParameterNotFound, ssmMessages.noMessage);
    const version = this.#version(record, selector);
    return { Parameter: this.#render(record, version, input.WithDecryption ?? false, selector) };
  }

  getParameters(input: GetParametersCommandInput): GetParametersResult {
    this.#state.ctx.clock.advance();
    const names = this.#state.nameList(input.Names, "names");
    const parameters: Parameter[] = [];
    const invalid: string[] = [];
    for (const requested of names) {
      const { name, selector } = splitSelector(requested);
      if (isPublicParameterName(name)) {
        const parameter = this.#publicParameters.render(name, selector);
        if (parameter) parameters.push(parameter);
        else invalid.push(requested);
        continue;
      }
      const record = this.#state.find(name);
      const version = record && this.#versionOrUndefined(record, selector);
      if (record && version)
        parameters.push(this.#render(record, version, input.WithDecryption ?? false, selector));
      else invalid.push(requested);
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  describeParameters(input: DescribeParametersCommandInput = {}): DescribeParametersResult {
    this.#state.ctx.clock.advance();
    if (input.Filters !== undefined)
      throw new Error("simulated SSM does not implement DescribeParameters Filters (use ParameterFilters)");
    if (input.Shared) throw new Error("simulated SSM does not implement shared parameters");
    if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 50)) {
      throw this.#state.validation(ssmMessages.maxResults(input.MaxResults));
    }
    const filters = input.ParameterFilters ?? [];
    for (const filter of filters) {
      const problem = filterProblem(filter);
      if (!problem) continue;
      const exceptions: Record<typeof problem.kind, ModeledExceptionClass> = {
        key: InvalidFilterKey,
        option: InvalidFilterOption,
        value: InvalidFilterValue,
      };
      const Exception = exceptions[problem.kind];
      throw this.#state.error(Exception, problem.message);
    }
    const matching = [...this.#state.parameters.values()]
      .filter((record) => passesFilters(record, filters))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(
      matching,
      { maxResults: input.MaxResults, nextToken: input.NextToken },
      {
        defaultMax: 10,
        invalidToken: () => this.#state.error(InvalidNextToken, "The nextToken is not valid."),
      },
    );
    return compact({
      Parameters: page.map((record) => renderMetadata(record, this.#state.arn(record.name))),
      NextToken: nextToken,
    });
  }

  #version(record: ParameterRecord, selector: string | undefined): ParameterVersionRecord {
    const version = this.#versionOrUndefined(record, selector);
    if (version) return version;
    if (selector !== undefined && !/^:\d+$/.test(selector)) {
      throw new Error(`simulated SSM does not implement parameter labels (selector ${selector})`);
    }
    throw this.#state.error(
      ParameterVersionNotFound,
      `Systems Manager could not find version ${selector?.slice(1)} of ${record.name}. Verify the version and try again.`,
    );
  }

  #versionOrUndefined(
    record: ParameterRecord,
    selector: string | undefined,
  ): ParameterVersionRecord | undefined {
    if (selector === undefined) return currentVersion(record);
    const number = /^:(\d+)$/.exec(selector)?.[1];
    return number === undefined ? undefined : record.versions.find((v) => v.version === Number(number));
  }

  #render(
    record: ParameterRecord,
    version: ParameterVersionRecord,
    withDecryption: boolean,
    selector?: string,
  ) {
    return renderParameter(record, version, { arn: this.#state.arn(record.name), withDecryption, selector });
  }
}

/** "/a/b:3" → name "/a/b", selector ":3" (ARNs have colons of their own: only a trailing ":<selector>" counts). */
function splitSelector(reference: string): { name: string; selector: string | undefined } {
  const match = /^(.*[^:]):([\w.-]+)$/.exec(reference);
  if (!match || (reference.startsWith("arn:") && (match[1] ?? "").split(":").length < 6)) {
    return { name: reference, selector: undefined };
  }
  return { name: match[1] ?? reference, selector: `:${match[2]}` };
}

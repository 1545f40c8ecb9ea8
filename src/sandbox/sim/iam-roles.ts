/**
 * The simulated IAM's role records (shared by instance profiles and the role API) and IAM's error shapes.
 * `IamSimulator` (iam.ts) owns one `RoleStore` and answers the API with it.
 */
import { IAMServiceException, type Role, type Tag } from "@aws-sdk/client-iam";
import { clone, compact, paginate, type SimContext } from "./core.js";
import { type ModeledExceptionClass, queryModeledError, queryUnmodeledError } from "./errors.js";
import { evaluatePolicies, managedPolicies, type PolicyDocument, trustsService } from "./iam-policy.js";

export interface RoleRecord {
  name: string;
  id: string;
  path: string;
  createDate: Date;
  /** The trust policy as sent (IAM returns the text it was given, URL-encoded). */
  trustPolicy: string;
  description: string | undefined;
  maxSessionDuration: number;
  tags: Tag[];
  /** Managed policy ARNs, in attachment order. */
  attached: string[];
  /** Inline policy name → document text as sent. */
  inline: Map<string, string>;
}

/** A role as tests inspect it (`sim.iam.role(name)`): policies decoded. */
export interface RoleView {
  name: string;
  arn: string;
  path: string;
  roleId: string;
  description: string | undefined;
  createDate: Date;
  trustPolicy: PolicyDocument;
  attached: string[];
  inline: Record<string, PolicyDocument>;
  tags: Tag[];
}

/** IAM's pattern for instance profile, role and policy names. */
export const NAME_PATTERN = /^[\w+=,.@-]+$/;

/** The roles of the account, keyed by lower-case name: IAM role names are unique regardless of case. */
export class RoleStore {
  readonly #ctx: SimContext;
  readonly #roles = new Map<string, RoleRecord>();

  constructor(context: SimContext) {
    this.#ctx = context;
  }

  has(name: string): boolean {
    return this.#roles.has(name.toLowerCase());
  }

  create(fields: {
    name: string;
    path: string;
    trustPolicy: string;
    description: string | undefined;
    tags: Tag[];
    maxSessionDuration?: number;
  }): RoleRecord {
    const record: RoleRecord = {
      ...fields,
      id: `AROA${this.#ctx.ids.hex(17).toUpperCase()}`,
      createDate: this.#ctx.clock.date(),
      maxSessionDuration: fields.maxSessionDuration ?? 3600,
      tags: clone(fields.tags),
      attached: [],
      inline: new Map(),
    };
    this.#roles.set(fields.name.toLowerCase(), record);
    return record;
  }

  delete(name: string): RoleRecord | undefined {
    const record = this.#roles.get(name.toLowerCase());
    this.#roles.delete(name.toLowerCase());
    return record;
  }

  /** By name (any case), or by ARN, which must name this account and the role's path. */
  find(nameOrArn: string): RoleRecord | undefined {
    const arn = /^arn:aws[\w-]*:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/.exec(nameOrArn);
    if (!arn) return this.#roles.get(nameOrArn.toLowerCase());
    const record = this.#roles.get((arn[3] ?? "").toLowerCase());
    return record && arn[1] === this.#ctx.accountId && arn[2] === record.path ? record : undefined;
  }

  arn(record: RoleRecord): string {
    return `arn:aws:iam::${this.#ctx.accountId}:role${record.path}${record.name}`;
  }

  /** Whether the identity policies (inline and attached managed) allow the request. */
  allows(
    record: RoleRecord,
    request: { action: string; resource: string; context?: Readonly<Record<string, string>> },
  ): boolean {
    const documents = [
      ...[...record.inline.values()].map((text) => JSON.parse(text) as PolicyDocument),
      ...record.attached.flatMap((arn) => (managedPolicies[arn] ? [managedPolicies[arn].document] : [])),
    ];
    return evaluatePolicies(documents, request);
  }

  trusts(record: RoleRecord, service: string): boolean {
    return trustsService(JSON.parse(record.trustPolicy) as PolicyDocument, service);
  }

  /**
   * As GetRole/CreateRole render it (`details`: with Description, MaxSessionDuration and Tags when it has
   * any) or inside an instance profile (without); `RoleLastUsed` is left out.
   */
  render(record: RoleRecord, details: boolean): Role {
    const role: Role = {
      Path: record.path,
      RoleName: record.name,
      RoleId: record.id,
      Arn: this.arn(record),
      CreateDate: record.createDate,
      AssumeRolePolicyDocument: encodeURIComponent(record.trustPolicy),
    };
    if (!details) return role;
    return compact({
      ...role,
      Description: record.description,
      MaxSessionDuration: record.maxSessionDuration,
      Tags: record.tags.length > 0 ? clone(record.tags) : undefined,
    });
  }

  view(record: RoleRecord): RoleView {
    return {
      name: record.name,
      arn: this.arn(record),
      path: record.path,
      roleId: record.id,
      description: record.description,
      createDate: record.createDate,
      trustPolicy: JSON.parse(record.trustPolicy) as PolicyDocument,
      attached: [...record.attached],
      inline: Object.fromEntries(
        [...record.inline].map(([name, text]) => [name, JSON.parse(text) as PolicyDocument]),
      ),
      tags: clone(record.tags),
    };
  }
}

/** IAM's errors (query protocol: `Type`/`Code`/`Error` members), built on the shared ids. */
export class IamErrors {
  readonly #ctx: SimContext;

  constructor(context: SimContext) {
    this.#ctx = context;
  }

  /** `NoSuchEntity` (HTTP 404). */
  noSuchEntity(Exception: ModeledExceptionClass, message: string): Error {
    return this.modeled(Exception, "NoSuchEntity", message, 404);
  }

  modeled(Exception: ModeledExceptionClass, code: string, message: string, httpStatusCode: number): Error {
    return queryModeledError(Exception, { code, message, httpStatusCode, ids: this.#ctx.ids });
  }

  /** `ValidationError` (HTTP 400), unmodeled. */
  validation(message: string): Error {
    return queryUnmodeledError(IAMServiceException, {
      name: "ValidationError",
      message,
      httpStatusCode: 400,
      ids: this.#ctx.ids,
    });
  }

  /** A name checked as IAM checks it (pattern, then length), or a ValidationError naming the member. */
  validName(name: string | undefined, member: string, maxLength: number): string {
    const value = name ?? "";
    const prefix = `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: `;
    if (!NAME_PATTERN.test(value)) {
      throw this.validation(`${prefix}Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
    }
    if (value.length > maxLength) {
      throw this.validation(`${prefix}Member must have length less than or equal to ${maxLength}`);
    }
    return value;
  }

  /** IAM's Marker/MaxItems pagination (default 100 items). */
  page<T>(items: readonly T[], input: { Marker?: string; MaxItems?: number }) {
    const { page, nextToken } = paginate(
      items,
      { maxResults: input.MaxItems, nextToken: input.Marker },
      { defaultMax: 100, invalidToken: () => this.validation("Invalid Marker.") },
    );
    return { page, marker: nextToken };
  }
}

/**
 * The KMS keys SecureStrings of the simulated SSM may be put with: the AWS managed `alias/aws/ssm` (always there)
 * and the customer managed keys a test registers, by ARN, id or alias. KMS's InvalidKeyId for any other.
 */
import { InvalidKeyId } from "@aws-sdk/client-ssm";
import { DEFAULT_KEY_ID, ssmMessages } from "./ssm-model.js";
import type { SsmState } from "./ssm-state.js";

export class KmsKeys {
  readonly #state: SsmState;
  /** Customer managed KMS key ARNs, and alias name ("alias/x") → key ARN. */
  readonly #keys = new Set<string>();
  readonly #aliases = new Map<string, string>();

  constructor(state: SsmState) {
    this.#state = state;
  }

  /** Registers a customer managed key (an ARN, or a key id in this region and account); returns its ARN. */
  add(arnOrId: string, options: { alias?: string } = {}): string {
    const arn = arnOrId.startsWith("arn:") ? arnOrId : this.#arnOf(arnOrId);
    this.#keys.add(arn);
    if (options.alias)
      this.#aliases.set(options.alias.startsWith("alias/") ? options.alias : `alias/${options.alias}`, arn);
    return arn;
  }

  #arnOf(keyId: string): string {
    return `arn:aws:kms:${this.#state.ctx.region}:${this.#state.ctx.accountId}:key/${keyId}`;
  }

  /** The customer key ARN a KeyId names (undefined for the AWS managed key), or InvalidKeyId as KMS words it. */
  resolve(keyId: string): string | undefined {
    const managedAlias = `arn:aws:kms:${this.#state.ctx.region}:${this.#state.ctx.accountId}:${DEFAULT_KEY_ID}`;
    if (keyId === DEFAULT_KEY_ID || keyId === managedAlias) return undefined;
    const alias = /^(?:arn:aws[\w-]*:kms:[^:]+:\d{12}:)?(alias\/.+)$/.exec(keyId);
    if (alias) {
      const arn = this.#aliases.get(alias[1] ?? "");
      if (arn) return arn;
      const aliasArn = keyId.startsWith("arn:")
        ? keyId
        : `arn:aws:kms:${this.#state.ctx.region}:${this.#state.ctx.accountId}:${keyId}`;
      throw this.#state.error(InvalidKeyId, ssmMessages.aliasNotFound(aliasArn, this.#state.ctx.ids.uuid()));
    }
    const arn = keyId.startsWith("arn:") ? keyId : this.#arnOf(keyId);
    if (this.#keys.has(arn)) return arn;
    throw this.#state.error(InvalidKeyId, ssmMessages.keyNotFound(arn, this.#state.ctx.ids.uuid()));
  }
}

/** Key pairs in the simulated EC2: those a test adds (as if imported), and DescribeKeyPairs. */
import type {
  DescribeKeyPairsCommandInput,
  DescribeKeyPairsResult,
  KeyPairInfo,
  Tag,
} from "@aws-sdk/client-ec2";
import { clone } from "./core.js";
import { tagFilterValues } from "./ec2-model.js";
import type { Ec2State, KeyPairRecord } from "./ec2-state.js";

export class Ec2KeyPairs {
  readonly #state: Ec2State;

  constructor(state: Ec2State) {
    this.#state = state;
  }

  /** Adds a key pair (as if imported); returns it as DescribeKeyPairs renders it. */
  addKeyPair(name: string, options: { keyType?: "rsa" | "ed25519"; tags?: Tag[] } = {}): KeyPairInfo {
    this.#state.sync();
    if (this.#state.keyPairs.some((pair) => pair.name === name)) {
      throw new Error(`simulated EC2: key pair ${name} exists already`);
    }
    const record: KeyPairRecord = {
      keyPairId: `key-${this.#state.ctx.ids.hex(17)}`,
      name,
      fingerprint: (this.#state.ctx.ids.hex(32).match(/../g) ?? []).join(":"),
      keyType: options.keyType ?? "rsa",
      createTime: this.#state.ctx.clock.date(),
      tags: options.tags ?? [],
    };
    this.#state.keyPairs.push(record);
    return this.#renderKeyPair(record);
  }

  describeKeyPairs(input: DescribeKeyPairsCommandInput = {}): DescribeKeyPairsResult {
    this.#state.sync();
    this.#state.dryRun(input.DryRun);
    let selected = this.#state.keyPairs;
    for (const name of input.KeyNames ?? []) {
      if (!selected.some((pair) => pair.name === name)) {
        throw this.#state.error("InvalidKeyPair.NotFound", `The key pair '${name}' does not exist`);
      }
    }
    for (const id of input.KeyPairIds ?? []) {
      if (!selected.some((pair) => pair.keyPairId === id)) {
        throw this.#state.error("InvalidKeyPair.NotFound", `The key pair '${id}' does not exist`);
      }
    }
    if (input.KeyNames?.length) selected = selected.filter((pair) => input.KeyNames?.includes(pair.name));
    if (input.KeyPairIds?.length)
      selected = selected.filter((pair) => input.KeyPairIds?.includes(pair.keyPairId));
    selected = this.#state.filter(selected, input.Filters, "DescribeKeyPairs", (pair, name) => {
      switch (name) {
        case "key-name":
          return [pair.name];
        case "key-pair-id":
          return [pair.keyPairId];
        case "fingerprint":
          return [pair.fingerprint];
        default:
          return tagFilterValues(pair.tags, name);
      }
    });
    return { KeyPairs: selected.map((pair) => this.#renderKeyPair(pair)) };
  }

  #renderKeyPair(pair: KeyPairRecord): KeyPairInfo {
    return {
      KeyPairId: pair.keyPairId,
      KeyFingerprint: pair.fingerprint,
      KeyName: pair.name,
      KeyType: pair.keyType,
      Tags: clone(pair.tags),
      CreateTime: pair.createTime,
    };
  }
}

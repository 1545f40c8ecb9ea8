/** The tag on everything mcctl creates, so that a re-run (and `destroy`) can tell its own resources. */
export const MANAGED_BY = { key: "managed-by", value: "mcctl" } as const;

/** Put on everything mcctl creates. */
export const MCCTL_TAGS: Readonly<Record<string, string>> = Object.freeze({
  [MANAGED_BY.key]: MANAGED_BY.value,
  application: "model-catalogue",
});

type TagList = readonly {
  Key?: string | undefined;
  Value?: string | undefined;
  key?: string | undefined;
  value?: string | undefined;
}[];

/** Whether tags, in any of the shapes AWS services use (Key/Value, key/value, a record), say managed-by=mcctl. */
export function taggedByMcctl(tags: TagList | Readonly<Record<string, string>> | undefined): boolean {
  if (tags === undefined) return false;
  if (Array.isArray(tags)) {
    return (tags as TagList).some(
      (tag) => (tag.Key ?? tag.key) === MANAGED_BY.key && (tag.Value ?? tag.value) === MANAGED_BY.value,
    );
  }
  return (tags as Readonly<Record<string, string>>)[MANAGED_BY.key] === MANAGED_BY.value;
}

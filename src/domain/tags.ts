/** Put on everything mcctl creates, so that a re-run (and `destroy`) can tell its own resources. */
export const MCCTL_TAGS: Readonly<Record<string, string>> = Object.freeze({
  "managed-by": "mcctl",
  application: "model-catalogue",
});

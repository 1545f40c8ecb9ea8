/** Which Model Catalogue variables are asked when, beside what each variable's spec says. */

/**
 * Variables an operator rarely changes: they take their default (or mcctl.json's value) unless the
 * operator opts in to the advanced questions.
 */
export const ADVANCED = new Set([
  "MC_ADMIN_EMAIL",
  "MC_SECURED_REVERSE_PROXY",
  "MC_MAX_ACTIVE_USERS",
  "MC_WELCOME_JUMBO",
  "MC_WELCOME_INFO",
  "MC_ES_ELEMENTS_PER_BATCH",
  "MC_ES_DELAY_AFTER_BATCH",
  "CATALINA_OPTS",
]);

/** Offered only once mail is known to work: sign-up sends confirmation mail. */
export const NEEDS_MAIL = new Set(["MC_ALLOW_SIGNUP"]);

/** Inside an enabled optional group these must be given; the rest of the group may stay empty. */
export const REQUIRED_IN_GROUP = new Set([
  "MC_MAIL_HOST",
  "MC_MAIL_FROM",
  "MC_S3_BUCKET",
  "MC_GOOGLE_KEY",
  "MC_GOOGLE_SECRET",
]);

/** A secret that is only asked for when its partner was given: an S3 secret without a key is useless. */
export const ASKED_ONLY_WITH: Readonly<Record<string, string>> = { MC_S3_SECRET: "MC_S3_KEY" };

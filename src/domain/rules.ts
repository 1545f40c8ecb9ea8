import { type McEnvironment, VARIABLES, variableSpec } from "./environment.js";
import { analyseCatalinaOpts, describeMemoryNeed, suggestCatalinaOpts } from "./jvm.js";
import { STORED_IN_SSM } from "./secrets.js";
import { MC_CONTAINER } from "./task-definition.js";

export interface Finding {
  severity: "error" | "warning";
  variable: string;
  /** One line that says what is wrong and what to do; never contains a secret value. */
  message: string;
  /** A replacement value the operator can accept as is. */
  suggestion?: string;
}

export interface EnvironmentContext {
  mcMemoryMiB: number;
  /** Variables mcctl.json sets to false, "deliberately unset": a warning about their absence is not repeated. */
  unsetOnPurpose?: ReadonlySet<string> | undefined;
}

const MAIL_VARIABLES = [
  "MC_MAIL_HOST",
  "MC_MAIL_PORT",
  "MC_MAIL_USERNAME",
  "MC_MAIL_PASSWORD",
  "MC_MAIL_FROM",
];
/** The app reads no mail setting at all unless both of these are set. */
const MAIL_ESSENTIALS = ["MC_MAIL_FROM", "MC_MAIL_HOST"] as const;
const S3_DEPENDENT_VARIABLES = ["MC_S3_REGION", "MC_S3_KEY", "MC_S3_SECRET"];

/**
 * Everything mcctl knows to be wrong with an environment before it reaches the container: errors stop a
 * deployment, warnings are shown and may be accepted. Errors come first, each group in a stable order.
 */
export function checkEnvironment(env: McEnvironment, context: EnvironmentContext): Finding[] {
  const findings = [
    ...checkEachVariable(env),
    ...checkRequired(env),
    ...checkMail(env),
    ...checkSignup(env),
    ...checkCatalinaOpts(env, context),
    ...checkSupervisorPassword(env),
    ...checkS3(env, context.unsetOnPurpose ?? new Set()),
    ...checkGoogle(env),
  ];
  return [
    ...findings.filter((finding) => finding.severity === "error"),
    ...findings.filter((finding) => finding.severity === "warning"),
  ];
}

/** Groovy treats an empty string as false, so the app ignores a variable set to "". */
function isSet(env: McEnvironment, name: string): boolean {
  const value = env[name];
  return value !== undefined && value !== "";
}

function error(variable: string, message: string): Finding {
  return { severity: "error", variable, message };
}

function warning(variable: string, message: string, suggestion?: string): Finding {
  return { severity: "warning", variable, message, ...(suggestion === undefined ? {} : { suggestion }) };
}

function checkEachVariable(env: McEnvironment): Finding[] {
  const findings: Finding[] = [];
  const known = VARIABLES.map((spec) => spec.name).filter((name) => env[name] !== undefined);
  const unknown = Object.keys(env)
    .filter((name) => variableSpec(name) === undefined && env[name] !== undefined)
    .sort();
  for (const name of known) {
    // A value SSM holds was checked when it was set; mcctl does not read it back to check it again.
    if (env[name] === STORED_IN_SSM) continue;
    const problem = variableSpec(name)?.validate(env[name] ?? "");
    if (problem !== undefined) findings.push(error(name, problem));
  }
  for (const name of unknown) {
    findings.push(
      warning(name, "is not a variable mcctl knows the metadata/registry image to read; check the spelling"),
    );
  }
  return findings;
}

function checkRequired(env: McEnvironment): Finding[] {
  return VARIABLES.filter((spec) => spec.required && env[spec.name] === undefined).map((spec) =>
    error(spec.name, `is required but not set: ${spec.description}`),
  );
}

function checkMail(env: McEnvironment): Finding[] {
  const mailSet = MAIL_VARIABLES.filter((name) => isSet(env, name));
  if (mailSet.length === 0) return [];
  return MAIL_ESSENTIALS.filter((name) => !isSet(env, name)).map((name) =>
    error(
      name,
      `is not set, so the app ignores every mail setting (${mailSet.join(", ")}) and sends no e-mail; ` +
        `set both MC_MAIL_FROM and MC_MAIL_HOST, or remove the other MC_MAIL_* variables`,
    ),
  );
}

function checkSignup(env: McEnvironment): Finding[] {
  if (!isSet(env, "MC_ALLOW_SIGNUP")) return [];
  const missing = MAIL_ESSENTIALS.filter((name) => !isSet(env, name));
  if (missing.length === 0) return [];
  return [
    error(
      "MC_ALLOW_SIGNUP",
      `sign-up sends a confirmation e-mail but mail cannot work without ${missing.join(" and ")}; ` +
        `set up mail or leave MC_ALLOW_SIGNUP out`,
    ),
  ];
}

function checkCatalinaOpts(env: McEnvironment, { mcMemoryMiB }: EnvironmentContext): Finding[] {
  const opts = env.CATALINA_OPTS;
  if (opts === undefined || opts.trim() === "") return [];
  const analysis = analyseCatalinaOpts(opts, mcMemoryMiB);
  if (analysis.fits) return [];
  const need =
    `${describeMemoryNeed(opts, mcMemoryMiB)} needs ${analysis.requiredMiB} MiB but the ${MC_CONTAINER} ` +
    `container has ${mcMemoryMiB} MiB; it will be OOM-killed`;
  const suggestion = suggestCatalinaOpts(opts, mcMemoryMiB);
  if (!analyseCatalinaOpts(suggestion, mcMemoryMiB).fits) {
    return [warning("CATALINA_OPTS", `${need}; the container is too small for the JVM, give it more memory`)];
  }
  return [
    warning(
      "CATALINA_OPTS",
      `${need}; lower the sizes as suggested or give the container more memory`,
      suggestion,
    ),
  ];
}

function checkSupervisorPassword(env: McEnvironment): Finding[] {
  if (isSet(env, "MC_SUPERVISOR_PASSWORD")) return [];
  return [
    warning(
      "MC_SUPERVISOR_PASSWORD",
      'is not set, so the app falls back to the well-known password "supervisor" and anyone can log in ' +
        "as supervisor; set MC_SUPERVISOR_PASSWORD",
    ),
  ];
}

function checkS3(env: McEnvironment, unsetOnPurpose: ReadonlySet<string>): Finding[] {
  const hasKey = isSet(env, "MC_S3_KEY");
  const hasSecret = isSet(env, "MC_S3_SECRET");
  if (!isSet(env, "MC_S3_BUCKET")) {
    return S3_DEPENDENT_VARIABLES.filter((name) => isSet(env, name)).map((name) =>
      warning(name, "is ignored because MC_S3_BUCKET is not set; set the bucket or leave this out"),
    );
  }
  if (hasKey && !hasSecret) {
    return [error("MC_S3_SECRET", "is not set but MC_S3_KEY is; the app needs both to reach the S3 bucket")];
  }
  if (hasSecret && !hasKey) {
    return [error("MC_S3_KEY", "is not set but MC_S3_SECRET is; the app needs both to reach the S3 bucket")];
  }
  // "MC_S3_KEY": false in mcctl.json (or `mcctl secrets rm MC_S3_KEY`): the operator knows, and chose this.
  if (!hasKey && !hasSecret && !unsetOnPurpose.has("MC_S3_KEY")) {
    return [
      warning(
        "MC_S3_BUCKET",
        "is set without MC_S3_KEY and MC_S3_SECRET; the app expects that key pair to reach the bucket and " +
          "may not fall back to the instance role, so uploads can fail; set both " +
          "(`MC_S3_KEY=… MC_S3_SECRET=… mcctl register-task` stores them in SSM), or, when the instance role " +
          'is meant to reach the bucket, say so in mcctl.json: "environment": {"MC_S3_KEY": false}',
      ),
    ];
  }
  return [];
}

function checkGoogle(env: McEnvironment): Finding[] {
  const hasKey = isSet(env, "MC_GOOGLE_KEY");
  const hasSecret = isSet(env, "MC_GOOGLE_SECRET");
  if (hasKey && !hasSecret) {
    return [error("MC_GOOGLE_SECRET", "is not set but MC_GOOGLE_KEY is; Google login needs both")];
  }
  if (hasSecret && !hasKey) {
    return [error("MC_GOOGLE_KEY", "is not set but MC_GOOGLE_SECRET is; Google login needs both")];
  }
  return [];
}

/**
 * The built binary on a real terminal (node-pty): the operator answers the prompts of a
 * `register-task --dry-run --offline`, which prints the redacted task definition and saves nothing.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertBuilt,
  assertRegisterTaskDefinitionInput,
  childEnv,
  environmentOf,
  extractJsonDocument,
  makeTempDir,
  PtySession,
  removeTempDir,
} from "./harness.js";

const JDBC_URL = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
/** Typed at masked prompts: none may ever be drawn on the terminal. */
const SECRETS = {
  supervisor: "CANARY-supervisor-4d1e",
  database: "CANARY-database-9a7b",
  mail: "CANARY-mail-2c5f",
};

/** The questions, as src/domain/environment.ts and src/config/task-inputs.ts word them. */
const Q = {
  host: "Public host[:port] users reach the catalogue at, without scheme or path (builds the server URL) (METADATA_HOST)",
  scheme: "Scheme of the public URL: http, or https when a load balancer terminates TLS (METADATA_SCHEME)",
  name: "Name shown in the navigation bar (MC_NAME)",
  supervisorEmail: "E-mail address of the supervisor account (MC_SUPERVISOR_EMAIL)",
  supervisorPassword:
    'Password of the supervisor account (the app falls back to "supervisor" when unset) (MC_SUPERVISOR_PASSWORD)',
  advanced: "Change advanced settings (JVM options, search batching, welcome texts, admin e-mail)?",
  jdbcUrl: "(METADATA_JDBC_URL)",
  dbUser: "MySQL user name (METADATA_USERNAME)",
  dbPassword: "MySQL password (METADATA_PASSWORD)",
  mail: "Send e-mail (sign-up confirmations, password resets)?",
  mailHost: "SMTP server host name (MC_MAIL_HOST)",
  mailPort: "SMTP server port (587 for submission with STARTTLS, 25 for plain SMTP) (MC_MAIL_PORT)",
  mailUser: "SMTP user name (MC_MAIL_USERNAME)",
  mailPassword: "SMTP password (MC_MAIL_PASSWORD)",
  mailFrom:
    "Sender address of the catalogue's e-mails (without it the app sends no mail at all) (MC_MAIL_FROM)",
  assets: "Store uploaded assets in Amazon S3?",
  google: "Allow users to log in with Google?",
  signup:
    "Let visitors sign up for an account (needs working mail for the confirmation e-mail) (MC_ALLOW_SIGNUP)",
};

const CTRL_U = "\x15";
const CTRL_C = "\x03";

let dir: string;
let configPath: string;
let session: PtySession | undefined;

beforeAll(() => {
  assertBuilt();
});

beforeEach(async () => {
  dir = await makeTempDir();
  configPath = join(dir, "mcctl.json");
});

afterEach(async () => {
  session?.dispose();
  session = undefined;
  await removeTempDir(dir);
});

function startRegisterTaskDryRun(): PtySession {
  // If node-pty cannot open a pseudo-terminal here, this throws and the test fails: it never skips.
  session = new PtySession(["register-task", "--dry-run", "--offline", "--config", configPath], {
    cwd: dir,
    env: childEnv(dir),
  });
  return session;
}

async function expectNothingWritten(): Promise<void> {
  expect(existsSync(configPath), "the settings file was written").toBe(false);
  expect((await readdir(dir)).filter((entry) => entry.startsWith("mcctl"))).toEqual([]);
}

describe("--no-color on a terminal", () => {
  /** SGR sequences that set a colour or bold (cursor moves and erases are fine). */
  const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[(?:\\d+;)*(?:1|2|3\\d|9\\d)m`);
  const start = (flags: string[], extra: Record<string, string> = {}) => {
    const env = childEnv(dir, extra);
    delete env.NO_COLOR;
    session = new PtySession(["register-task", "--dry-run", "--offline", "--config", configPath, ...flags], {
      cwd: dir,
      env,
    });
    return session;
  };

  it("draws the prompts without colour, as NO_COLOR does; without either they are coloured", async () => {
    const plain = start(["--no-color"]);
    await plain.waitFor(Q.host);
    expect(plain.rawOutput).not.toMatch(COLOUR);
    plain.dispose();
    const coloured = start([]);
    await coloured.waitFor(Q.host);
    expect(coloured.rawOutput).toMatch(COLOUR);
  });
});

describe("register-task --dry-run on a terminal", () => {
  it("asks every question in order, masks secrets, prints the task definition and saves nothing", async () => {
    const pty = startRegisterTaskDryRun();

    // A value the validator rejects: the error is shown and the question stays open.
    await pty.ask(Q.host, "https://x");
    await pty.waitFor('"https://x" includes a scheme; give only host[:port]');
    pty.type(CTRL_U);
    pty.answer("catalogue.example.com");

    await pty.ask(Q.scheme, ""); // the default, http
    await pty.ask(Q.name, "Test Catalogue");
    await pty.ask(Q.supervisorEmail, "supervisor@example.com");
    await pty.ask(Q.supervisorPassword, SECRETS.supervisor);
    await pty.ask(Q.jdbcUrl, JDBC_URL);
    await pty.ask(Q.dbUser, "mc_user");
    await pty.ask(Q.dbPassword, SECRETS.database);
    await pty.ask(Q.mail, "y");
    await pty.ask(Q.mailHost, "smtp.example.com");
    await pty.ask(Q.mailPort, ""); // the default, 587
    await pty.ask(Q.mailUser, "mailer");
    await pty.ask(Q.mailPassword, SECRETS.mail);
    await pty.ask(Q.mailFrom, "Test Catalogue <catalogue@example.com>");
    await pty.ask(Q.assets, "n");
    await pty.ask(Q.google, "n");
    await pty.ask(Q.signup, "y");
    await pty.ask(Q.advanced, "n");

    const { exitCode } = await pty.waitForExit();
    const screen = pty.output;
    expect(exitCode, `exit code; screen:\n${screen}`).toBe(0);

    // Masked prompts echo one "*" per character.
    expect(screen).toMatch(masked("(MC_SUPERVISOR_PASSWORD) — leave empty for none", SECRETS.supervisor));
    expect(screen).toMatch(masked("(METADATA_PASSWORD)", SECRETS.database));
    expect(screen).toMatch(masked("(MC_MAIL_PASSWORD) — leave empty for none", SECRETS.mail));
    for (const secret of Object.values(SECRETS)) {
      expect(pty.rawOutput).not.toContain(secret);
      expect(screen).not.toContain(secret);
    }

    const printed = extractAndCheck(screen);
    expect(environmentOf(printed, "mc")).toMatchObject({
      METADATA_HOST: "catalogue.example.com",
      METADATA_SCHEME: "http",
      MC_NAME: "Test Catalogue",
      MC_SUPERVISOR_EMAIL: "supervisor@example.com",
      MC_SUPERVISOR_PASSWORD:
        "from arn:aws:ssm:eu-west-1:<account>:parameter/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
      METADATA_JDBC_URL: JDBC_URL,
      METADATA_USERNAME: "mc_user",
      METADATA_PASSWORD:
        "from arn:aws:ssm:eu-west-1:<account>:parameter/mcctl/model-catalogue/METADATA_PASSWORD",
      MC_MAIL_HOST: "smtp.example.com",
      MC_MAIL_PORT: "587",
      MC_MAIL_USERNAME: "mailer",
      MC_MAIL_PASSWORD:
        "from arn:aws:ssm:eu-west-1:<account>:parameter/mcctl/model-catalogue/MC_MAIL_PASSWORD",
      MC_MAIL_FROM: "Test Catalogue <catalogue@example.com>",
      MC_ALLOW_SIGNUP: "true",
    });
    expect(Object.keys(environmentOf(printed, "mc")).filter((name) => /^MC_(S3|GOOGLE)_/.test(name))).toEqual(
      [],
    );
    expect(screen).toContain("dry run: nothing was changed in AWS and nothing was saved to mcctl.json");
    await expectNothingWritten();
  }, 60_000);

  it("Ctrl-C at a prompt exits 130, says it was cancelled and saves nothing", async () => {
    const pty = startRegisterTaskDryRun();

    await pty.ask(Q.host, "catalogue.example.com");
    await pty.waitFor(Q.scheme);
    pty.type(CTRL_C);

    const { exitCode } = await pty.waitForExit();
    const screen = pty.output;
    expect(exitCode, `exit code; screen:\n${screen}`).toBe(130);
    expect(screen).toMatch(/cancelled/i);
    expect(screen).not.toMatch(/^ {4}at /m);
    expect(screen, "a task definition was printed").not.toMatch(/^\{$/m);
    await expectNothingWritten();
  }, 30_000);
});

function extractAndCheck(screen: string) {
  const printed: unknown = extractJsonDocument(screen);
  assertRegisterTaskDefinitionInput(printed);
  expect(printed.family).toBe("model-catalogue");
  expect(printed.containerDefinitions.map((container) => container.name).sort()).toEqual(["mc", "mc-es"]);
  return printed;
}

/** The answered masked prompt: its message (wrapped anywhere at a space) then one "*" per character. */
function masked(message: string, secret: string): RegExp {
  const pattern = message
    .split(" ")
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("\\s+");
  return new RegExp(`✔ [^\\n]*${pattern}\\s+\\*{${secret.length}}(?!\\*)`);
}

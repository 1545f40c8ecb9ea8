/**
 * Bad input: every case must end with exit 2 and one line naming the bad value (cut short when long;
 * never a secret), at most one suggestion line, no stack trace, and no AWS call. Each case gets its
 * own local HTTP endpoint that records requests: it must see none.
 *
 * What a case checks is what main() returns and prints, so every case runs in this process through
 * main(argv) (harness.ts: runMain), one after the other; a spawn of the built binary for each of them
 * cost more than the rest of test/bin together. A sample of each group (ON_THE_BINARY) also runs
 * through the built binary, as do the cases refused by AWS, for the exit code the shell sees, the
 * separate stdout and stderr of a real process and the bundle.
 */

import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  childEnv,
  makeTempDir,
  type RunOptions,
  type RunResult,
  removeTempDir,
  runCli,
  runMain,
} from "./harness.js";

interface Recorder {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

type Respond = (target: string, response: ServerResponse, body: string) => void;

/** By default every request is refused with a 500: a case that reaches AWS fails on the count anyway. */
const refuse: Respond = (_, response) => {
  response.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify({ __type: "InternalFailure", message: "the test endpoint was called" }));
};

async function startRecorder(respond: Respond = refuse): Promise<Recorder> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const target = String(request.headers["x-amz-target"] ?? `${request.method} ${request.url}`);
    requests.push(target);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => respond(target, response, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const LONG = "a".repeat(100_000);
const SECRET = "CANARY-bad-input-4e1f";
const JDBC = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const VALID_ENVIRONMENT = {
  METADATA_HOST: "catalogue.example.com",
  METADATA_JDBC_URL: JDBC,
  METADATA_USERNAME: "mc",
};
/** What register-task needs to go on to AWS with --yes once its inputs are fine. */
const READY = { METADATA_PASSWORD: SECRET };

interface BadInput {
  args: string[];
  env?: Record<string, string>;
  /** Variables the child must not have at all (the harness sets AWS_REGION). */
  unset?: string[];
  /** Written to a file of its own and passed with --config (a string is written as it is). */
  settings?: unknown;
  /** What the error line must contain: the flag, variable or key, and the value when it is shown. */
  names: (string | RegExp)[];
  /** Must appear nowhere in the output: a secret, or a value too long to echo whole. */
  hidden?: string[];
}

const settings = (value: unknown, args: string[] = ["status"]): Pick<BadInput, "settings" | "args"> => ({
  settings: value,
  args,
});

/** Flags of the commands. */
const FLAG_CASES: Record<string, BadInput> = {
  "help for an unknown command": { args: ["help", "bogus"], names: ['unknown command "bogus"'] },
  "an unknown command": { args: ["bogus"], names: ['unknown command "bogus"'] },
  "a misspelt command": { args: ["regster-task"], names: ['"regster-task"'] },
  "an argument to a command that takes none": { args: ["restart", "now"], names: ['"now"', "restart"] },
  "an unknown command flag": { args: ["status", "--bogus"], names: ['"--bogus"'] },
  "an unknown global flag": { args: ["--bogus", "status"], names: ['"--bogus"'] },
  "a flag without its value": { args: ["register-task", "--family"], names: ["--family"] },
  "--count abc": { args: ["restart", "--count", "abc"], names: ['--count "abc"'] },
  "--count 1.5": { args: ["restart", "--count", "1.5"], names: ['--count "1.5"'] },
  "--count 0": { args: ["restart", "--count", "0"], names: ['--count "0"'] },
  "--count -1": { args: ["restart", "--count=-1"], names: ['--count "-1"'] },
  "--count 1e3": { args: ["restart", "--count", "1e3"], names: ['--count "1e3"'] },
  "--count too large": { args: ["restart", "--count", "100000"], names: ['--count "100000"'] },
  "--timeout 0": { args: ["restart", "--timeout", "0"], names: ['--timeout "0"'] },
  "--timeout 5x": { args: ["restart", "--timeout", "5x"], names: ['--timeout "5x"'] },
  "--timeout empty": { args: ["restart", "--timeout", ""], names: ["--timeout is empty"] },
  "--timeout beyond a day": { args: ["upgrade", "--timeout", "999h"], names: ['--timeout "999h"'] },
  "--timeout of rollback": { args: ["rollback", "--timeout", "1ms"], names: ['--timeout "1ms"'] },
  "--timeout of create-service": {
    args: ["create-service", "--timeout", "soon"],
    names: ['--timeout "soon"'],
  },
  "--timeout of setup": { args: ["setup", "--timeout", "-5m"], names: ['--timeout "-5m"'] },
  "--poll-interval -1": { args: ["restart", "--poll-interval=-1"], names: ['--poll-interval "-1"'] },
  "--poll-interval too short": {
    args: ["restart", "--poll-interval", "1ms"],
    names: ['--poll-interval "1ms"'],
  },
  "--poll-interval of setup": { args: ["setup", "--poll-interval", "1x"], names: ['--poll-interval "1x"'] },
  "--health-url not a URL": {
    args: ["restart", "--health-url", "notaurl"],
    names: ['--health-url "notaurl"'],
  },
  "--health-url ftp": {
    args: ["restart", "--health-url", "ftp://host/"],
    names: ['--health-url "ftp://host/"'],
  },
  "--health-url with a password": {
    args: ["upgrade", "--health-url", `http://admin:${SECRET}@host/`],
    names: ["--health-url", "password"],
    hidden: [SECRET],
  },
  "--to a word": { args: ["rollback", "--to", "previous"], names: ['--to "previous"'] },
  "--to 0": { args: ["rollback", "--to", "0"], names: ['--to "0"'] },
  "--to family:word": { args: ["rollback", "--to", "mc:latest"], names: ['--to "mc:latest"'] },
  "--tag with a space": { args: ["upgrade", "--tag", "2 beta"], names: ['--tag "2 beta"'] },
  "--tag starting with -": { args: ["upgrade", "--tag=-rc1"], names: ['--tag "-rc1"'] },
  "--es-tag with a slash": { args: ["upgrade", "--es-tag", "a/b"], names: ['--es-tag "a/b"'] },
  "--image in capitals": {
    args: ["upgrade", "--image", "Metadata/Registry:2"],
    names: ["--image", "Metadata"],
  },
  "--image empty": { args: ["upgrade", "--image", ""], names: ["--image is empty"] },
  "--ssh-user with a semicolon": {
    args: ["upgrade", "--ssh-user", "root;id"],
    names: ['--ssh-user "root;id"'],
  },
  "--ssh-user empty": { args: ["upgrade", "--ssh-user", ""], names: ["--ssh-user is empty"] },
  "--ssh-key empty": { args: ["upgrade", "--ssh-key", ""], names: ["--ssh-key is empty"] },
  "--family with spaces": {
    args: ["register-task", "--family", "my family"],
    names: ['--family "my family"'],
  },
  "--family too long": {
    args: ["register-task", "--family", "f".repeat(300)],
    names: ["--family", "300 characters"],
    hidden: ["f".repeat(100)],
  },
  "--family empty": { args: ["setup", "--family", ""], names: ["--family is empty"] },
  "--family of create-service": { args: ["create-service", "--family", "a.b"], names: ['--family "a.b"'] },
  "--task-definition 'bad def!'": {
    args: ["create-service", "--task-definition", "bad def!"],
    names: ['--task-definition "bad def!"'],
  },
  "--task-definition revision 0": {
    args: ["create-service", "--task-definition", "mc:0"],
    names: ['--task-definition "mc:0"'],
  },
  "--task-definition of 1000 characters": {
    args: ["create-service", "--task-definition", `${"t".repeat(999)}!`],
    names: ["--task-definition", "…", "(1000 characters)"],
    hidden: ["t".repeat(100)],
  },
  "--to of 1000 characters": {
    args: ["rollback", "--to", "9".repeat(1000)],
    names: ["--to", "…", "(1000 characters)"],
    hidden: ["9".repeat(100)],
  },
  "--task-definition a broken ARN": {
    args: ["create-service", "--task-definition", "arn:aws:ecs:eu-west-1:1:task-definition/mc:1"],
    names: ["--task-definition", "arn:aws:ecs"],
  },
};

/** Global flags and the environment variables behind them. */
const GLOBAL_CASES: Record<string, BadInput> = {
  "--region not-a-region": {
    args: ["--region", "not-a-region", "status"],
    names: ['--region "not-a-region"'],
  },
  "--region 'eu west 1'": { args: ["--region", "eu west 1", "status"], names: ['--region "eu west 1"'] },
  "--region empty": { args: ["--region", "", "restart"], names: ["--region is empty"] },
  "--region in capitals": { args: ["--region", "EU-WEST-1", "status"], names: ['--region "EU-WEST-1"'] },
  "AWS_REGION not-a-region": { args: ["status"], env: { AWS_REGION: "not-a-region" }, names: ["AWS_REGION"] },
  "AWS_REGION 'eu west 1'": { args: ["status"], env: { AWS_REGION: "eu west 1" }, names: ['"eu west 1"'] },
  "AWS_DEFAULT_REGION bad": {
    args: ["status"],
    env: { AWS_REGION: "", AWS_DEFAULT_REGION: "ireland" },
    names: ['AWS_DEFAULT_REGION "ireland"'],
  },
  "--endpoint-url notaurl": {
    args: ["--endpoint-url", "notaurl", "status"],
    names: ['--endpoint-url "notaurl"'],
  },
  "--endpoint-url ftp": {
    args: ["--endpoint-url", "ftp://h", "status"],
    names: ['--endpoint-url "ftp://h"'],
  },
  "--endpoint-url without a host": { args: ["--endpoint-url", "http://", "status"], names: ['"http://"'] },
  "--endpoint-url empty": { args: ["--endpoint-url", "", "status"], names: ["--endpoint-url is empty"] },
  "--endpoint-url with credentials": {
    args: ["--endpoint-url", `http://key:${SECRET}@127.0.0.1:1`, "status"],
    names: ["--endpoint-url", "password"],
    hidden: [SECRET],
  },
  "AWS_ENDPOINT_URL notaurl": {
    args: ["status"],
    env: { AWS_ENDPOINT_URL: "notaurl" },
    names: ["AWS_ENDPOINT_URL"],
  },
  "AWS_ENDPOINT_URL of 2000 characters": {
    args: ["status"],
    env: { AWS_ENDPOINT_URL: `http://${"e".repeat(1991)} x` },
    names: ["AWS_ENDPOINT_URL", "…", "(2000 characters)"],
    hidden: ["e".repeat(100)],
  },
  "AWS_ENDPOINT_URL file": {
    args: ["restart", "--yes"],
    env: { AWS_ENDPOINT_URL: "file:///etc/passwd" },
    names: ['AWS_ENDPOINT_URL "file:///etc/passwd"'],
  },
  "--cluster empty": { args: ["--cluster", "", "status"], names: ["--cluster is empty"] },
  "--cluster with a space": {
    args: ["--cluster", "my cluster", "status"],
    names: ['--cluster "my cluster"'],
  },
  "--cluster too long": {
    args: ["--cluster", "c".repeat(300), "restart", "--yes"],
    names: ["--cluster", "300 characters"],
    hidden: ["c".repeat(100)],
  },
  "MCCTL_CLUSTER empty": { args: ["status"], env: { MCCTL_CLUSTER: "" }, names: ["MCCTL_CLUSTER is empty"] },
  "MCCTL_CLUSTER with a slash": {
    args: ["restart", "--yes"],
    env: { MCCTL_CLUSTER: "a/b" },
    names: ['"a/b"'],
  },
  "--service empty": { args: ["--service", "", "restart", "--yes"], names: ["--service is empty"] },
  "--service with a colon": { args: ["--service", "mc:1", "status"], names: ['--service "mc:1"'] },
  "MCCTL_SERVICE empty": { args: ["status"], env: { MCCTL_SERVICE: "" }, names: ["MCCTL_SERVICE is empty"] },
  "MCCTL_SERVICE 100 KB": {
    args: ["status"],
    env: { MCCTL_SERVICE: LONG },
    names: ["MCCTL_SERVICE", "100000 characters"],
    hidden: [LONG.slice(0, 100)],
  },
  "MCCTL_TASK_FAMILY bad": {
    args: ["register-task", "--dry-run"],
    env: { MCCTL_TASK_FAMILY: "bad!" },
    names: ['MCCTL_TASK_FAMILY "bad!"'],
  },
  "--config in a missing directory": {
    args: ["--config", "./nope/mcctl.json", "status"],
    names: ["./nope/mcctl.json", "does not exist"],
  },
  "--config in a missing directory, for register-task": {
    args: ["--config", "./nope/mcctl.json", "register-task", "--dry-run"],
    names: ["./nope/mcctl.json", "does not exist"],
  },
  "--config naming a missing file": { args: ["--config", "typo.json", "restart"], names: ["typo.json"] },
  "--config empty": { args: ["--config", "", "status"], names: ["--config is empty"] },
};

/** Credentials and network settings that are wrong before anything is sent. */
const CREDENTIAL_CASES: Record<string, BadInput> = {
  "--profile empty": { args: ["--profile", "", "status"], names: ["--profile is empty"] },
  "--profile with a newline": {
    args: ["--profile", "ops\nprod", "status"],
    names: ["--profile", "line feed"],
  },
  "AWS_PROFILE with a carriage return": {
    args: ["status"],
    env: { AWS_PROFILE: "ops\r" },
    names: ["AWS_PROFILE", "carriage return"],
  },
  "AWS_MAX_ATTEMPTS=abc": {
    args: ["status"],
    env: { AWS_MAX_ATTEMPTS: "abc" },
    names: ['AWS_MAX_ATTEMPTS "abc"'],
  },
  "AWS_MAX_ATTEMPTS=0": { args: ["status"], env: { AWS_MAX_ATTEMPTS: "0" }, names: ['AWS_MAX_ATTEMPTS "0"'] },
  "AWS_MAX_ATTEMPTS=2.5": {
    args: ["restart"],
    env: { AWS_MAX_ATTEMPTS: "2.5" },
    names: ['AWS_MAX_ATTEMPTS "2.5"'],
  },
  "logs --container of another name": {
    args: ["logs", "--container", "web"],
    names: ["--container is mc or mc-es"],
  },
  "logs --since neither a duration nor a time": {
    args: ["logs", "--since", "5x"],
    names: ['--since "5x" is neither a duration'],
  },
  "logs --since in the future": {
    args: ["logs", "--since", "2999-01-01T00:00:00Z"],
    names: ["is in the future"],
  },
  "logs --follow with --previous": {
    args: ["logs", "--follow", "--previous"],
    names: ["--follow reads the service's running tasks"],
  },
  "backup --timeout of another shape": {
    args: ["backup", "--wait", "--timeout", "soon"],
    names: ['--timeout "soon"'],
  },
  "destroy --timeout of another shape": {
    args: ["destroy", "--timeout", "soon"],
    names: ['--timeout "soon"'],
  },
  "destroy --force without --delete-bucket": {
    args: ["destroy", "--yes", "--force"],
    names: ["--force only applies with --delete-bucket"],
  },
  "destroy with an argument": {
    args: ["destroy", "everything"],
    names: ['too many arguments for destroy: "everything"'],
  },
  "upgrade --snapshot-timeout of another shape": {
    args: ["upgrade", "--tag", "2", "--snapshot-timeout", "1y"],
    names: ['--snapshot-timeout "1y"'],
  },
  "an unknown secrets command": {
    args: ["secrets", "bogus"],
    names: ['unknown command "bogus"'],
  },
  "secrets set without a name": { args: ["secrets", "set"], names: ['missing required argument "name"'] },
  "secrets set of a variable that is no secret": {
    args: ["secrets", "set", "MC_NAME", "--dry-run"],
    names: ['"MC_NAME" is not a secret mcctl stores'],
  },
  "secrets set with the value as an argument": {
    args: ["secrets", "set", "METADATA_PASSWORD", SECRET],
    names: ["too many arguments for secrets set"],
    hidden: [SECRET],
  },
  "secrets rm of a required secret": {
    args: ["secrets", "rm", "METADATA_PASSWORD", "--dry-run"],
    names: ["METADATA_PASSWORD is required by Model Catalogue"],
  },
  "--kms-key an alias": {
    args: ["register-task", "--kms-key", "alias/mc", "--dry-run"],
    names: ['--kms-key "alias/mc"', "alias cannot be used"],
  },
  "AWS_RETRY_MODE=legacy": {
    args: ["status"],
    env: { AWS_RETRY_MODE: "legacy" },
    names: ['AWS_RETRY_MODE "legacy"'],
  },
};

/** Model Catalogue variables given through the environment, to the commands that read them. */
const VARIABLE_CASES: Record<string, BadInput> = {
  "METADATA_HOST of 100 KB": {
    args: ["register-task", "--dry-run"],
    env: { METADATA_HOST: LONG },
    names: ["METADATA_HOST", "100000 characters"],
    hidden: [LONG.slice(0, 100)],
  },
  "METADATA_HOST with a newline": {
    args: ["register-task", "--dry-run"],
    env: { METADATA_HOST: "catalogue.example.com\nX-Injected: 1" },
    names: ["METADATA_HOST", "line feed"],
    hidden: ["X-Injected"],
  },
  "METADATA_HOST with a scheme": {
    args: ["register-task", "--dry-run"],
    env: { METADATA_HOST: "https://catalogue.example.com" },
    names: ["METADATA_HOST", '"https://catalogue.example.com"'],
  },
  "METADATA_HOST too long a host name, with --yes": {
    args: ["register-task", "--yes"],
    env: { ...READY, METADATA_HOST: `${"h".repeat(300)}.example.com` },
    names: ["METADATA_HOST", "…"],
    hidden: ["h".repeat(100)],
  },
  "MC_NAME with a carriage return": {
    args: ["register-task", "--dry-run"],
    env: { MC_NAME: "Catalogue\rEvil" },
    names: ["MC_NAME", "carriage return"],
  },
  "MC_WELCOME_JUMBO of 100 KB": {
    args: ["setup", "--yes"],
    env: { ...READY, MC_WELCOME_JUMBO: `<h1>${LONG}</h1>` },
    names: ["MC_WELCOME_JUMBO", "characters long"],
    hidden: [LONG.slice(0, 100)],
  },
  "MC_ALLOW_SIGNUP=false": {
    args: ["register-task", "--dry-run"],
    env: { MC_ALLOW_SIGNUP: "false" },
    names: ["MC_ALLOW_SIGNUP", '"false"'],
  },
  "MC_MAIL_PORT=smtp": {
    args: ["register-task", "--dry-run"],
    env: { MC_MAIL_PORT: "smtp" },
    names: ['"smtp"'],
  },
  "MC_SUPERVISOR_EMAIL not an address": {
    args: ["register-task", "--yes"],
    env: { ...READY, MC_SUPERVISOR_EMAIL: "admin" },
    names: ["MC_SUPERVISOR_EMAIL", '"admin"'],
  },
  "METADATA_JDBC_URL not MySQL": {
    args: ["setup", "--dry-run"],
    env: { METADATA_JDBC_URL: "jdbc:postgresql://db/mc" },
    names: ["METADATA_JDBC_URL", "jdbc:mysql://"],
  },
  "CATALINA_OPTS with a bad size": {
    args: ["register-task", "--dry-run"],
    env: { CATALINA_OPTS: "-Xmx2gb" },
    names: ["CATALINA_OPTS", '"2gb"'],
  },
  "METADATA_PASSWORD with a newline": {
    args: ["register-task", "--yes"],
    env: { METADATA_PASSWORD: `${SECRET}\nmore` },
    names: ["METADATA_PASSWORD", "line feed"],
    hidden: [SECRET],
  },
  "MC_S3_SECRET of 100 KB": {
    args: ["register-task", "--yes"],
    env: { ...READY, MC_S3_SECRET: `${SECRET}${LONG}` },
    names: ["MC_S3_SECRET", "characters long"],
    hidden: [SECRET],
  },
};

/** Contents of mcctl.json. */
const SETTINGS_CASES: Record<string, BadInput> = {
  "a NUL character in cluster": { ...settings({ cluster: "prod\u0000x" }), names: ["cluster", "NUL"] },
  "a NUL character in METADATA_HOST": {
    ...settings({ environment: { ...VALID_ENVIRONMENT, METADATA_HOST: "mc.example.com\u0000" } }, [
      "register-task",
      "--yes",
    ]),
    env: READY,
    names: ["environment.METADATA_HOST", "NUL"],
  },
  "a newline in MC_NAME": {
    ...settings({ environment: { MC_NAME: "Model\nCatalogue" } }, ["register-task", "--dry-run"]),
    names: ["environment.MC_NAME", "line feed"],
  },
  "a carriage return in service": {
    ...settings({ service: "mc\r" }, ["restart", "--yes"]),
    names: ["service", "carriage return"],
  },
  "a 100 KB MC_WELCOME_INFO": {
    ...settings({ environment: { MC_WELCOME_INFO: LONG } }, ["register-task", "--dry-run"]),
    names: ["environment.MC_WELCOME_INFO", "100000 characters"],
    hidden: [LONG.slice(0, 100)],
  },
  "a 100 KB METADATA_HOST": {
    ...settings({ environment: { ...VALID_ENVIRONMENT, METADATA_HOST: LONG } }, ["register-task", "--yes"]),
    env: READY,
    names: ["environment.METADATA_HOST", "100000 characters"],
    hidden: [LONG.slice(0, 100)],
  },
  "a 100 KB cluster": {
    ...settings({ cluster: LONG }),
    names: ["cluster", "100000 characters"],
    hidden: [LONG.slice(0, 100)],
  },
  "region 'eu west 1'": { ...settings({ region: "eu west 1" }), names: ['region "eu west 1"'] },
  "cluster empty": { ...settings({ cluster: "" }), names: ["cluster is empty"] },
  "service with a space": { ...settings({ service: "my service" }), names: ['service "my service"'] },
  "taskFamily with a dot": {
    ...settings({ taskFamily: "model.catalogue" }, ["register-task", "--dry-run"]),
    names: ['taskFamily "model.catalogue"'],
  },
  "a secret in the file": {
    ...settings({ environment: { ...VALID_ENVIRONMENT, METADATA_PASSWORD: SECRET } }, [
      "register-task",
      "--yes",
    ]),
    names: ["environment.METADATA_PASSWORD", "secret"],
    hidden: [SECRET],
  },
  "an unknown variable whose name has a newline": {
    ...settings({ environment: { "MC_NAME\nX": "x" } }, ["register-task", "--dry-run"]),
    names: ['"MC_NAME\\nX"', "not a variable"],
  },
  "mc.memory as text": {
    ...settings({ mc: { memory: "lots" } }),
    names: ["mc.memory must be a whole number", '"lots"'],
  },
  "mc.hostPort out of range": { ...settings({ mc: { hostPort: 70000 } }), names: ["mc.hostPort", "70000"] },
  "mc.image in capitals": {
    ...settings({ mc: { image: "Metadata/Registry:2" } }),
    names: ["mc.image", "Metadata"],
  },
  "es.dataPath relative": { ...settings({ es: { dataPath: "data" } }), names: ['es.dataPath "data"'] },
  "es.heapSize with a space": { ...settings({ es: { heapSize: "2 g" } }), names: ['es.heapSize "2 g"'] },
  "features.mail as text": {
    ...settings({ features: { mail: "yes" } }),
    names: ['features.mail must be true or false, got "yes"'],
  },
  "setup.instance.keyPair true": {
    ...settings({ setup: { instance: { keyPair: true } } }),
    names: ["setup.instance.keyPair", "true"],
  },
  "secrets.path without a leading slash": {
    ...settings({ secrets: { path: "mcctl/mc" } }),
    names: ["secrets.path", 'must start with "/"'],
  },
  "secrets.path under /aws": {
    ...settings({ secrets: { path: "/aws/mc" } }),
    names: ["secrets.path", "reserved by AWS"],
  },
  "secrets.kmsKey an alias": {
    ...settings({ secrets: { kmsKey: "alias/mc" } }),
    names: ["secrets.kmsKey", '"alias/mc"'],
  },
  "a secret value under secrets": {
    ...settings({ secrets: { METADATA_PASSWORD: SECRET } }),
    names: ["secrets", "METADATA_PASSWORD"],
    hidden: [SECRET],
  },
  "an unknown key": { ...settings({ clutser: "prod" }), names: ["unknown key clutser"] },
  "an unknown key of 100 KB": {
    ...settings({ [LONG]: 1 }),
    names: ["unknown key", "100000 characters"],
    hidden: [LONG.slice(0, 100)],
  },
  "a list instead of an object": { ...settings([]), names: ["must be an object, got a list"] },
  "not JSON": { ...settings("{ region: eu-west-1 }"), names: ["is not valid JSON"] },
  "JSON with a raw newline in a string": { ...settings('{"cluster": "a\nb"}'), names: ["is not valid JSON"] },
};

/**
 * No region anywhere: every verb says so the same way, as missing input (exit 2), whether it checks before
 * any call (setup) or finds out from the SDK's first call (the others).
 */
const NO_REGION = ["AWS_REGION", "AWS_DEFAULT_REGION"];
const REGION_VERBS: Record<string, { args: string[]; env?: Record<string, string> }> = {
  status: { args: ["status"] },
  logs: { args: ["logs"] },
  restart: { args: ["restart", "--yes"] },
  upgrade: { args: ["upgrade", "--yes"] },
  rollback: { args: ["rollback", "--yes"] },
  backup: { args: ["backup", "--yes"] },
  "backup list": { args: ["backup", "list"], env: { METADATA_JDBC_URL: JDBC } },
  "secrets list": { args: ["secrets", "list"] },
  "secrets rm": { args: ["secrets", "rm", "MC_S3_KEY", "--yes"] },
  "secrets purge-plaintext": { args: ["secrets", "purge-plaintext", "--yes"] },
  "create-service": { args: ["create-service", "--yes"] },
  "register-task": { args: ["register-task", "--yes"], env: { ...VALID_ENVIRONMENT, ...READY } },
  destroy: { args: ["destroy", "--yes"] },
  permissions: { args: ["permissions"] },
  setup: { args: ["setup", "--yes"], env: { METADATA_HOST: "catalogue.example.com", ...READY } },
};
const REGION_CASES: Record<string, BadInput> = Object.fromEntries(
  Object.entries(REGION_VERBS).map(([verb, input]) => [
    `no region: ${verb}`,
    { args: input.args, env: input.env ?? {}, unset: NO_REGION, names: ["missing input: region (--region"] },
  ]),
);
// Set but empty: mcctl ignores it, and so must the SDK's own reading of it.
REGION_CASES["no region: status with AWS_REGION empty"] = {
  args: ["status"],
  env: { AWS_REGION: "" },
  names: ["missing input: region (--region"],
};

const CASES: Record<string, BadInput> = {
  ...REGION_CASES,
  ...FLAG_CASES,
  ...GLOBAL_CASES,
  ...CREDENTIAL_CASES,
  ...VARIABLE_CASES,
  ...SETTINGS_CASES,
};

let dir: string;
let fileCount = 0;

beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir();
});

afterAll(async () => {
  await removeTempDir(dir);
});

/** Cases that also run through the built binary: some of each group, secrets and long values among them. */
const ON_THE_BINARY = [
  "an unknown command",
  "--count abc",
  "--health-url with a password",
  "AWS_ENDPOINT_URL file",
  "MCCTL_SERVICE 100 KB",
  "AWS_MAX_ATTEMPTS=abc",
  "secrets set with the value as an argument",
  "METADATA_PASSWORD with a newline",
  "a secret in the file",
  "not JSON",
];

type Runner = (args: readonly string[], options: RunOptions) => Promise<RunResult>;

async function run(input: BadInput, recorder: Recorder, runner: Runner = runCli): Promise<RunResult> {
  const args = [...input.args];
  if (input.settings !== undefined) {
    const path = join(dir, `settings-${++fileCount}.json`);
    await writeFile(
      path,
      typeof input.settings === "string" ? input.settings : JSON.stringify(input.settings),
    );
    args.unshift("--config", path);
  }
  const env = childEnv(dir, { AWS_ENDPOINT_URL: recorder.url, AWS_MAX_ATTEMPTS: "1", ...input.env });
  for (const name of input.unset ?? []) delete env[name];
  return runner(args, { cwd: dir, env });
}

function nonEmptyLines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

/** One error line (plus at most one suggestion line), as the top-level handler prints it, and no stack. */
function expectOneLineError(result: RunResult, code: number): string {
  expect(result.timedOut, `mcctl hung; stderr so far:\n${result.stderr}`).toBe(false);
  expect(result.code, `exit code; stderr:\n${result.stderr.slice(0, 2000)}`).toBe(code);
  expect(result.stdout).toBe("");
  expect(result.stderr).not.toMatch(/^\s+at /m);
  const lines = nonEmptyLines(result.stderr);
  expect(lines.length, result.stderr.slice(0, 2000)).toBeGreaterThanOrEqual(1);
  expect(lines.length, result.stderr.slice(0, 2000)).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(/^mcctl: \S/);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}\S/);
  // A value is echoed cut short: no line comes near the size of the values these cases give.
  for (const line of lines) expect(line.length, line.slice(0, 500)).toBeLessThanOrEqual(400);
  return lines[0] ?? "";
}

async function expectRefusedBeforeAws(input: BadInput, runner: Runner): Promise<void> {
  const recorder = await startRecorder();
  try {
    const result = await run(input, recorder, runner);
    const line = expectOneLineError(result, 2);
    for (const name of input.names) {
      if (typeof name === "string") expect(line).toContain(name);
      else expect(line).toMatch(name);
    }
    for (const text of input.hidden ?? []) expect(result.stdout + result.stderr).not.toContain(text);
    expect(recorder.requests, "AWS was called").toEqual([]);
  } finally {
    await recorder.close();
  }
}

/** The checks above can fail: the recorder sees the calls of valid input, which ends with exit 1. */
async function expectRecorderSeesValidInput(runner: Runner): Promise<void> {
  const recorder = await startRecorder();
  try {
    const result = await run({ args: ["status"], names: [] }, recorder, runner);
    expect(result.code).toBe(1);
    expect(recorder.requests.length).toBeGreaterThan(0);
  } finally {
    await recorder.close();
  }
}

/** Valid mcctl.json, variables and flags reach AWS: the cases fail for their value, not for the rest. */
async function expectValidSettingsReachAws(runner: Runner): Promise<void> {
  const recorder = await startRecorder();
  try {
    const result = await run(
      {
        ...settings({ region: "eu-west-1", cluster: "prod", environment: VALID_ENVIRONMENT }, [
          "register-task",
          "--yes",
          "--family",
          "model-catalogue",
        ]),
        env: { ...READY, MC_NAME: "Catalogue", MCCTL_SERVICE: "mc", AWS_RETRY_MODE: "standard" },
        names: [],
      },
      recorder,
      runner,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(recorder.requests.length).toBeGreaterThan(0);
  } finally {
    await recorder.close();
  }
}

// In this process, one case at a time: they share process.env and the working directory.
describe(`bad input (${Object.keys(CASES).length} cases, main(argv) in process): exit 2, one line, no AWS call`, () => {
  it.each(Object.entries(CASES))("%s", async (_, input) => {
    await expectRefusedBeforeAws(input, runMain);
  });

  it("the recorder does see the calls of valid input (the check above can fail)", async () => {
    await expectRecorderSeesValidInput(runMain);
  });

  it("valid mcctl.json, variables and flags reach AWS (the cases above fail for their value)", async () => {
    await expectValidSettingsReachAws(runMain);
  });
});

describe.concurrent(`bad input through the built binary (${ON_THE_BINARY.length} of the cases): exit 2, one line, no AWS call`, () => {
  it.concurrent.each(ON_THE_BINARY.map((name) => [name, CASES[name] as BadInput] as const))(
    "%s",
    async (_, input) => {
      await expectRefusedBeforeAws(input, runCli);
    },
  );

  it.concurrent("the recorder does see the calls of valid input (the check above can fail)", async () => {
    await expectRecorderSeesValidInput(runCli);
  });

  it.concurrent("valid mcctl.json, variables and flags reach AWS (the cases above fail for their value)", async () => {
    await expectValidSettingsReachAws(runCli);
  });

  it("every case named for the binary exists", () => {
    for (const name of ON_THE_BINARY) expect(CASES, name).toHaveProperty([name]);
  });
});

const ECS = "AmazonEC2ContainerServiceV20141113";
const ACCOUNT = "123456789012";

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify(body));
}

/**
 * An ECS with cluster "default" (one instance) where model-catalogue:3 is the only revision; with
 * `service`, service "mc" runs it. Every other call is refused as ECS refuses an unknown revision.
 */
function ecsWith(options: { service: boolean }): Respond {
  return (target, response, body) => {
    // Every plan starts with the account (STS GetCallerIdentity, the query protocol: XML).
    if (target.startsWith("POST ")) {
      response.writeHead(200, { "content-type": "text/xml" });
      response.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:iam::${ACCOUNT}:user/test</Arn><UserId>AIDATEST</UserId><Account>${ACCOUNT}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
      return;
    }
    if (target === `${ECS}.DescribeClusters`) {
      return answer(response, 200, {
        clusters: [
          {
            clusterName: "default",
            clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/default`,
            status: "ACTIVE",
            registeredContainerInstancesCount: 1,
          },
        ],
        failures: [],
      });
    }
    if (target === `${ECS}.DescribeServices`) {
      const arn = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/default/mc`;
      return answer(
        response,
        200,
        options.service
          ? {
              services: [
                {
                  serviceName: "mc",
                  serviceArn: arn,
                  status: "ACTIVE",
                  desiredCount: 1,
                  runningCount: 1,
                  taskDefinition: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/model-catalogue:3`,
                },
              ],
              failures: [],
            }
          : { services: [], failures: [{ arn, reason: "MISSING" }] },
      );
    }
    const asked =
      target === `${ECS}.DescribeTaskDefinition` ? (JSON.parse(body) as { taskDefinition?: string }) : {};
    if (asked.taskDefinition?.endsWith("task-definition/model-catalogue:3")) {
      return answer(response, 200, {
        taskDefinition: {
          family: "model-catalogue",
          revision: 3,
          status: "ACTIVE",
          taskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/model-catalogue:3`,
          containerDefinitions: [{ name: "mc", image: "metadata/registry:2" }],
        },
        tags: [],
      });
    }
    return answer(response, 400, {
      __type: "ClientException",
      message: "Unable to describe task definition.",
    });
  };
}

const html: Respond = (_, response) => {
  response.writeHead(502, { "content-type": "text/html" });
  response.end("<html><body><h1>502 Bad Gateway</h1><input type=hidden name=error></body></html>");
};

interface AwsRefusal {
  args: string[];
  env?: Record<string, string>;
  respond?: Respond;
  names: (string | RegExp)[];
}

/** Detected only when AWS (or the SDK) answers: exit 1 with one clear line. */
const AWS_CASES: Record<string, AwsRefusal> = {
  "--profile nope": {
    args: ["--profile", "nope", "status"],
    env: { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
    names: [/profile/i, "nope"],
  },
  "AWS_PROFILE=nope": {
    args: ["status"],
    env: { AWS_PROFILE: "nope", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
    names: [/profile/i, "nope"],
  },
  "an endpoint answering HTML": { args: ["status"], respond: html, names: [/HTML|502/] },
  "--task-definition nope:9": {
    args: ["create-service", "--yes", "--task-definition", "nope:9"],
    respond: ecsWith({ service: false }),
    names: ["nope:9"],
  },
  "rollback --to 99": {
    args: ["rollback", "--yes", "--to", "99"],
    respond: ecsWith({ service: true }),
    names: ["model-catalogue:99"],
  },
};

describe.concurrent("refused by AWS: exit 1 and one line", () => {
  it.each(Object.entries(AWS_CASES))("%s", async (_, input) => {
    const recorder = await startRecorder(input.respond);
    try {
      const result = await runCli(input.args, {
        cwd: dir,
        env: childEnv(dir, { AWS_ENDPOINT_URL: recorder.url, AWS_MAX_ATTEMPTS: "1", ...input.env }),
      });
      const line = expectOneLineError(result, 1);
      for (const name of input.names) {
        if (typeof name === "string") expect(line).toContain(name);
        else expect(line).toMatch(name);
      }
      expect(result.stderr).not.toMatch(/\$response|\$metadata|hidden field/);
    } finally {
      await recorder.close();
    }
  });
});

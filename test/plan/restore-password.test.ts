import { describe, expect, it } from "vitest";
import type { SsmApi } from "../../src/aws/ssm.js";
import { MissingInputError } from "../../src/errors.js";
import { describePassword, planPassword } from "../../src/plan/restore-password.js";

/** SSM holding these parameters; every other call fails the test. */
function ssmWith(parameters: Record<string, string>): SsmApi & { read: string[] } {
  const read: string[] = [];
  const refuse = () => {
    throw new Error("unexpected SSM call");
  };
  return {
    read,
    readSecureString: async (name: string) => {
      read.push(name);
      return parameters[name];
    },
    describePath: refuse,
    putSecureString: refuse,
    deleteParameter: refuse,
    parameterTags: refuse,
    publicParameter: refuse,
  };
}

const SNAPSHOT = { DBSnapshotIdentifier: "mcctl-mc-final-20261201t030405z", MasterUsername: "mcadmin" };
const PARAMETER = "/mcctl/model-catalogue/METADATA_PASSWORD";
const revision = (values: Record<string, string>) => (name: string) => values[name];

describe("planPassword", () => {
  it("gives the master user the password SSM holds, and writes nothing", async () => {
    const ssm = ssmWith({ [PARAMETER]: "In-Ssm-1" });
    const plan = await planPassword(
      ssm,
      {},
      {},
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({ METADATA_USERNAME: "mcadmin" }),
    );
    expect(plan).toMatchObject({
      source: "ssm",
      value: "In-Ssm-1",
      store: false,
      exists: true,
      parameter: PARAMETER,
    });
    expect(describePassword(plan, "db2")).toBe(
      `give db2's master user mcadmin the deployment's password (SSM ${PARAMETER})`,
    );
  });

  it("reads the parameter the revision references, by its ARN, and under mcctl.json's path otherwise", async () => {
    const arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/custom/path/METADATA_PASSWORD";
    const ssm = ssmWith({ "/custom/path/METADATA_PASSWORD": "Custom-1" });
    const plan = await planPassword(
      ssm,
      {},
      {},
      "mc",
      SNAPSHOT,
      { secrets: [{ name: "METADATA_PASSWORD", valueFrom: arn }] },
      revision({}),
    );
    expect(plan.parameter).toBe("/custom/path/METADATA_PASSWORD");
    const other = ssmWith({});
    await planPassword(other, { secrets: { path: "/ops/mc" } }, {}, "mc", SNAPSHOT, undefined, revision({}));
    expect(other.read).toEqual(["/ops/mc/METADATA_PASSWORD"]);
  });

  it("takes the environment's password first, and stores it when SSM holds another", async () => {
    const plan = await planPassword(
      ssmWith({ [PARAMETER]: "Old-1" }),
      {},
      { METADATA_PASSWORD: "Given-2" },
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({}),
    );
    expect(plan).toMatchObject({ source: "environment", value: "Given-2", store: true, exists: true });
    const same = await planPassword(
      ssmWith({ [PARAMETER]: "Given-2" }),
      {},
      { METADATA_PASSWORD: "Given-2" },
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({}),
    );
    expect(same.store).toBe(false);
  });

  it("uses a plain-text password of the revision in service (made by hand) before making a new one", async () => {
    const plan = await planPassword(
      ssmWith({}),
      {},
      {},
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({ METADATA_PASSWORD: "Plain-1" }),
    );
    expect(plan).toMatchObject({ source: "revision", value: "Plain-1", store: false, exists: false });
  });

  it("makes a new password, stored in SSM, when mcctl holds none (after destroy)", async () => {
    const plan = await planPassword(
      ssmWith({}),
      {},
      {},
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({}),
    );
    expect(plan).toMatchObject({ source: "new", store: true, exists: false });
    expect(plan.value.length).toBeGreaterThanOrEqual(16);
    expect(describePassword(plan, "db2")).toContain("a new password (SSM holds none)");
    expect(describePassword(plan, "db2")).not.toContain(plan.value);
  });

  it("leaves the snapshot's users alone when the application's user is not the master user", async () => {
    const plan = await planPassword(
      ssmWith({ [PARAMETER]: "App-1" }),
      { environment: { METADATA_USERNAME: "app" } },
      {},
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({}),
    );
    expect(plan).toMatchObject({ source: "application-user", value: "App-1", store: false });
    expect(describePassword(plan, "db2")).toMatch(/^keep the snapshot's users/);
  });

  it("lists METADATA_PASSWORD as missing when that user's password is known nowhere", async () => {
    const error = await planPassword(
      ssmWith({}),
      { environment: { METADATA_USERNAME: "app" } },
      {},
      "model-catalogue",
      SNAPSHOT,
      undefined,
      revision({}),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD"]);
    expect((error as MissingInputError).suggestion).toContain(
      "app (METADATA_USERNAME) is not the master user mcadmin",
    );
  });
});

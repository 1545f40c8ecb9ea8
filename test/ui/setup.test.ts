import { describe, expect, it } from "vitest";
import type { SetupPlan } from "../../src/plan/setup/plan.js";
import { setupSummary } from "../../src/ui/setup.js";

const target = { account: "123456789012", region: "eu-west-1" } as Parameters<typeof setupSummary>[2];

/** The two parts of a plan the summary reads. */
function plan(environment: Record<string, string>): SetupPlan {
  return { registration: { inputs: { environment } }, service: { name: "mc" } } as unknown as SetupPlan;
}

describe("setupSummary", () => {
  it("puts each created resource on a line of its own", () => {
    const text = setupSummary(
      {
        complete: true,
        created: [
          "IAM role mcctl-model-catalogue-execution",
          "SSM parameters METADATA_PASSWORD, MC_S3_KEY under /mcctl/model-catalogue",
          "S3 bucket mc-assets",
        ],
        taskDefinition: "model-catalogue:1",
      },
      plan({ METADATA_HOST: "mc.example.org", MC_SUPERVISOR_PASSWORD: "x" }),
      target,
      "mcctl.json",
    );
    expect(text.split("\n")).toEqual([
      "Model Catalogue is set up in account 123456789012, eu-west-1.",
      "  created:",
      "    + IAM role mcctl-model-catalogue-execution",
      "    + SSM parameters METADATA_PASSWORD, MC_S3_KEY under /mcctl/model-catalogue",
      "    + S3 bucket mc-assets",
      "  task definition model-catalogue:1, service mc",
      "  users will reach it at http://mc.example.org/ (METADATA_HOST)",
      "Next steps:",
      "  - point DNS for mc.example.org at the instance",
      '  - on first start, run the "Reindex Catalogue" admin action',
      "mcctl.json describes this deployment (never secrets).",
    ]);
  });

  it("says so in one line when nothing was created", () => {
    const text = setupSummary(
      { complete: false, pendingReason: "--no-wait", created: [] },
      plan({}),
      target,
      "mcctl.json",
    );
    expect(text.split("\n")).toEqual([
      "Setup is not finished: --no-wait",
      "  created: nothing (everything existed)",
      "mcctl.json describes this deployment (never secrets).",
    ]);
  });
});

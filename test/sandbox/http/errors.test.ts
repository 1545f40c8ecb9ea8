// Errors through the sandbox's HTTP server, one protocol at a time: a modeled error reaches the SDK client as
// the same exception class, name, message and status as the simulator threw; an unmodeled one as the
// service's base exception named after its code; the query protocols' Code and Type come along.

import { CreateLogGroupCommand, ResourceAlreadyExistsException } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInstancesCommand, EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  ClusterNotFoundException,
  ConflictException,
  DescribeClustersCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { GetRoleCommand, NoSuchEntityException } from "@aws-sdk/client-iam";
import {
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  RDSServiceException,
} from "@aws-sdk/client-rds";
import { GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import type { SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";
import { type ServedService, type Step, useServedPair } from "./round-trip.js";

const pair = useServedPair();

/** What a call rejects with. */
async function rejection(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

/**
 * Makes the same failing call through the server and to the twin, expects the same exception from both, and
 * returns the one the SDK client threw.
 */
async function expectSameError(
  service: ServedService,
  operation: string,
  command: { input: object },
  arrange: readonly Step[] = [],
): Promise<Error & Record<string, unknown>> {
  pair.arrange(arrange);
  const served = await rejection(pair.client(service).send(command));
  const direct = await rejection(pair.twin.send(service, operation, structuredClone(command.input)));
  expect(served.constructor).toBe(direct.constructor);
  expect(served).toMatchObject({
    name: direct.name,
    message: direct.message,
    $fault: direct.$fault,
    $metadata: { httpStatusCode: (direct.$metadata as { httpStatusCode: number }).httpStatusCode },
  });
  return served;
}

describe("errors over AWS JSON 1.1", () => {
  it("keeps ECS's modeled ClusterNotFoundException", async () => {
    const error = await expectSameError(
      "ECS",
      "UpdateService",
      new UpdateServiceCommand({ cluster: "nope", service: "mc", desiredCount: 1 }),
    );
    expect(error).toBeInstanceOf(ClusterNotFoundException);
    expect(error.message).toBe("Cluster not found.");
  });

  it("keeps SSM's ParameterNotFound and CloudWatch Logs' ResourceAlreadyExistsException", async () => {
    const missing = await expectSameError(
      "SSM",
      "GetParameter",
      new GetParameterCommand({ Name: "/mc/nope" }),
    );
    expect(missing).toBeInstanceOf(ParameterNotFound);
    const exists = await expectSameError(
      "CloudWatchLogs",
      "CreateLogGroup",
      new CreateLogGroupCommand({ logGroupName: "/mc" }),
      [(sim: SimulatedAws) => sim.logs.addGroup("/mc")],
    );
    expect(exists).toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it("carries an exception's modeled members (ECS ConflictException's resourceIds)", async () => {
    const conflict = (sim: SimulatedAws) =>
      sim.faults.inject({
        service: "ECS",
        command: "DescribeClusters",
        error: new ConflictException({
          message: "The request conflicts with another one.",
          resourceIds: ["arn:aws:ecs:eu-west-1:123456789012:cluster/mc"],
          $metadata: { httpStatusCode: 400 },
        }),
      });
    const error = await expectSameError(
      "ECS",
      "DescribeClusters",
      new DescribeClustersCommand({ clusters: ["mc"] }),
      [conflict],
    );
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.resourceIds).toEqual(["arn:aws:ecs:eu-west-1:123456789012:cluster/mc"]);
  });
});

describe("errors over awsQuery", () => {
  it("keeps RDS's DBInstanceNotFoundFault, its wire code DBInstanceNotFound and its 404", async () => {
    const error = await expectSameError(
      "RDS",
      "DescribeDBInstances",
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: "nope" }),
    );
    expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(error).toMatchObject({
      Code: "DBInstanceNotFound",
      Type: "Sender",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("names an unmodeled RDS error after its code, on the base exception", async () => {
    const error = await expectSameError(
      "RDS",
      "DeleteDBInstance",
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: "mc-db", SkipFinalSnapshot: false }),
      [
        (sim: SimulatedAws) => seedEmptyAccount(sim),
        (sim: SimulatedAws) => sim.rds.addInstance({ DBInstanceIdentifier: "mc-db" }),
      ],
    );
    expect(error).toBeInstanceOf(RDSServiceException);
    expect(error).toMatchObject({ name: "InvalidParameterCombination", Code: "InvalidParameterCombination" });
  });

  it("keeps IAM's NoSuchEntityException (wire code NoSuchEntity)", async () => {
    const error = await expectSameError("IAM", "GetRole", new GetRoleCommand({ RoleName: "nope" }));
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error).toMatchObject({ Code: "NoSuchEntity", $metadata: { httpStatusCode: 404 } });
  });
});

describe("errors over ec2Query", () => {
  it("names EC2's errors after their codes, with their messages", async () => {
    const error = await expectSameError(
      "EC2",
      "DescribeInstances",
      new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] }),
    );
    expect(error).toBeInstanceOf(EC2ServiceException);
    expect(error.name).toBe("InvalidInstanceID.NotFound");
    expect(error.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
  });
});

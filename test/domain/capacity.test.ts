import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  checkInstanceFit,
  describeInstanceTypeSize,
  estimatedRegistration,
  instanceTypeShortfall,
  minimumNominalMemoryMiB,
  registeredShortfall,
  requirementOf,
  smallestFittingTypes,
} from "../../src/domain/capacity.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../src/domain/task-definition.js";
import { ec2InstanceTypes } from "../../src/sandbox/sim/ec2-model.js";

const TASK = taskRequirements(DEFAULT_TASK_SETTINGS);

describe("checkInstanceFit", () => {
  const need = { cpu: 3072, memoryMiB: 14336, hostPorts: [80] };
  const instance = (fields: Partial<ContainerInstance> = {}): ContainerInstance => ({
    status: "ACTIVE",
    agentConnected: true,
    remainingResources: [
      { name: "CPU", integerValue: 3072 },
      { name: "MEMORY", integerValue: 14336 },
      { name: "PORTS", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
    ],
    ...fields,
  });

  it("an instance with exactly what the task needs fits", () => {
    expect(checkInstanceFit(instance(), need)).toMatchObject({ fits: true, problems: [], busyPorts: [] });
  });

  it("names every shortfall: CPU, memory and a host port taken", () => {
    const fit = checkInstanceFit(
      instance({
        remainingResources: [
          { name: "CPU", integerValue: 3071 },
          { name: "MEMORY", integerValue: 14335 },
          { name: "PORTS", stringSetValue: ["22", "80"] },
        ],
      }),
      need,
    );
    expect(fit.fits).toBe(false);
    expect(fit.problems).toEqual([
      "3071 of 3072 CPU units free",
      "14335 of 14336 MiB memory free",
      "port 80 in use",
    ]);
    expect(fit.busyPorts).toEqual([80]);
  });

  it("an instance that is draining or whose agent is disconnected does not fit", () => {
    expect(checkInstanceFit(instance({ status: "DRAINING" }), need).problems).toEqual(["status DRAINING"]);
    expect(checkInstanceFit(instance({ agentConnected: false }), need).problems).toEqual([
      "ECS agent disconnected",
    ]);
  });

  it("counts resources ECS did not report as none free", () => {
    expect(checkInstanceFit(instance({ remainingResources: undefined }), need).problems).toEqual([
      "0 of 3072 CPU units free",
      "0 of 14336 MiB memory free",
    ]);
    expect(checkInstanceFit(instance({ remainingResources: [] }), need)).toMatchObject({
      fits: false,
      freeCpu: 0,
      freeMemoryMiB: 0,
      busyPorts: [],
    });
  });
});

describe("requirementOf", () => {
  it("adds up the containers' CPU, memory (hard limit, else reservation) and host ports", () => {
    expect(
      requirementOf({
        containerDefinitions: [
          { name: "mc", cpu: 2048, memory: 10240, portMappings: [{ hostPort: 80, containerPort: 8080 }] },
          { name: "mc-es", cpu: 1024, memoryReservation: 4096, portMappings: [{ containerPort: 9200 }] },
          { name: "sidecar" },
        ],
      }),
    ).toEqual({ cpu: 3072, memoryMiB: 14336, hostPorts: [80] });
  });

  it("takes the task-level CPU and memory when the revision sets them", () => {
    expect(
      requirementOf({
        cpu: "4096",
        memory: "15000",
        containerDefinitions: [{ name: "mc", cpu: 2048, memory: 10240 }],
      }),
    ).toEqual({ cpu: 4096, memoryMiB: 15000, hostPorts: [] });
  });

  it("needs nothing for a revision without containers", () => {
    expect(requirementOf({})).toEqual({ cpu: 0, memoryMiB: 0, hostPorts: [] });
  });
});

describe("requirementOf and memoryReservation", () => {
  it("counts a container's reservation, not its hard limit, when it has both (what ECS subtracts)", () => {
    expect(
      requirementOf({
        containerDefinitions: [{ name: "mc", cpu: 2048, memory: 10240, memoryReservation: 8192 }],
      }),
    ).toEqual({ cpu: 2048, memoryMiB: 8192, hostPorts: [] });
  });
});

describe("registeredShortfall", () => {
  const registered = (cpu: number, memory: number, ports = ["22", "2375", "2376", "51678", "51679"]) =>
    ({
      registeredResources: [
        { name: "CPU", integerValue: cpu },
        { name: "MEMORY", integerValue: memory },
        { name: "PORTS", stringSetValue: ports },
      ],
      // Remaining resources do not count: what runs there now stops first.
      remainingResources: [
        { name: "CPU", integerValue: 0 },
        { name: "MEMORY", integerValue: 0 },
      ],
    }) satisfies ContainerInstance;

  it("an instance that registered enough holds the task however busy it is now", () => {
    expect(registeredShortfall(registered(4096, 15576), TASK)).toEqual([]);
    expect(registeredShortfall(registered(3072, 14336), TASK)).toEqual([]);
  });

  it("names registered CPU and memory short of a task's, and a host port the instance reserves", () => {
    expect(registeredShortfall(registered(2048, 1911, ["22", "80"]), TASK)).toEqual([
      "2048 of 3072 CPU units registered",
      "1911 of 14336 MiB memory registered",
      "port 80 reserved by the instance",
    ]);
  });

  it("counts resources ECS did not report as none", () => {
    expect(registeredShortfall({}, TASK)).toEqual([
      "0 of 3072 CPU units registered",
      "0 of 14336 MiB memory registered",
    ]);
  });
});

describe("instance types: what the ECS agent would register", () => {
  it("1024 CPU units a vCPU; the memory less 5 % and 200 MiB for the OS and kernel", () => {
    expect(estimatedRegistration({ vCpus: 2, memoryMiB: 2048 })).toEqual({ cpu: 2048, memoryMiB: 1745 });
    expect(estimatedRegistration({ vCpus: 4, memoryMiB: 16384 })).toEqual({ cpu: 4096, memoryMiB: 15364 });
    expect(estimatedRegistration({ vCpus: 1, memoryMiB: 100 })).toEqual({ cpu: 1024, memoryMiB: 0 });
  });

  it("never more than the simulated agent registers for any type it knows (so a type mcctl accepts is placed)", () => {
    for (const [name, info] of Object.entries(ec2InstanceTypes)) {
      const estimate = estimatedRegistration(info);
      expect(estimate.cpu, name).toBe(info.ecsCpu);
      expect(estimate.memoryMiB, name).toBeLessThanOrEqual(info.ecsMemoryMiB);
    }
  });

  it("below the ECS Developer Guide's own example: an m4.large (8 GiB) registers 7985 MiB", () => {
    expect(estimatedRegistration({ vCpus: 2, memoryMiB: 8192 }).memoryMiB).toBeLessThan(7985);
  });

  it("t3.small lacks CPU and memory; r5.large only CPU; m5.xlarge and the guide's m3.xlarge hold the task", () => {
    expect(instanceTypeShortfall({ instanceType: "t3.small", vCpus: 2, memoryMiB: 2048 }, TASK)).toEqual([
      "2048 of 3072 CPU units (2 vCPUs)",
      "about 1745 of 14336 MiB memory (2048 MiB nominal, less what the OS and kernel keep)",
    ]);
    expect(instanceTypeShortfall({ instanceType: "r5.large", vCpus: 2, memoryMiB: 16384 }, TASK)).toEqual([
      "2048 of 3072 CPU units (2 vCPUs)",
    ]);
    expect(instanceTypeShortfall({ instanceType: "m5.xlarge", vCpus: 4, memoryMiB: 16384 }, TASK)).toEqual(
      [],
    );
    expect(instanceTypeShortfall({ instanceType: "m3.xlarge", vCpus: 4, memoryMiB: 15360 }, TASK)).toEqual(
      [],
    );
    expect(instanceTypeShortfall({ instanceType: "c5.xlarge", vCpus: 4, memoryMiB: 8192 }, TASK)[0]).toMatch(
      /^about 7582 of 14336 MiB/,
    );
  });

  it("the least nominal memory whose estimate holds the task", () => {
    const least = minimumNominalMemoryMiB(TASK);
    expect(instanceTypeShortfall({ instanceType: "x.a", vCpus: 4, memoryMiB: least }, TASK)).toEqual([]);
    expect(instanceTypeShortfall({ instanceType: "x.b", vCpus: 4, memoryMiB: least - 1 }, TASK)).toHaveLength(
      1,
    );
  });

  it("ranks the types that fit smallest first: vCPUs, memory, the plainest family, the name", () => {
    const types = [
      { instanceType: "m5.2xlarge", vCpus: 8, memoryMiB: 32768 },
      { instanceType: "r5.xlarge", vCpus: 4, memoryMiB: 32768 },
      { instanceType: "m5d.xlarge", vCpus: 4, memoryMiB: 16384 },
      { instanceType: "t3.small", vCpus: 2, memoryMiB: 2048 },
      { instanceType: "m6i.xlarge", vCpus: 4, memoryMiB: 16384 },
      { instanceType: "m5.xlarge", vCpus: 4, memoryMiB: 16384 },
      { instanceType: "c5.xlarge", vCpus: 4, memoryMiB: 8192 },
    ];
    expect(smallestFittingTypes(types, TASK).map((size) => size.instanceType)).toEqual([
      "m5.xlarge",
      "m5d.xlarge",
      "m6i.xlarge",
      "r5.xlarge",
      "m5.2xlarge",
    ]);
  });

  it("describes a size the way the plan names it", () => {
    expect(describeInstanceTypeSize({ instanceType: "m5.xlarge", vCpus: 4, memoryMiB: 16384 })).toBe(
      "m5.xlarge (4 vCPUs, 16 GiB)",
    );
    expect(describeInstanceTypeSize({ instanceType: "m3.medium", vCpus: 1, memoryMiB: 3840 })).toBe(
      "m3.medium (1 vCPU, 3.8 GiB)",
    );
  });
});

import { describe, expect, it } from "vitest";
import { buildPullCommands, formatCommand } from "../../src/domain/pull-commands.js";
import { McctlError, UsageError } from "../../src/errors.js";

const IMAGES = ["metadata/registry:2", "metadata/registry-elasticsearch:2"];

describe("buildPullCommands", () => {
  const hosts = [{ host: "ec2-one.example.com" }, { host: "10.0.3.4" }, { host: "ec2-one.example.com" }];

  it("builds one non-interactive ssh per host and image", () => {
    const commands = buildPullCommands(hosts, [...IMAGES, IMAGES[0] ?? ""], {
      key: "~/.ssh/mc.pem",
      user: "ec2-user",
    });
    expect(commands.map((command) => [command.host, command.image])).toEqual([
      ["ec2-one.example.com", IMAGES[0]],
      ["ec2-one.example.com", IMAGES[1]],
      ["10.0.3.4", IMAGES[0]],
      ["10.0.3.4", IMAGES[1]],
    ]);
    expect(commands[0]?.argv).toEqual([
      "ssh",
      "-i",
      "~/.ssh/mc.pem",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      "ConnectTimeout=15",
      "ec2-user@ec2-one.example.com",
      "docker",
      "pull",
      "metadata/registry:2",
    ]);
  });

  it("leaves -i out without a key (ssh-agent and default keys)", () => {
    const [command] = buildPullCommands([{ host: "10.0.3.4" }], ["metadata/registry@sha256:abc123"], {
      user: "admin",
    });
    expect(command?.argv).toEqual([
      "ssh",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      "ConnectTimeout=15",
      "admin@10.0.3.4",
      "docker",
      "pull",
      "metadata/registry@sha256:abc123",
    ]);
  });

  it("refuses what the remote shell or ssh would interpret", () => {
    const build =
      (host: string, image: string, user = "ec2-user") =>
      () =>
        buildPullCommands([{ host }], [image], { user });
    expect(build("h.example.com", "metadata/registry:2; reboot")).toThrow(/is not a plain image reference/);
    expect(build("h.example.com", "$(id)")).toThrow(McctlError);
    try {
      build("h.example.com", "$(id)")();
    } catch (error) {
      expect((error as McctlError).suggestion).toMatch(/only name:tag or name@digest/);
    }
    expect(build("-oProxyCommand=id", "metadata/registry:2")).toThrow(/not a host name/);
    expect(build("h.example.com", "metadata/registry:2", "-oProxyCommand=id")).toThrow(/--ssh-user/);
  });

  it("formats a command for display with shell quoting", () => {
    expect(
      formatCommand(["ssh", "-i", "/home/me/my keys/it's.pem", "ec2-user@h", "docker", "pull", "a/b:2"]),
    ).toBe("ssh -i '/home/me/my keys/it'\\''s.pem' ec2-user@h docker pull a/b:2");
    expect(formatCommand(["ssh", "-o", "BatchMode=yes", ""])).toBe("ssh -o BatchMode=yes ''");
  });
});

describe("buildPullCommands refuses", () => {
  it("an empty key file name, as a usage error", () => {
    expect(() => buildPullCommands([{ host: "h" }], ["a/b:1"], { user: "u", key: "  " })).toThrow(
      new UsageError("--ssh-key is empty"),
    );
  });

  it("builds nothing for no host", () => {
    expect(buildPullCommands([], ["a/b:1"], { user: "u" })).toEqual([]);
  });
});

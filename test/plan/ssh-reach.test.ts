import { describe, expect, it } from "vitest";
import { allowsSshInbound } from "../../src/plan/ssh-reach.js";

const anywhere = { IpRanges: [{ CidrIp: "0.0.0.0/0" }] };

describe("allowsSshInbound", () => {
  it("sees port 22 in a TCP rule, a port range and an all-traffic rule", () => {
    expect(
      allowsSshInbound({ IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, ...anywhere }] }),
    ).toBe(true);
    expect(
      allowsSshInbound({ IpPermissions: [{ IpProtocol: "tcp", FromPort: 0, ToPort: 1024, ...anywhere }] }),
    ).toBe(true);
    expect(
      allowsSshInbound({ IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-1" }] }] }),
    ).toBe(true);
  });

  it("does not see it in other ports, UDP, or a rule without a source", () => {
    expect(
      allowsSshInbound({ IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, ...anywhere }] }),
    ).toBe(false);
    expect(
      allowsSshInbound({ IpPermissions: [{ IpProtocol: "udp", FromPort: 22, ToPort: 22, ...anywhere }] }),
    ).toBe(false);
    expect(allowsSshInbound({ IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22 }] })).toBe(
      false,
    );
    expect(allowsSshInbound({})).toBe(false);
  });
});

// Preloaded with `node --import` by test/sandbox/loopback.test.ts: notes every outgoing connection and DNS
// lookup of the process in MCCTL_CONNECT_LOG, one JSON line each, before it happens.

import dns from "node:dns";
import { appendFileSync } from "node:fs";
import net from "node:net";

const log = process.env.MCCTL_CONNECT_LOG;
const note = (entry) => appendFileSync(log, `${JSON.stringify(entry)}\n`);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect hands over its normalized arguments as an array; a direct call gives options or port, host.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === "object" && first !== null) {
    note({ connect: first.path ?? `${first.host ?? "localhost"}:${first.port}` });
  } else {
    note({ connect: `${typeof args[1] === "string" ? args[1] : "localhost"}:${first}` });
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  note({ lookup: hostname });
  return lookup.call(this, hostname, ...rest);
};

/**
 * Preloaded into an emulator's Node process (`node -r`): every server it opens listens on 127.0.0.1,
 * whatever host it asks for. kinesis-local (kinesis-mock's npm build) binds 0.0.0.0 and has no
 * setting for it.
 */
import * as net from "net";

export const LOOPBACK = "127.0.0.1";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: any[]) {
  if (typeof args[0] === "object" && args[0] !== null) {
    args[0] = { ...args[0], host: LOOPBACK };
  } else if (typeof args[0] === "number" || typeof args[0] === "string") {
    const [port, ...rest] = args;
    // listen(port[, host][, backlog][, callback]): drop a given host, then put ours in its place.
    const tail = typeof rest[0] === "string" ? rest.slice(1) : rest;
    args = [port, LOOPBACK, ...tail];
  }
  return listen.apply(this, args as any);
} as typeof net.Server.prototype.listen;

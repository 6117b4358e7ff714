#!/usr/bin/env node
// A packet-4 JSON worker in Node.js. --forget reads requests and never answers; --banner
// logs a line to stdout (console.log) before its first frame; --stderr-banner logs it to stderr.
"use strict";
const args = process.argv.slice(2);
if (args.includes("--banner")) console.log("node worker starting");
if (args.includes("--stderr-banner")) console.error("Warning: model cache not found");
let buf = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 4) {
    const len = buf.readUInt32BE(0);
    if (buf.length < 4 + len) break;
    const request = JSON.parse(buf.subarray(4, 4 + len).toString("utf8"));
    buf = buf.subarray(4 + len);
    if (args.includes("--forget")) continue;
    const body = Buffer.from(
      JSON.stringify({ id: request.id, success: true, result: { status: "ok", worker: "node" } })
    );
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    process.stdout.write(Buffer.concat([header, body]));
  }
});
process.stdin.on("end", () => process.exit(0));

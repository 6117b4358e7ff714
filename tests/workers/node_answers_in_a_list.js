#!/usr/bin/env node
// A Node.js worker that answers each request inside a JSON array of one object
// (JSON.stringify([answer]), as a handler returning a list of results writes): in line
// framing by default, in {packet, 4} with --packet-4.
"use strict";
const packet4 = process.argv.includes("--packet-4");
const answer = (request) =>
  Buffer.from(JSON.stringify([{ id: request.id, success: true, result: { status: "ok" } }]));
let buf = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    if (packet4) {
      if (buf.length < 4 || buf.length < 4 + buf.readUInt32BE(0)) return;
      const body = answer(JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString()));
      buf = buf.subarray(4 + buf.readUInt32BE(0));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length, 0);
      process.stdout.write(Buffer.concat([header, body]));
    } else {
      const end = buf.indexOf(10);
      if (end < 0) return;
      const body = answer(JSON.parse(buf.subarray(0, end).toString()));
      buf = buf.subarray(end + 1);
      process.stdout.write(Buffer.concat([body, Buffer.from("\n")]));
    }
  }
});

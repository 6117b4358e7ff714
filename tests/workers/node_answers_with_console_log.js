#!/usr/bin/env node
// A Node.js worker that reads {packet, 4} requests, as its pool sends them, and answers with
// console.log: a newline-delimited JSON line with no length header.
"use strict";
let buf = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
    const size = buf.readUInt32BE(0);
    const request = JSON.parse(buf.subarray(4, 4 + size).toString("utf8"));
    buf = buf.subarray(4 + size);
    console.log(JSON.stringify({ id: request.id, success: true, result: { status: "ok" } }));
  }
});

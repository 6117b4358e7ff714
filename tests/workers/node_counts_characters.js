#!/usr/bin/env node
// A Node.js {packet, 4} worker whose length header counts its answer's characters, not its
// bytes (`body.length` of the string, before it is encoded): with non-ASCII text in the
// answer, the header is short by a byte for each byte past the first of every such character.
"use strict";
let buf = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
    const size = buf.readUInt32BE(0);
    const request = JSON.parse(buf.subarray(4, 4 + size).toString("utf8"));
    buf = buf.subarray(4 + size);
    const result = { status: "ok", greeting: "héllo wörld — ✓" };
    const body = JSON.stringify({ id: request.id, success: true, result });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    process.stdout.write(header);
    process.stdout.write(body);
  }
});

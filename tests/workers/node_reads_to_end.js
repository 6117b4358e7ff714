#!/usr/bin/env node
// A Node script put behind a pool: it gathers its stdin until the stream's 'end' event, then
// answers each JSON line in it. Its answers come out only once its stdin ends.
"use strict";
let input = "";
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  for (const line of input.split("\n")) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    process.stdout.write(JSON.stringify({ id: request.id, success: true, result: {} }) + "\n");
  }
});

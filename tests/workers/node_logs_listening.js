#!/usr/bin/env node
// A line-framed JSON worker in Node.js that logs where it listens with console.log, which
// writes to stdout: the line lands before its first answer, on the framed stream.
"use strict";
console.log("listening on stdio");
require("readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const { id } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ id, success: true, result: { worker: "node" } }) + "\n");
});

#!/usr/bin/env node
// A line-framed JSON worker in Node.js whose start takes 2 s (a model loaded before it
// listens, say) before it reads its first request: slow, not buffered.
"use strict";
setTimeout(() => require("readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const { id } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ id, success: true, result: {} }) + "\n");
}), 2000);

#!/usr/bin/env node
// A Node line worker that answers each request with process.stdout.write(JSON.stringify(...))
// and no newline after it: a line reader never takes the answer.
"use strict";
const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const request = JSON.parse(line);
  process.stdout.write(JSON.stringify({ id: request.id, success: true, result: {} }));
});

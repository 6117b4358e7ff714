#!/usr/bin/env node
// A newline-delimited JSON worker in Node.js that takes its first line as its configuration
// (as a worker written for a host that sends one first does) and answers only the lines after
// it: a pool's first message, its init ping, gets no answer.
"use strict";
const readline = require("readline");
let config = null;
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line);
  if (config === null) {
    config = message;
    return;
  }
  const answer = { id: message.id, success: true, result: { status: "ok" } };
  process.stdout.write(JSON.stringify(answer) + "\n");
});

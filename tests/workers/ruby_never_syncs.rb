#!/usr/bin/env ruby
# A newline-delimited JSON worker in Ruby that never sets $stdout.sync: Ruby block-buffers
# $stdout on a pipe, so its answers stay in the buffer until it exits.
require "json"
while (line = $stdin.gets)
  request = JSON.parse(line)
  puts JSON.generate({ "id" => request["id"], "success" => true, "result" => { "status" => "ok", "worker" => "ruby" } })
end

#!/usr/bin/env ruby
# A line-framed JSON worker in Ruby that greets with `puts` (stdout) before its first answer.
require "json"
$stdout.sync = true
puts "Ruby worker ready"
while (line = $stdin.gets)
  request = JSON.parse(line)
  $stdout.write(JSON.generate({ "id" => request["id"], "success" => true, "result" => {} }) + "\n")
end

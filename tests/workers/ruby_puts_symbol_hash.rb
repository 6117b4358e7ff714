#!/usr/bin/env ruby
# A Ruby worker that builds its answer with symbol keys and writes it with `puts` (line) or
# `to_s` (packet-4): Ruby before 3.4 inspects it as {:id=>1, :success=>true, ...}, Ruby 3.4 as
# {id: 1, success: true, ...}; neither is JSON. Its framing is its first argument.
require "json"
$stdin.binmode
$stdout.binmode
$stdout.sync = true
packet = ARGV[0] == "packet-4"
loop do
  if packet
    header = $stdin.read(4)
    break if header.nil? || header.bytesize < 4
    request = JSON.parse($stdin.read(header.unpack1("N")))
  else
    line = $stdin.gets or break
    request = JSON.parse(line)
  end
  answer = { id: request["id"], success: true, result: { status: "ok" } }
  if packet
    body = answer.to_s
    $stdout.write([body.bytesize].pack("N"), body)
  else
    puts answer
  end
end

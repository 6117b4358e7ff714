#!/usr/bin/env ruby
# A Ruby worker that writes its answer Hash with `puts` (line) or `to_s` (packet-4): both write
# the Hash's inspect form, {"id"=>1, "success"=>true, ...}, not JSON. Its framing is its first
# argument: line (newline-delimited JSON) or packet-4. A second argument, `symbols`, builds the
# Hash with symbol keys: Ruby before 3.4 inspects it as {:id=>1, :success=>true, ...}, Ruby 3.4
# as {id: 1, success: true, ...}; neither is JSON.
require "json"
$stdin.binmode
$stdout.binmode
$stdout.sync = true
packet = ARGV[0] == "packet-4"
symbols = ARGV[1] == "symbols"
loop do
  if packet
    header = $stdin.read(4)
    break if header.nil? || header.bytesize < 4
    request = JSON.parse($stdin.read(header.unpack1("N")))
  else
    line = $stdin.gets or break
    request = JSON.parse(line)
  end
  answer = { "id" => request["id"], "success" => true, "result" => { "status" => "ok" } }
  answer = { id: request["id"], success: true, result: { status: "ok" } } if symbols
  if packet
    body = answer.to_s
    $stdout.write([body.bytesize].pack("N"), body)
  else
    puts answer
  end
end

#!/bin/sh
# A start script that `exec`s a Ruby worker which answers each request, then logs 'handled one'
# with `puts` (to stdout): a line between its answers. The script names no language; its
# process, once it has answered, is Ruby's.
exec ruby -rjson -e '
$stdout.sync = true
$stdin.each_line do |line|
  puts JSON.generate({id: JSON.parse(line)["id"], success: true, result: {}})
  puts "handled one"
end
'

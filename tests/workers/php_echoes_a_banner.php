<?php
// A line-framed JSON worker in PHP that echoes a banner (stdout) before its first answer.
echo "PHP worker ready\n";
while (($line = fgets(STDIN)) !== false) {
    $request = json_decode($line, true);
    fwrite(STDOUT, json_encode(["id" => $request["id"], "success" => true, "result" => new stdClass()]) . "\n");
}

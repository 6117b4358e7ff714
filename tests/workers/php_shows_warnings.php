<?php
// A PHP worker with errors shown, as a development php.ini or a debugging
// ini_set('display_errors', '1') has them: PHP's CLI shows each warning on stdout, after a
// blank line, before the answer. It reads a request with no "user" in its args, and warns.
// Its framing is its first argument: line (newline-delimited JSON) or packet-4.
error_reporting(E_ALL);
ini_set('display_errors', '1');
$packet = ($argv[1] ?? 'line') === 'packet-4';
while (true) {
    if ($packet) {
        $header = fread(STDIN, 4);
        if ($header === false || strlen($header) !== 4) break;
        $request = json_decode(fread(STDIN, unpack('N', $header)[1]), true);
    } else {
        $line = fgets(STDIN);
        if ($line === false) break;
        $request = json_decode($line, true);
    }
    $user = $request['args']['user'];
    $body = json_encode(['id' => $request['id'], 'success' => true, 'result' => ['user' => $user]]);
    echo $packet ? pack('N', strlen($body)) . $body : $body . "\n";
}

<?php
// A PHP worker that includes php_settings.php, which prints a newline after its closing tag:
// a blank line (in line framing) or a stray byte (in packet-4) before the first answer.
// Its framing is its first argument: line (newline-delimited JSON) or packet-4.
require __DIR__ . '/php_settings.php';
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
    $body = json_encode(['id' => $request['id'], 'success' => true, 'result' => ['status' => $reply_status]]);
    echo $packet ? pack('N', strlen($body)) . $body : $body . "\n";
}

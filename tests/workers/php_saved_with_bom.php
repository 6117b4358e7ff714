<?php
// A PHP worker whose file was saved as 'UTF-8 with BOM': PHP prints the three bytes before
// the opening tag to stdout as it starts, before the first frame. Its framing is its first
// argument: line (newline-delimited JSON) or packet-4.
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
    $body = json_encode(['id' => $request['id'], 'success' => true, 'result' => ['status' => 'ok']]);
    echo $packet ? pack('N', strlen($body)) . $body : $body . "\n";
}

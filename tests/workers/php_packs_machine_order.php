<?php
// A {packet, 4} worker in PHP packing its length with 'L' (machine byte order: little-endian
// on x86), where {packet, 4} wants big-endian ('N').
while (($header = fread(STDIN, 4)) !== false && strlen($header) === 4) {
    $request = json_decode(fread(STDIN, unpack('N', $header)[1]), true);
    $body = json_encode(['id' => $request['id'], 'success' => true, 'result' => ['status' => 'ok']]);
    fwrite(STDOUT, pack('L', strlen($body)) . $body);
}

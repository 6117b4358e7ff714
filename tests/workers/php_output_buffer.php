<?php
// A newline-delimited JSON worker in PHP that starts an output buffer (ob_start(), as a
// framework's bootstrap does) and never flushes it: every answer `echo` writes stays there, with
// no size to fill, until the script ends at end of input.
ob_start();
while (($line = fgets(STDIN)) !== false) {
    $request = json_decode($line, true);
    echo json_encode(['id' => $request['id'], 'success' => true, 'result' => ['status' => 'ok']]), "\n";
}

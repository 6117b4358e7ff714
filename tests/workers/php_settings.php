<?php
// The settings of php_closing_tag.php, in a file that ends with PHP's closing tag and a blank
// line, as many PHP files do: PHP drops the one newline right after the tag and prints the rest
// where the file is included.
$reply_status = 'ok';
?>


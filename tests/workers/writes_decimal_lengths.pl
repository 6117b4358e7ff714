#!/usr/bin/perl
# A Perl worker that reads {packet, 4} requests and writes each answer's length as decimal
# text and a newline (`print length($body), "\n"`), not as 4 binary bytes.
use strict;
use warnings;
binmode STDIN;
binmode STDOUT;
$| = 1;
while (read(STDIN, my $header, 4) == 4) {
    read(STDIN, my $request, unpack("N", $header));
    my ($id) = $request =~ /"id":\s*(\d+)/;
    my $body = qq({"id":$id,"success":true,"result":{"status":"ok"}});
    print length($body), "\n", $body;
}

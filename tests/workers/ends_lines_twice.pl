#!/usr/bin/perl
# A newline-delimited JSON worker in Perl that ends each answer with "\r\n\r\n", as an HTTP
# habit writes it: every answer is followed by a blank line, an empty message to a line reader.
use strict;
use warnings;
$| = 1;
while (my $line = <STDIN>) {
    my ($id) = $line =~ /"id":\s*(\d+)/;
    print qq({"id":$id,"success":true,"result":{"status":"ok"}}), "\r\n\r\n";
}

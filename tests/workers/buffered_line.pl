#!/usr/bin/perl
# A newline-delimited JSON worker in Perl that never sets $| (autoflush): Perl block-buffers
# STDOUT on a pipe and line-buffers it on a terminal, so it answers only under a pty.
use strict;
use warnings;
while (my $line = <STDIN>) {
    my ($id) = $line =~ /"id"\s*:\s*(\d+)/;
    $id = "null" unless defined $id;
    print "{\"id\":$id,\"success\":true,\"result\":{\"status\":\"ok\",\"worker\":\"perl\"}}\n";
}

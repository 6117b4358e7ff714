<?php
// A PHP worker whose start calls a function no extension defines (a missing extension): the
// CLI logs `PHP Fatal error:  Uncaught Error: …` to stderr and exits 255 before any request.
// Run with `-d display_errors=0 -d log_errors=1` so that the error goes to stderr alone.
no_such_function_for_poolctl();

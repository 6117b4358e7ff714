"""One module per command: each parses nothing itself, calls the core, and returns an exit code."""

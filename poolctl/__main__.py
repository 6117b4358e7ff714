from poolctl.cli import program

raise SystemExit(program())

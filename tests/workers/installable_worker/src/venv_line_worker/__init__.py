"""A newline-delimited JSON worker, installed as a package with a console script."""

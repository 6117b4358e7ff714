"""A DSPex worker that exits with code 1 as it starts, a setting missing, and says why only
where its stderr is a terminal (`isatty(2)`, as a CLI that prints its errors for a person
does): behind a pool's pipes it says nothing."""

import os
import sys

if os.isatty(2):
    sys.stderr.write("fatal: MODEL_PATH is not set\n")
sys.exit(1)

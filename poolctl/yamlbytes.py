"""A YAML file's bytes, bounded, read without importing the YAML parser: a pattern file the disk
cache holds compiled is recognised by its bytes alone, and never parsed (`poolctl.yamlfile`
parses the others).
"""

from __future__ import annotations

from pathlib import Path

from poolctl.boundedread import NoWriter, TooLong, read_bounded
from poolctl.errors import InputError

MAX_BYTES = 4 * 1024 * 1024  # a scenario or a pattern file is a few kilobytes


def read_document(
    path: Path, error_type: type[InputError] = InputError, limit: int = MAX_BYTES
) -> bytes:
    """The bytes of a YAML file of poolctl's, at most `limit`: read no further (a device such
    as /dev/zero, or a FIFO, says size 0 and never ends; a FIFO no process writes to is
    waited on for `FIFO_WAIT` seconds, not for ever)."""
    bound = f"a YAML document of poolctl's is at most {limit:,} bytes"
    try:
        return read_bounded(path, limit)
    except TooLong as long:
        said = f"the file is {long.size:,}" if long.size else f"it goes on past {limit:,}"
        raise error_type(f"{said} bytes; {bound}", where=str(path)) from None
    except NoWriter as exc:
        raise error_type(f"{exc.strerror}", where=str(path)) from None
    except FileNotFoundError:
        raise error_type("file not found", where=str(path)) from None
    except OSError as exc:
        raise error_type(f"cannot read: {exc.strerror or exc}", where=str(path)) from None

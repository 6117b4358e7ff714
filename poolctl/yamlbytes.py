"""A YAML file's bytes, bounded, read without importing the YAML parser: a pattern file the disk
cache holds compiled is recognised by its bytes alone, and never parsed (`poolctl.yamlfile`
parses the others).
"""

from __future__ import annotations

from pathlib import Path

from poolctl.errors import InputError

MAX_BYTES = 4 * 1024 * 1024  # a scenario or a pattern file is a few kilobytes


def read_document(
    path: Path, error_type: type[InputError] = InputError, limit: int = MAX_BYTES
) -> bytes:
    """The bytes of a YAML file of poolctl's, at most `limit`: read no further (a device such
    as /dev/zero, or a FIFO, says size 0 and never ends)."""
    bound = f"a YAML document of poolctl's is at most {limit:,} bytes"
    try:
        size = path.stat().st_size
        if size > limit:
            raise error_type(f"the file is {size:,} bytes; {bound}", where=str(path))
        with path.open("rb") as file:
            raw = file.read(limit + 1)
    except FileNotFoundError:
        raise error_type("file not found", where=str(path)) from None
    except OSError as exc:
        raise error_type(f"cannot read: {exc.strerror or exc}", where=str(path)) from None
    if len(raw) > limit:
        raise error_type(f"it goes on past {limit:,} bytes; {bound}", where=str(path))
    return raw

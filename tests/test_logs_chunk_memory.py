"""The reader's memory per chunk of a big log (`poolctl.logs.lines.ChunkReader`): a chunk and
the read it came from, never two copies of it besides; the bytes are those of the file."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

from poolctl.logs.lines import ChunkReader

MB = 1 << 20


def test_a_chunk_costs_its_own_bytes_and_one_read(tmp_path: Path) -> None:
    data = b"".join(
        b"%07d 12:00:00.001 [debug] Attempting to checkout\n" % i for i in range(100_000)
    )
    path = tmp_path / "big.log"
    path.write_bytes(data)
    read = hashlib.sha256()
    size = 0
    held: list[float] = []  # MB traced while the caller holds a chunk (about 1 MB)
    peaks: list[float] = []  # MB at most while the reader made it
    with path.open("rb") as stream:
        chunks = iter(ChunkReader(stream, "big.log", [], chunk_size=MB))
        first = next(chunks).data  # the log's width and prefixes are decided on the first one
        tracemalloc.start()
        try:
            for chunk in chunks:
                current, peak = tracemalloc.get_traced_memory()
                held.append(current / MB)
                peaks.append(peak / MB)
                read.update(chunk.data)
                size += len(chunk.data)
                del chunk
                tracemalloc.reset_peak()
        finally:
            tracemalloc.stop()
    assert len(held) >= 3
    assert read.digest() == hashlib.sha256(data[len(first) :]).digest() and size > 3 * MB
    # the read and a joined copy of it let go once the chunk is made; the read and the chunk
    # all it holds at once (it held the read, the two joined and the chunk: 3 MB, then 4 MB)
    assert max(held) < 1.2
    assert max(peaks[1:]) < 2.2

"""A run's passes packed as one value: the sorted keys of its passing tests, 8 bytes each.

A test's key is `identity.case_key`, 16 hex digits: here the integer they write, stored
big-endian so that a key's 8 bytes in hex are its `test_key` (the view `outcomes` joins them so).
Sorted, one key is found among 200,000 by bisection, without building a set.
"""

from __future__ import annotations

import array
import hashlib
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any

KEY_BYTES = 8
_SWAP = sys.byteorder == "little"  # the packed form is big-endian on every machine


def key_number(
    name: str,
    group: str,
    file: str,
    _sha: Callable[[bytes], Any] = hashlib.sha256,
    _int: Callable[[bytes], int] = int.from_bytes,
) -> int:
    """`identity.case_key(name, group, file)` as an integer (its 16 hex digits' value); run
    once per pass, its names bound as defaults."""
    return _int(_sha(f"{file}\0{group}\0{name}".encode("utf-8", "surrogatepass")).digest()[:8])


def hex_key(number: int) -> str:
    """The `test_key` of a key number."""
    return f"{number:016x}"


def key_of(test_key: str) -> int | None:
    """A `test_key`'s number; None for a key that is not 16 hex digits (none such is packed)."""
    if len(test_key) != 2 * KEY_BYTES:
        return None
    try:
        return int(test_key, 16)
    except ValueError:
        return None


def pack(numbers: Iterable[int]) -> bytes:
    """The keys, sorted, as one value."""
    packed = array.array("Q", sorted(numbers))
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


def repack(keys: array.array[int]) -> bytes:
    """Keys already sorted as one value (`pack` without sorting them again)."""
    packed = array.array("Q", keys)
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


def unpack(value: bytes | memoryview) -> array.array[int]:
    """The sorted keys of a packed value."""
    keys = array.array("Q")
    keys.frombytes(bytes(value))
    if _SWAP:
        keys.byteswap()
    return keys


def holds(keys: array.array[int], number: int) -> bool:
    """Whether the sorted `keys` hold `number`."""
    at = bisect_left(keys, number)
    return at < len(keys) and keys[at] == number

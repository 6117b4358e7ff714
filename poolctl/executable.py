"""Whether a program file the kernel would be asked to run can run here at all.

A file can exist and have its x bit and still not start: a script whose `#!` line names an
interpreter that is not there, or ends with a carriage return (a script saved with Windows line
endings asks for `/bin/sh\\r`), or a binary built for another machine. The kernel refuses each
with an error that names the script, not the cause (`No such file or directory`, `Exec format
error`), and a launcher may then run the file with `/bin/sh`. Said before anything starts, it is
one line naming the file and the cause.
"""

from __future__ import annotations

import os
import struct
import sys

# ELF's e_machine values for the machines a worker may have been built for
_MACHINES = {3: "x86", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S390", 40: "ARM",
             62: "x86-64", 183: "AArch64", 243: "RISC-V"}  # fmt: skip


def _head(path: str, size: int = 256) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return b""


def _elf_machine(head: bytes) -> int | None:
    """The e_machine of an ELF header, None if `head` is none."""
    if len(head) < 20 or not head.startswith(b"\x7fELF"):
        return None
    order = "<" if head[5] == 1 else ">"
    machine: int = struct.unpack_from(f"{order}H", head, 18)[0]
    return machine


def _interpreter_problem(path: str, head: bytes) -> str:
    line = head[2:].split(b"\n", 1)[0]
    if line.endswith(b"\r"):
        asked = line.strip(b" \t").split(b" ", 1)[0].decode("utf-8", "replace")
        return (
            f"{path} cannot run: its #! line ends with a carriage return (Windows line endings), "
            f"so the kernel looks for the interpreter {asked!r}; convert it with `dos2unix`"
        )
    words = line.decode("utf-8", "replace").split()
    if not words:
        return ""
    interpreter = words[0]
    if not os.path.isabs(interpreter):
        return ""  # the kernel needs a full path; a relative one is rare enough to leave
    if not os.path.exists(interpreter):
        return f"{path} cannot run: its #! line names {interpreter}, which does not exist"
    if not os.access(interpreter, os.X_OK) or os.path.isdir(interpreter):
        return f"{path} cannot run: its #! line names {interpreter}, which is not a program"
    return ""


def why_not_runnable(path: str) -> str:
    """Why the program file at `path` cannot run here ("" when nothing says so)."""
    head = _head(path)
    if head.startswith(b"#!"):
        return _interpreter_problem(path, head)
    machine = _elf_machine(head)
    ours = _elf_machine(_head(os.path.realpath(sys.executable)))
    if machine is not None and ours is not None and machine != ours:
        theirs = _MACHINES.get(machine, f"machine {machine}")
        here = _MACHINES.get(ours, f"machine {ours}")
        return f"{path} cannot run: it is a program for {theirs}, and this machine is {here}"
    return ""

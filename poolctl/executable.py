"""Whether a program file the kernel would be asked to run can run here at all, and whether
its command and environment fit what the kernel takes.

A file can exist and have its x bit and still not start: a script whose `#!` line names an
interpreter that is not there, or ends with a carriage return (a script saved with Windows line
endings asks for `/bin/sh\\r`), or a binary built for another machine. The kernel refuses each
with an error that names the script, not the cause (`No such file or directory`, `Exec format
error`), and a launcher may then run the file with `/bin/sh`. Said before anything starts, it is
one line naming the file and the cause.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import stat
import struct
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from poolctl.venv_near import venv_program_hint

MAX_ARG_STRLEN = 32 * 4096  # Linux: one argument or `NAME=value` string of a new program
# ELF's e_machine values for the machines a worker may have been built for
_MACHINES = {3: "x86", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S390", 40: "ARM",
             62: "x86-64", 183: "AArch64", 243: "RISC-V"}  # fmt: skip


def read_head(path: str, size: int = 4096) -> bytes:
    """The first `size` bytes of the file at `path` (none if it cannot be read, or is no
    regular file: opening a FIFO waited for a writer, and ping, doctor and run-scenario of a
    worker command naming one hung there, without a word)."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return b""
            return f.read(size)
    except OSError:
        return b""


def not_a_program(path: str) -> str:
    """What the file at `path` is when it cannot be a program ("a FIFO"), else "": the kernel
    runs regular files only, whatever their mode says."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return ""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


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


def why_not_startable(program: str, cwd: str | None) -> str:
    """Why the program a command names cannot be started from `cwd` ("" when nothing says
    so): a name is looked up on PATH, a path taken from `cwd`, then the file checked."""
    if not program.strip():
        return f"the command's program is an empty name ({program!r})"
    if "/" in program:
        path = Path(program) if Path(program).is_absolute() else Path(cwd or ".") / program
        blocked = cannot_reach(path)
        if blocked:
            return f"{program} cannot be reached: {blocked}"
        if not path.exists():
            here = Path(program)
            if cwd and not here.is_absolute() and here.exists():  # found from here, not there
                return (
                    f"command not found in the worker's working directory {cwd}: {program} (a "
                    f"relative command is looked up from there; give {here.resolve()})"
                )
            return f"command not found: {program}"
        found = str(path)
    else:
        found = shutil.which(program) or ""
        if not found:
            return f"command not found on PATH: {program}{not_on_path(program, cwd)}"
    return why_not_runnable(found)


def not_on_path(program: str, cwd: str | None) -> str:
    """What a name found on no PATH is, said after it: a file of that name in the worker's
    folder (a shell needs `./` too), or a program of a virtualenv not activated; else ""."""
    here = Path(cwd or ".") / program
    if here.is_file():
        where = "the worker's working directory" if cwd else "this folder"
        return (
            f" (a file of that name is in {where}: a command that is no path is looked up on "
            f"PATH only; give ./{program})"
        )
    if here.is_dir():
        return f" ({program} here is a directory, not a program)"
    return venv_program_hint(program, cwd)


def cannot_reach(path: Path) -> str:
    """Why the file at `path` cannot even be looked at ("" when it can, or when nothing is
    there): a folder on its way this user may not enter, a loop of links, a name too long.
    `Path.exists` raised the first and the last (an internal error), and called a loop missing."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            return exc.strerror or str(exc)
    return ""


def why_not_runnable(path: str) -> str:
    """Why the program file at `path` cannot run here ("" when nothing says so)."""
    if kind := not_a_program(path):
        return f"{path} is {kind}, not a program"
    if not os.access(path, os.X_OK):
        return f"{path} is not executable (chmod +x, or run it through its interpreter)"
    head = read_head(path, 256)
    if head.startswith(b"#!"):
        return _interpreter_problem(path, head)
    machine = _elf_machine(head)
    if machine is None and head and (unmarked := no_shebang(path)):
        return unmarked
    ours = _elf_machine(read_head(os.path.realpath(sys.executable), 64))
    if machine is not None and ours is not None and machine != ours:
        theirs = _MACHINES.get(machine, f"machine {machine}")
        here = _MACHINES.get(ours, f"machine {ours}")
        return f"{path} cannot run: it is a program for {theirs}, and this machine is {here}"
    return ""


# suffixes of files a language's interpreter does not run as a script: a module, a source
# to compile or to transpile first
_NOT_SCRIPTS = frozenset({".ts", ".mts", ".erl", ".pm"})


def no_shebang(path: str) -> str:
    """Why the script at `path` cannot run as a program ("" when nothing says so): it has no
    `#!` line, while its suffix names its language (`worker.py`). The kernel refuses it (Exec
    format error) and a launcher falls back to /bin/sh, which reads Python as shell commands
    (`import: not found`)."""
    from poolctl.languages import script_language  # (it reads heads with this module's help)

    language = script_language(path)
    suffix = os.path.splitext(path)[1]
    if language is None or not language.runs_with or suffix in _NOT_SCRIPTS:
        return ""
    interpreter = language.runs_with
    return (
        f"{path} cannot run as a program: it has no #! line, so the kernel refuses it and a "
        f"launcher runs it with /bin/sh, which does not read {language.name} ({suffix}); add "
        f"`#!/usr/bin/env {interpreter}` as its first line, or start it through its "
        f"interpreter (`{interpreter} {path}`)"
    )


def too_large(argv: tuple[str, ...] | list[str], env: dict[str, str]) -> str:
    """Why `argv` with `env` cannot be started ("" when it can): together over the kernel's
    limit for a new program's arguments and environment (`execve` fails with E2BIG). Sizes
    are of the bytes the kernel gets (`os.fsencode`): a variable holding a byte that is not
    UTF-8 (`FOO=$'\\xff'`) was a UnicodeEncodeError, an internal error."""
    for name, value in [(f"argument {i}", a) for i, a in enumerate(argv)] + [
        (f"variable {k}", f"{k}={v}") for k, v in env.items()
    ]:
        if len(os.fsencode(value)) + 1 > MAX_ARG_STRLEN:
            return (
                f"its {name} is {len(os.fsencode(value)):,} bytes, over the kernel's limit of "
                f"{MAX_ARG_STRLEN:,} for one argument or variable (Argument list too long)"
            )
    size = sum(len(os.fsencode(a)) + 1 for a in argv)
    size += sum(len(os.fsencode(k)) + len(os.fsencode(v)) + 2 for k, v in env.items())
    limit = os.sysconf("SC_ARG_MAX")
    if size <= limit:
        return ""
    return (
        f"the command and its environment come to {size:,} bytes, over the kernel's limit of "
        f"{limit:,} for a program's arguments and environment (Argument list too long)"
    )


def no_descriptor_left(exc: OSError) -> Exception:
    """What to raise for `exc`, raised opening a worker's capture files: the start error a
    spawn's EMFILE gets when no file descriptor is left (`ulimit -n`), else `exc` itself."""
    from poolctl.errors import WorkerStartError

    said = start_error(exc, [], {}, None) if exc.errno in (errno.EMFILE, errno.ENFILE) else None
    return WorkerStartError(said) if said else exc


def start_error(
    exc: OSError, argv: Sequence[str], env: Mapping[str, str], cwd: str | None
) -> str | None:
    """What `exc`, raised starting `argv` (with `env`, in `cwd`), says in one line; None for
    an error that is no such reason."""
    where = f" (in {cwd})" if cwd else ""
    if isinstance(exc, FileNotFoundError):
        if cwd and exc.filename == cwd:
            return f"working directory not found: {cwd}"
        return f"command not found: {argv[0]}{where}"
    if isinstance(exc, PermissionError):
        return f"command not executable: {argv[0]}"
    if isinstance(exc, NotADirectoryError):
        return f"working directory not found: {cwd}"
    if exc.errno in (errno.EMFILE, errno.ENFILE):  # each worker holds its pipes open
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return (
            f"too many open files to start another worker (the limit is {soft:,}, "
            "`ulimit -n`; each worker holds its pipes and capture files open)"
        )
    if exc.errno == errno.E2BIG:
        return too_large(list(argv), dict(env)) or str(exc)
    if exc.errno in (errno.EAGAIN, errno.ENOMEM):  # fork() refused: no process to exec in
        return (
            f"no process could be forked for another worker ({errno.errorcode[exc.errno]}: "
            f"{os.strerror(exc.errno)}): the user's process limit (`ulimit -u`) or a cgroup's "
            "pids.max is reached, or memory ran out"
        )
    return None

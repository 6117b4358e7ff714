"""The run folder: where every command leaves its report, trace and each process's output.

reports/<UTC-time>-<name>/
  report.md  report.json  junit.xml
  events.jsonl                 pool trace, monotonic timestamps
  workers/<id>.stderr.log      everything the worker wrote to stderr (its middle dropped past
                               POOLCTL_STDERR_CAP on disk: `poolctl.stderr_cap`)
  workers/<id>.stdout.bin      raw stdout transcript (bounded)
  poolctl.log                  poolctl's own debug log
  stdin.log                    `triage -` cut short: what it read from standard input
  .poolctl-run                 what the folder is (its kind), for retention
  .poolctl-lock                locked by the poolctl using the folder: in use, not deleted
  .poolctl-unscrubbed          there until the folder is scrubbed of secrets (mode 0600: it
                               lists the workers' secret values to scrub with)
reports/latest                 a link to the newest run folder

Folders are made atomically (`mkdir` refuses an existing one; the next name is tried), and the
newest `--keep` runs of each kind are kept (default 20, `POOLCTL_KEEP_RUNS`), never one in use.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import fnmatch
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from poolctl.context import RunContext
from poolctl.errors import UsageProblem
from poolctl.redact import Redactor, secret_values

DEFAULT_BASE = "reports"
BASE_ENV = "POOLCTL_REPORTS_DIR"  # overrides the default base folder
KEEP_ENV = "POOLCTL_KEEP_RUNS"  # how many runs of each kind to keep (default 20)
DEFAULT_KEEP = 20
META = ".poolctl-run"
LOCK = ".poolctl-lock"
UNSCRUBBED = ".poolctl-unscrubbed"
LATEST = "latest"


class _Hold:
    """The run folder's lock, held (exclusively) for as long as the run uses the folder."""

    def __init__(self) -> None:
        self.fd: int | None = None

    def take(self, path: Path) -> bool:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)


@dataclass(frozen=True)
class RunDir:
    """Paths inside one run folder, and the run (`context`) it belongs to."""

    path: Path
    context: RunContext = field(default_factory=RunContext, compare=False, repr=False)
    kind: str = ""
    _hold: _Hold = field(default_factory=_Hold, compare=False, repr=False)
    # held while its reports are written: the watchdog's interrupted ending waits for the
    # command's own write instead of writing the same files beside it
    _writing: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)
    # files written from strings already redacted with the run's secrets: the scrub skips them
    # (a 10 MB report.json is not read again); another command's scrub does not know of them
    redacted: set[Path] = field(default_factory=set, compare=False, repr=False)

    @property
    def workers(self) -> Path:
        return self.path / "workers"

    @property
    def events(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def log(self) -> Path:
        return self.path / "poolctl.log"

    def debug_log(self, worker_id: str) -> Path:
        """Where poolctl asks a pool's worker to write its own debug log (`POOLCTL_DEBUG_LOG`):
        a full path, since a worker with a `cwd` of its own resolves a relative one from there."""
        return (self.workers / f"{worker_id}.debug.log").absolute()

    def report(self, suffix: str) -> Path:
        """`report.md`, `report.json`, … (`junit.xml` for the JUnit writer)."""
        return self.path / ("junit.xml" if suffix == "xml" else f"report.{suffix}")

    @contextlib.contextmanager
    def writing_reports(self, timeout: float = -1) -> Iterator[bool]:
        """Hold the folder's reports for writing (one thread at a time); yields False, holding
        nothing, when `timeout` seconds passed first."""
        held = self._writing.acquire(timeout=timeout)
        try:
            yield held
        finally:
            if held:
                self._writing.release()

    # --- scrubbing ------------------------------------------------------------------------
    @property
    def scrubbed(self) -> bool:
        return not (self.path / UNSCRUBBED).exists()

    def remember_secrets(self, secrets: Mapping[str, str]) -> None:
        """Keep the run's secret values (poolctl's environment's too: the next command may
        run with another) in the marker while the folder is unscrubbed."""
        if not self.scrubbed:
            _write_private(self.path / UNSCRUBBED, {"secrets": _known(secrets)})

    def scrub(self, deadline: float | None = None) -> bool:
        """Redact every file of the folder with the run's secrets (unless `--keep-secrets`),
        then drop the marker; False if `deadline` (`time.monotonic`) came first."""
        try:
            self.context.secrets.redactor().tree(self.path, deadline=deadline, skip=self.redacted)
        except TimeoutError:
            return False
        with contextlib.suppress(FileNotFoundError):
            (self.path / UNSCRUBBED).unlink()
        return True

    def release(self) -> None:
        """The run no longer uses the folder: retention may delete it."""
        self._hold.release()

    def holds_nothing(self) -> bool:
        """Nothing in it but poolctl's own markers (the command stopped on bad input)."""
        try:
            return all(
                p.name.startswith(".poolctl-") or (p.is_dir() and not any(p.iterdir()))
                for p in self.path.iterdir()
            )
        except OSError:
            return False


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:60] or "run"


def _write_private(path: Path, doc: object) -> None:
    """Write JSON readable by the user only, replacing the file atomically."""
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def base_folder(base: str | Path | None = None) -> Path:
    """Where run folders go: `base`, else `$POOLCTL_REPORTS_DIR`, else `reports/`."""
    return Path(base or os.environ.get(BASE_ENV) or DEFAULT_BASE)


def keep_count(keep: int | None) -> int:
    """How many runs of a kind to keep: `--keep`, else `$POOLCTL_KEEP_RUNS`, else 20."""
    if keep is not None:
        return keep
    raw = os.environ.get(KEEP_ENV, "").strip()
    if not raw:
        return DEFAULT_KEEP
    if not raw.isdigit() or int(raw) < 1:
        raise UsageProblem(f"not a whole number of at least 1: {raw!r}", where=KEEP_ENV)
    return int(raw)


def _cannot(path: Path, exc: OSError, where: str) -> UsageProblem:
    return UsageProblem(f"cannot create the run folder {path}: {exc.strerror or exc}", where=where)


def _cannot_in(root: Path, exc: OSError, where: str) -> UsageProblem:
    """A run folder that could not be made in the reports folder `root`, with the file that
    failed: `/proc/sys` was called the run folder itself, 'No such file or directory' though
    it is there (its lock file, `/proc/sys/.poolctl-lock`, could not be made)."""
    failed = f"{exc.filename}: " if exc.filename and Path(exc.filename) != root else ""
    why = exc.strerror or exc
    if exc.errno == errno.EEXIST and not root.is_dir():  # a file, a FIFO: "File exists"
        why = "it is there, and it is no folder"
    return UsageProblem(f"cannot create a run folder in {root}: {failed}{why}", where=where)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the base folder's lock: run folders are named and `latest` moved one at a time."""
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def create_run_dir(
    name: str,
    explicit: str | Path | None = None,
    base: str | Path | None = None,
    *,
    context: RunContext | None = None,
    kind: str | None = None,
    keep: int | None = None,
) -> RunDir:
    """Make a run folder: `explicit` as given (reused, unless another poolctl is using it),
    else `<base>/<UTC-time>-<name>`, never one that exists. Unusable paths are `UsageProblem`s.
    In the base folder, `latest` then points at it and the oldest runs of its kind beyond
    `keep` are deleted."""
    context = context if context is not None else RunContext()
    with context.atomic():  # a signal now would leave a folder nobody knows of
        return _create(name, explicit, base, context, kind or name, keep_count(keep))


def _create(
    name: str,
    explicit: str | Path | None,
    base: str | Path | None,
    context: RunContext,
    kind: str,
    keeping: int,
) -> RunDir:
    hold = _Hold()
    if explicit is not None:
        path = Path(explicit)
        try:
            path.mkdir(parents=True, exist_ok=True)
            if others := _not_a_run_folder(path):  # another tool's: its files are not overwritten
                raise UsageProblem(
                    f"{path} is not empty and is no poolctl run folder (it holds {others}): give "
                    "a new or empty folder, or an earlier run's",
                    where="--run-dir",
                )
            if leftover(path):  # a killed run's folder, reused: scrubbed with its own secrets
                scrub_leftover(path)
            if not hold.take(path / LOCK):
                raise UsageProblem(f"{path} is in use by another poolctl", where="--run-dir")
            if kind_of(path) is not None:  # an earlier run's folder: its evidence is not this one's
                _clear_earlier_run(path)
            _prepare(path, kind)
        except OSError as exc:
            hold.release()
            raise _cannot(path, exc, "--run-dir") from None
        root = None
    else:
        root = base_folder(base)
        where = str(base) if base else (BASE_ENV if os.environ.get(BASE_ENV) else "reports/")
        try:
            root.mkdir(parents=True, exist_ok=True)
            with _locked(root):
                path = _new_folder(root, _slug(name))
                hold.take(path / LOCK)
                _prepare(path, kind)
                _point_latest(root, path)
        except OSError as exc:
            hold.release()
            raise _cannot_in(root, exc, where) from None
    run = RunDir(path, context, kind, hold)
    context.add_run(run)
    if root is not None:
        retain(root, kind, keeping)
    return run


# a poolctl report.json's head (`report/json_writer.py`): its schema's version, then its kind
_REPORT_HEAD = re.compile(rb'^\{\s*"schema_version":\s*\d+,\s*"kind":\s*"\w+"')


def _not_a_run_folder(path: Path) -> str:
    """What a folder given with `--run-dir` holds when it is neither empty nor a poolctl run
    folder (a `.poolctl-run`, or a report.json poolctl wrote: an earlier run's, reused as the
    README says), named (a few of its entries); '' when it may be used."""
    if isinstance(_meta(path).get("kind"), str):
        return ""
    with contextlib.suppress(OSError), open(path / "report.json", "rb") as f:
        if _REPORT_HEAD.match(f.read(512)):
            return ""
    entries = sorted(e.name for e in path.iterdir() if not _ours(e))
    if not entries:
        return ""
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    return shown


def _ours(entry: Path) -> bool:
    """Whether a folder's `entry` is poolctl's whatever the folder is: a marker (a run stopped
    as its folder was being made), an empty `workers/`, or a link named as a file a run writes
    (`events.jsonl` -> /dev/null: a run's file sent elsewhere on purpose)."""
    name = entry.name
    if name in (LOCK, META, UNSCRUBBED):
        return True
    if name == "workers":
        return entry.is_dir() and not entry.is_symlink() and not any(entry.iterdir())
    written = name.removeprefix(".").removesuffix(".partial")  # a report being written
    return entry.is_symlink() and any(fnmatch.fnmatch(written, p) for p in EARLIER_RUN)


def _new_folder(root: Path, slug: str) -> Path:
    """`<UTC-time>-<slug>`, or `-2`, `-3`… after it: `mkdir` without exist_ok is the test."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    n = 1
    while True:
        path = root / (f"{stamp}-{slug}" if n == 1 else f"{stamp}-{slug}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            n += 1


# what a run writes in its folder (besides the markers): cleared when `--run-dir` reuses one
EARLIER_RUN = (
    "events.jsonl",
    "trace.json",
    "timeline.html",
    "report.json",
    "report.md",
    "junit.xml",
    "traceback.txt",
    "poolctl.log",
    "stdin.log",
    "stack-*.txt",
    "workers/*",
)


def _clear_earlier_run(path: Path) -> None:
    """Remove an earlier run's files from a reused folder: its trace was appended to (a CI
    job reusing `--run-dir` grew events.jsonl without end, and the pictures overlaid every
    run), and a report, a timeline or a worker's log of the earlier run read as this one's."""
    for pattern in EARLIER_RUN:
        for found in path.glob(pattern):
            if found.is_file() or found.is_symlink():
                found.unlink(missing_ok=True)


def _prepare(path: Path, kind: str) -> None:
    (path / "workers").mkdir(exist_ok=True)
    meta = {"kind": kind, "pid": os.getpid(), "created": time.time()}
    (path / META).write_text(json.dumps(meta), encoding="utf-8")
    _write_private(path / UNSCRUBBED, {"secrets": _known({})})


def _known(remembered: Mapping[str, str]) -> dict[str, str]:
    return {**secret_values(dict(os.environ)), **remembered}


def _point_latest(root: Path, path: Path) -> None:
    """Move `root/latest` to `path` in one step (a real folder named so is left alone)."""
    link = root / LATEST
    if link.exists() and not link.is_symlink():
        return
    partial = root / f".{LATEST}.{uuid.uuid4().hex[:8]}"
    os.symlink(path.name, partial)
    try:
        os.replace(partial, link)
    except OSError:
        partial.unlink()


def run_folders(root: Path) -> list[Path]:
    """The run folders in a base folder, oldest first (`latest` and poolctl's markers left
    out)."""
    try:
        folders = [d for d in root.iterdir() if d.is_dir() and not d.is_symlink()]
    except OSError:
        return []
    return sorted(folders, key=_age_key)


# --- retention -------------------------------------------------------------------------------
def _meta(folder: Path) -> dict[str, object]:
    with contextlib.suppress(OSError, ValueError):
        doc = json.loads((folder / META).read_text(encoding="utf-8"))
        if isinstance(doc, dict):
            return doc
    return {}


def kind_of(folder: Path) -> str | None:
    """A run folder's kind: from its `.poolctl-run`, else its report.json (older runs)."""
    kind = _meta(folder).get("kind")
    if isinstance(kind, str):
        return kind
    with contextlib.suppress(OSError), open(folder / "report.json", "rb") as f:
        found = re.search(rb'"kind":\s*"(\w+)"', f.read(512))
        if found:
            return found.group(1).decode()
    return None


def _age_key(folder: Path) -> tuple[float, str]:
    created = _meta(folder).get("created")
    when = float(created) if isinstance(created, int | float) else folder.stat().st_mtime
    return when, folder.name


def retain(root: Path, kind: str, keep: int) -> list[Path]:
    """Delete the runs of `kind` in `root` beyond the newest `keep`, but none in use (its
    lock held by a live poolctl, or by `poolctl report` reading it); returns those deleted."""
    folders = [d for d in reversed(run_folders(root)) if kind_of(d) == kind]
    deleted = []
    for folder in folders[keep:]:
        hold = _Hold()
        try:
            if not hold.take(folder / LOCK):
                continue  # in use
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(folder)
        except OSError:
            continue
        finally:
            hold.release()
    return deleted


@contextlib.contextmanager
def reading(folder: Path) -> Iterator[None]:
    """Mark a run folder in use while it is read (`poolctl report`): retention leaves it."""
    fd = None
    with contextlib.suppress(OSError):
        fd = os.open(folder / LOCK, os.O_RDONLY | os.O_CLOEXEC)
        with contextlib.suppress(OSError):  # held by its own poolctl: not deleted either
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


# --- run folders left unscrubbed -------------------------------------------------------------
def leftover(folder: Path) -> bool:
    """A folder left unscrubbed by a poolctl that is gone (killed before it could scrub)."""
    if not (folder / UNSCRUBBED).exists():
        return False
    hold = _Hold()
    try:
        return hold.take(folder / LOCK)
    except OSError:
        return False
    finally:
        hold.release()


def leftovers(root: Path | None = None) -> list[Path]:
    """The folders of the base folder that a poolctl left unscrubbed."""
    root = root or base_folder()
    try:
        return sorted(
            d for d in root.iterdir() if d.is_dir() and not d.is_symlink() and leftover(d)
        )
    except OSError:
        return []


def scrub_leftover(folder: Path) -> bool:
    """Scrub a folder a dead poolctl left unscrubbed, with the secrets its marker lists and
    poolctl's own environment; False if it is in use or already scrubbed."""
    hold = _Hold()
    try:
        if not (folder / UNSCRUBBED).exists() or not hold.take(folder / LOCK):
            return False
        try:
            doc = json.loads((folder / UNSCRUBBED).read_text(encoding="utf-8"))
            listed = doc.get("secrets") if isinstance(doc, dict) else None
        except (OSError, ValueError):
            listed = None
        named = {**secret_values(dict(os.environ)), **(listed if isinstance(listed, dict) else {})}
        Redactor({str(k): str(v) for k, v in named.items()}).tree(folder)
        (folder / UNSCRUBBED).unlink()
        return True
    except OSError:
        return False
    finally:
        hold.release()

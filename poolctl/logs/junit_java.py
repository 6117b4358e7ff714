"""Where a Java (or Kotlin, Groovy, Scala) test failed: the first frame of its stack trace in
the test's own class (`at com.example.PoolTest.testX(PoolTest.java:42)`).

A JUnit report names the test's class, not its file: the file is looked up from the class's
package under the usual source folders (`src/test/java/com/example/PoolTest.java`), then in a
bounded walk of the folders around (the working directory, the report's folder and those
above it); when no one file is found, the location is the file name and line as the frame
gives them (`PoolTest.java:42`).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

JAVA_FRAME_RE = re.compile(
    r"^\s*at (?:[^\s/()]*/)*(?P<cls>[\w$]+(?:\.[\w$]+)*)\.[\w$<>-]+"
    r"\((?P<file>[\w$-]+\.(?:java|kt|groovy|scala)):(?P<line>\d+)\)",
    re.M,
)
SOURCE_FOLDERS = (
    *("src/test/java", "src/test/kotlin", "src/test/groovy", "src/test/scala"),
    *("src/main/java", "src/main/kotlin", "src/it/java", "test", "tests", "src", "."),
)
_PRUNED = frozenset({"node_modules", "target", "build", "out", "bin", "__pycache__"})
MAX_WALKED = 4_000  # folders looked into for one file, over all roots


def java_location(text: str, classname: str, report: str) -> str:
    """`file:line` of the first frame in `text` in the top-level class of `classname`
    (`com.example.PoolTest$Nested` is in `PoolTest.java`), or "" when no frame is in it."""
    top = classname.strip().split("$", 1)[0]
    if not top or "at " not in text:
        return ""
    for frame in JAVA_FRAME_RE.finditer(text):
        if frame.group("cls").split("$", 1)[0] != top:
            continue
        relative = "/".join([*top.split(".")[:-1], frame.group("file")])
        found = find_source(relative, _roots(report))
        return f"{found or frame.group('file')}:{frame.group('line')}"
    return ""


def _roots(report: str) -> tuple[str, ...]:
    roots = [os.getcwd()]
    path = Path(report)
    if path.is_file():
        roots += [str(p) for p in list(path.resolve().parents)[:3]]
    return tuple(dict.fromkeys(roots))


@functools.lru_cache(maxsize=256)
def find_source(relative: str, roots: tuple[str, ...]) -> str:
    """The one file whose path ends in `relative` (`com/example/PoolTest.java`) under `roots`,
    relative to the working directory when inside it; "" when none or several are found."""
    for root in roots:
        for folder in SOURCE_FOLDERS:
            path = Path(root, folder, relative)
            if path.is_file():
                return _shown(path)
    found: set[Path] = set()
    walked = 0
    wanted = Path(relative)
    walks = [r for i, r in enumerate(roots) if not any(_inside(r, o) for o in roots[:i])]
    for root in walks:
        for here, dirs, files in os.walk(root):
            walked += 1
            if walked > MAX_WALKED:
                return ""  # not all looked at: one found might not be the only one
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _PRUNED]
            if wanted.name in files:
                path = Path(here, wanted.name)
                if path.parts[-len(wanted.parts) :] == wanted.parts:
                    found.add(path.resolve())
    return _shown(found.pop()) if len(found) == 1 else ""


def _inside(path: str, root: str) -> bool:
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def _shown(path: Path) -> str:
    cwd = Path.cwd().resolve()
    resolved = path.resolve()
    return str(resolved.relative_to(cwd)) if resolved.is_relative_to(cwd) else str(resolved)

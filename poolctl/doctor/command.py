"""Check 2, the worker command: found and executable, its shebang's interpreter present, and
the Python it runs (a script, a module, `-c` code) compiling under the worker's own interpreter
(a syntax error, or a module that is not importable from the worker's directory, shows here
rather than as a worker that dies at start)."""

from __future__ import annotations

from pathlib import Path

from poolctl.diagnose.runpy_module import runpy_miss
from poolctl.diagnose.shadowed import shadowed_module
from poolctl.executable import no_shebang
from poolctl.languages import script_of
from poolctl.model import Evidence
from poolctl.venv_near import venv_program_hint

from .language import worker_language
from .target import CheckList, PythonCommand, Target, run_briefly

SECTION = "Worker command"
_PARENT_FAILED = "importing its parent package failed: "  # COMPILE's words, before the error

# Run by the worker's interpreter: find what it would run and compile it, without running it.
COMPILE = r"""
import importlib.util, sys
kind, what = sys.argv[1], sys.argv[2]
if kind == "module":
    try:
        spec = importlib.util.find_spec(what)
        if spec is not None and spec.submodule_search_locations is not None:
            spec = importlib.util.find_spec(what + ".__main__")
    except Exception as exc:
        print(f"importing its parent package failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(3)
    if spec is None:
        print(f"No module named {what!r}", file=sys.stderr)
        sys.exit(3)
    path = spec.origin or ""
elif kind == "script":
    path = what
else:
    path = "<string>"
try:
    if kind == "code":
        compile(what, path, "exec")
    elif path.endswith(".py") or kind == "script":
        with open(path, "rb") as f:
            compile(f.read(), path, "exec")
except SyntaxError as exc:
    print(f"{exc.filename}:{exc.lineno}: {exc.msg}", file=sys.stderr)
    sys.exit(4)
except OSError as exc:
    print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
    sys.exit(5)
print(path)
"""


def check_command(target: Target) -> CheckList:
    """Can the command start, and does the Python it runs compile?"""
    out = CheckList(SECTION)
    if not target.runnable:
        out.add(
            "command",
            "fail",
            target.problem,
            _unrunnable_fix(target),
            [Evidence(target.argv_text, "the worker command")],
        )
        return out
    found = target.program_path
    evidence = []
    if found != target.program:
        evidence.append(Evidence(f"{target.program} → {found}", "the worker's PATH"))
    py = target.python
    if py is not None and py.shebang and py.interpreter_path is None:
        out.add(
            "command",
            "fail",
            f"{found} starts with `{py.shebang}`, and {py.interpreter} is not found",
            "fix the shebang, or run the script through an interpreter that exists",
            evidence,
        )
        return out
    if py is None and (missing := _missing_script(target)) is not None:
        out.add(
            "command",
            "fail",
            missing,
            "give the script's path relative to the worker's directory, or a full path",
            evidence,
        )
        return out
    if py is None or py.kind in ("stdin", "interactive") or py.interpreter_path is None:
        what = "" if py is None else f" (Python reading {py.kind}: nothing to compile)"
        out.add("command", "ok", f"{found} is found and executable{what}", evidence=evidence)
        return out
    compiled = compile_python(py, target)
    evidence.append(Evidence(compiled.detail, "compile"))
    if compiled.ok:
        out.add(
            "command",
            "ok",
            f"{found} is found and executable; {compiled.what} compiles",
            evidence=evidence,
        )
    else:
        out.add("command", "fail", f"{compiled.what}: {compiled.detail}", compiled.remedy, evidence)
    return out


def _unrunnable_fix(target: Target) -> str:
    """The fix for a command that cannot start: the one its problem names (a script without its
    `#!` line, a program in a virtualenv not activated), else the general one."""
    if target.program_path is not None and no_shebang(target.program_path):
        return "give the script its #! line, or start it through its interpreter (as said above)"
    if venv_program_hint(target.program, target.cwd):
        return "give the virtualenv's program by its path, or activate the virtualenv (above)"
    return "fix the worker command (a full path avoids PATH surprises)"


def _missing_script(target: Target) -> str | None:
    """The script a non-Python interpreter is given (`node server.js`), when it is not there:
    the interpreter starts and dies at once ('Cannot find module', 'Could not open input
    file'), which the checks after this one would only report as an exit."""
    language = worker_language(target)
    script = script_of(language, target.spec.argv) if language is not None else None
    if script is None or script == target.program:
        return None
    full = Path(target.cwd or ".") / script
    if full.exists():
        return None
    where = "" if Path(script).is_absolute() else f" (in {target.cwd or 'the current directory'})"
    return f"script {script}: not found{where}"


class Compiled:
    """Whether the Python the command runs compiles, in words."""

    def __init__(self, ok: bool, what: str, detail: str, remedy: str = "") -> None:
        self.ok = ok
        self.what = what
        self.detail = detail
        self.remedy = remedy


def compile_python(py: PythonCommand, target: Target) -> Compiled:
    assert py.interpreter_path is not None
    what = {
        "module": f"module {py.target}",
        "script": f"script {py.target}",
        "code": "its -c code",
    }.get(py.kind, py.kind)
    if py.kind == "script" and not py.shebang:
        path = Path(py.target)
        full = path if path.is_absolute() else Path(target.cwd or ".") / path
        if not full.exists():
            return Compiled(
                False,
                what,
                f"not found (in {target.cwd or 'the current directory'})",
                "give the script's path relative to the worker's directory, or a full path",
            )
    ran = run_briefly(
        [py.interpreter_path, "-c", COMPILE, py.kind, py.target],
        env=target.env,
        cwd=target.cwd,
        timeout=30,
        children=target.children,
    )
    said = ran.stderr.strip().splitlines()
    if ran.ok:
        origin = ran.stdout.strip()
        detail = f"compiled {origin}" if origin and origin != py.target else "compiled"
        return Compiled(True, what, detail)
    if ran.returncode is None:
        return Compiled(False, what, ran.error, "find out why compiling it hangs")
    detail = said[-1] if said else f"the check exited with code {ran.returncode}"
    remedy = {
        3: "make the module importable from the worker's directory (PYTHONPATH, an install)",
        4: "fix the syntax error (the worker would die at start with this error)",
    }.get(ran.returncode, "fix what the message says")
    # the module is found; what its package imports is hidden by a file of the same name
    errors = "\n".join(line.removeprefix(_PARENT_FAILED) for line in said)
    shadow = shadowed_module(errors, target.spec) if ran.returncode == 3 else None
    if shadow is not None:
        detail = f"{detail}; {shadow.why()}"
        remedy = shadow.fix()
    elif ran.returncode == 3 and py.kind == "module":  # installed in a virtualenv not in use?
        missed = runpy_miss(f"{py.interpreter_path}: No module named {py.target}", target.cwd)
        if missed is not None and missed.venv_python:
            remedy = missed.fix()
    return Compiled(False, what, detail, remedy)

"""The language a worker is written in, when its command says so (an interpreter named directly
or on its `#!` line: `python3`, `perl`, `ruby`, `node`, `java`, `php`, `tclsh`…), and how a
worker in that language flushes each frame. A shell script, a binary or an unknown interpreter
says nothing about the program that writes the frames (a start script often `exec`s Python):
its fix stays generic. `doctor`'s Buffering check and the diagnosis' buffered verdict both
give the fix in the worker's language."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from poolctl.executable import read_head


@dataclass(frozen=True)
class Language:
    """A language a worker's command names, and the flush that language's worker needs."""

    name: str
    flush: str  # how its worker gets each frame onto the pipe
    to_stderr: str  # how its worker writes a log line or a banner to stderr
    reads_pythonunbuffered: bool = False  # PYTHONUNBUFFERED changes its stdout
    sources: tuple[str, ...] = ()  # its source files' suffixes: a script its command runs
    runs_with: str = ""  # the interpreter a script of it names on its `#!` line


PYTHON = Language(
    "Python",
    "flush stdout after every frame (`sys.stdout.flush()`, or `print(…, flush=True)`)",
    "`print(…, file=sys.stderr)`, or `logging` (stderr is its default handler's stream)",
    reads_pythonunbuffered=True,
    sources=(".py",),
    runs_with="python3",
)
JAVA = Language(
    "Java",
    "flush stdout after every frame (`out.flush()` after each answer: a `BufferedWriter` or "
    "`BufferedOutputStream` of its own holds 8 KiB, while `System.out.println` flushes)",
    "`System.err.println(…)`, or a logger whose appender writes to `System.err`",
    sources=(".java", ".jar"),
)
PHP = Language(
    "PHP",
    "write every frame with `fwrite(STDOUT, …)`, or end an output buffer (`ob_start()`) with "
    "`ob_end_flush()`: the buffer holds what `echo` writes until it is flushed",
    "`fwrite(STDERR, …)`, or `error_log(…)` (stderr under the CLI), never `echo` or `print`",
    sources=(".php",),
    runs_with="php",
)
RUBY = Language(
    "Ruby",
    "flush stdout after every frame (`$stdout.sync = true`)",
    "`$stderr.puts(…)`, or `warn`, never `puts` or `p`",
    sources=(".rb",),
    runs_with="ruby",
)
JAVASCRIPT = Language(
    "JavaScript",
    "write every frame with `process.stdout.write` as it is ready (uncork a corked stdout)",
    "`console.error(…)` or `process.stderr.write(…)`: `console.log` and `console.info` "
    "write to stdout",
    sources=(".js", ".mjs", ".cjs", ".ts", ".mts"),
    runs_with="node",
)
GO = Language(
    "Go",
    "flush a `bufio.Writer` around stdout after every frame (`w.Flush()`): `os.Stdout` itself "
    "holds nothing",
    "`fmt.Fprintln(os.Stderr, …)`, or the `log` package (stderr unless `log.SetOutput` moves "
    "it), never `fmt.Println`",
    sources=(".go",),
)
ELIXIR = Language(
    "Elixir",
    "write every frame as it is ready (`IO.binwrite/1`): standard_io holds nothing back",
    "`IO.puts(:stderr, …)`; Logger's console writes to stdout unless told otherwise "
    "(`config :logger, :console, device: :standard_error`; from Elixir 1.15 "
    "`config :logger, :default_handler, config: [type: :standard_error]`)",
    sources=(".exs", ".ex"),
    runs_with="elixir",
)
ERLANG = Language(
    "Erlang",
    "write every frame as it is ready (`io:put_chars/1`): standard_io holds nothing back",
    "`io:format(standard_error, …)`; logger's default handler writes to stdout unless its "
    "kernel `logger` setting gives it `#{config => #{type => standard_error}}` (set at boot, "
    "in sys.config: it cannot be changed once running)",
    sources=(".escript", ".erl"),
    runs_with="escript",
)
# Interpreters whose programs are known by their name; a name not here leaves the language open.
_BY_INTERPRETER = {
    "perl": Language(
        "Perl",
        "flush stdout after every frame (`$| = 1;` before the loop)",
        "`print STDERR …`, or `warn`",
        sources=(".pl", ".pm"),
        runs_with="perl",
    ),
    "ruby": RUBY,
    "node": JAVASCRIPT,
    "java": JAVA,
    "php": PHP,
    "tclsh": Language(
        "Tcl",
        "flush stdout after every frame (`flush stdout`, or `fconfigure stdout -buffering "
        "line` for lines)",
        "`puts stderr …`",
        sources=(".tcl",),
        runs_with="tclsh",
    ),
    "elixir": ELIXIR,
    "erl": ERLANG,
    "go": GO,  # `go run main.go`
}
_ALIASES = {
    "nodejs": "node",
    "deno": "node",
    "bun": "node",
    "mix": "elixir",
    "iex": "elixir",
    "escript": "erl",
}
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
# A Go binary's ELF note: namesz 4, descsz, type 4 (GO BUILDID), name "Go", within its first
# page (4 KiB into a static or a PIE build of Go 1.19)
_GO_BUILD_ID = re.compile(rb"\x04\x00\x00\x00.{4}\x04\x00\x00\x00Go\x00\x00", re.S)
BINARY_HEAD = 8192  # bytes of a program to read for its `#!` line or its Go note
_VERSIONED = re.compile(r"^(?P<name>[a-z]+?)(?:[\d.]+)?(?:-cli)?$")  # ruby3.1, php8.2, tclsh8.6
_PYTHON_NAME = re.compile(r"^(?:python|pypy)(\d+(?:\.\d+)?)?$")
GENERIC_FLUSH = (
    "flush stdout after every frame, or make it line-buffered (`stdbuf -oL` in front of a "
    "program that writes through C's stdio)"
)


def language_named(programs: list[str]) -> Language | None:
    """The language of the first of `programs` (paths or names) that names an interpreter."""
    for program in programs:
        name = os.path.basename(program)
        if _PYTHON_NAME.match(name):
            return PYTHON
        versioned = _VERSIONED.match(name)
        base = versioned["name"] if versioned else name
        if found := _BY_INTERPRETER.get(_ALIASES.get(base, base)):
            return found
    return None


# Launchers that fetch or set up a program and run it (`npx -y PKG`, `uv run x.py`, `bundle
# exec rackup`): the words that launch, and the language of what they run unless the command
# they are given names one (`poetry run node x.js`). `uv` is a binary, `bundle` may be missing.
_LAUNCHERS: dict[tuple[str, ...], Language] = {
    **dict.fromkeys([("npx",), ("bunx",), ("pnpx",), ("npm", "exec")], JAVASCRIPT),
    **dict.fromkeys([("pnpm", "dlx"), ("pnpm", "exec"), ("yarn", "dlx")], JAVASCRIPT),
    **dict.fromkeys([("uvx",), ("uv", "run"), ("uv", "tool", "run"), ("pipx", "run")], PYTHON),
    **dict.fromkeys(
        [("poetry", "run"), ("pdm", "run"), ("hatch", "run"), ("pipenv", "run")], PYTHON
    ),
    **dict.fromkeys([("bundle", "exec"), ("bundler", "exec")], RUBY),
}


def launcher_of(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The launcher's words `argv` starts with (`uv run`, `npx`), () when it has none."""
    name = os.path.basename(argv[0]) if argv else ""
    return next((w for w in _LAUNCHERS if w[0] == name and argv[1 : len(w)] == w[1:]), ())


def launched_language(argv: tuple[str, ...], cwd: str | None) -> Language | None:
    """The language of what a launcher in `argv` runs: the command it is given, when that
    names one (an interpreter, a script by its suffix), else the launcher's own kind."""
    words = launcher_of(argv)
    if not words:
        return None
    given = next((a for a in argv[len(words) :] if not a.startswith("-")), None)
    if given and (named := script_language(given) or command_language((given,), cwd)):
        return named  # the first word past its options: `python x.py`, `x.js`
    return _LAUNCHERS[words]


def script_language(path: str) -> Language | None:
    """The language whose source suffix `path` has (`x.py`, `w.rb`), else None."""
    suffix = os.path.splitext(path)[1]
    languages = [PYTHON, JAVA, PHP, RUBY, JAVASCRIPT, GO, ELIXIR, ERLANG, *_BY_INTERPRETER.values()]
    return next((lang for lang in languages if suffix and suffix in lang.sources), None)


def command_language(argv: tuple[str, ...], cwd: str | None) -> Language | None:
    """The language the worker command `argv` names: its launcher's, its program, else its
    `#!` line's."""
    if not argv:
        return None
    if (launched := launched_language(argv, cwd)) is not None:
        return launched
    named = [argv[0]]
    path = Path(cwd or ".") / argv[0] if "/" in argv[0] else shutil.which(argv[0])
    head = read_head(str(path), BINARY_HEAD) if path is not None else b""
    if (built := binary_language(head)) is not None:
        return built
    if head.startswith(b"#!"):
        words = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
        if words and os.path.basename(words[0]) == "env":
            words = [w for w in words[1:] if w != "-S" and "=" not in w]
        named += words[:1]
    return language_named(named)


def running_language(exe: str) -> Language | None:
    """The language of a live worker process whose program is `exe` (its /proc/PID/exe): a
    start script that `exec`s its server shows the server's program here, not the shell."""
    exe = exe.removesuffix(" (deleted)")
    return (binary_language(read_head(exe, BINARY_HEAD)) or language_named([exe])) if exe else None


def stray_text_language(
    argv: tuple[str, ...], cwd: str | None, text: bytes, running: str = ""
) -> tuple[Language | None, str]:
    """The language of the worker that wrote `text` to its stdout: its command's, else its
    running process's (`running`: its program, when it was seen live), else the one the text's
    shape shows (each with a note saying so), else None."""
    language = command_language(argv, cwd)
    if language is None and (live := running_language(running)) is not None:
        return live, f" (its command does not name its language; its running process is {running})"
    if language is None and (shaped := _shaped(text)) is not None:
        language, shape = shaped
        return language, f" (its command does not name its language; the text reads as {shape})"
    return language, ""


def stray_text_fix(argv: tuple[str, ...], cwd: str | None, text: bytes, running: str = "") -> str:
    """How to keep text such as `text` (a banner, a log line the worker wrote to its framed
    stdout) off stdout, in the worker's language: the one its command names, else its running
    process's, else the one the text's own shape shows, else the general rule with the ways of
    the common languages."""
    language, told = stray_text_language(argv, cwd, text, running)
    if language is not None:
        return f"{STRAY_FIX_START}: in {language.name}, {language.to_stderr}{told}"
    return f"{STRAY_FIX_START}{GENERIC_TO_STDERR}"


STRAY_FIX_START = "write logs and banners to stderr, never stdout"
GENERIC_TO_STDERR = (
    " (the worker's language cannot be told from its command or the text: in Python "
    "`print(…, file=sys.stderr)`, in Node `console.error`, in Go `fmt.Fprintln(os.Stderr, …)`, "
    "in Ruby `$stderr.puts`, in a shell `echo … >&2`; a shell script that starts a server: "
    "that server's own stderr)"
)
# Shapes of text that only one language writes, when a line on stdout is one of them
_SHAPES = (
    (
        re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]*:"),
        PYTHON,
        "a line in Python logging's default format",
    ),
    (re.compile(r"^\{'[^']*': "), PYTHON, "a Python dict's repr"),
    # keys as strings (`{"a"=>1}`; Ruby 3.4: `{"a" => 1}`) or symbols (`{:a=>1}`; Ruby 3.4:
    # `{a: 1}`, no space after the brace, which Node's `{ a: 1 }` has)
    (
        re.compile(r'^\{(?:(?:"[^"]*"|:[A-Za-z_]\w*[?!]?) ?=>|[A-Za-z_]\w*[?!]?: )'),
        RUBY,
        "a Ruby Hash's inspect",
    ),
    (
        re.compile(r"^%\{|^\d\d:\d\d:\d\d\.\d{3} \[(debug|info|notice|warning|error)\] "),
        ELIXIR,
        "Elixir's (a map's inspect, or a Logger console line)",
    ),
    (re.compile(r"^=[A-Z]+ REPORT==== "), ERLANG, "a report of Erlang's logger"),
    (re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d "), GO, "a line of Go's `log` package"),
    (re.compile(r"^\{ [A-Za-z_$][\w$]*: "), JAVASCRIPT, "Node's `util.inspect` of an object"),
)


def _shaped(text: bytes) -> tuple[Language, str] | None:
    """The language whose own shape the first line of `text` has, and the shape's name."""
    line = text.lstrip(b"\r\n").split(b"\n", 1)[0].decode("utf-8", "replace")
    for pattern, language, shape in _SHAPES:
        if pattern.search(line):
            return language, shape
    return None


def binary_language(head: bytes) -> Language | None:
    """The language a program file beginning with `head` was built from, when its binary says:
    Go, by its build ID's note (a Go program writes its frames through Go's os.Stdout)."""
    return GO if head.startswith(b"\x7fELF") and _GO_BUILD_ID.search(head) else None


def script_of(language: Language, argv: tuple[str, ...]) -> str | None:
    """The source file the interpreter of `argv` is given to run (`node server.js`, `ruby
    w.rb`), told by its suffix; None when no argument is one."""
    return next((a for a in argv[1:] if os.path.splitext(a)[1] in language.sources), None)


def flush_remedy(language: Language | None) -> str:
    """The fix for a worker that holds its frames in a buffer, in its language when known."""
    return language.flush if language is not None else GENERIC_FLUSH

"""A scenario whose worker is a real MCP server from PyPI, one tools/call per request, run to
its end: the report, and no process of the server left once the pool drained."""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import sys
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

pytestmark = pytest.mark.slow

SHELL_SERVER = REPO / ".peers/py-mcp1/bin/mcp-shell-server"


def _running(path: Path) -> list[int]:
    """The pids of processes whose command line names `path`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if proc.name.isdigit() and str(path).encode() in cmdline:
            found.append(int(proc.name))
    return found


@pytest.mark.skipif(
    not SHELL_SERVER.exists(),
    reason=f"{SHELL_SERVER.relative_to(REPO)} is missing: run `make peers` (needs pip and PyPI)",
)
def test_a_tool_refusing_for_want_of_an_environment_variable_says_to_set_it(
    capsys: pytest.CaptureFixture[str],
    processes: Processes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """mcp-shell-server 1.1.14 without ALLOW_COMMANDS answers each shell_execute with
    isError 'Error executing command: No commands are allowed. Please set ALLOW_COMMANDS
    environment variable.': the finding was unclassified, 'without naming a missing field',
    and said nothing of the variable. It names it, unset in the worker's environment, and
    where to set it. The pool's two servers are gone once it drained."""
    monkeypatch.delenv("ALLOW_COMMANDS", raising=False)
    path = tmp_path / "shell.yaml"
    command = json.dumps([str(SHELL_SERVER)])
    path.write_text(
        "name: shell-mcp\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 2, max_overflow: 0, lazy: false, checkout_timeout: 30, "
        "request_timeout: 30}\n"
        "steps:\n"
        "  - request:\n"
        "      command: tools/call\n"
        '      args: {name: shell_execute, arguments: {command: ["echo", "{i}"]}}\n'
        "      count: 4\n"
        "      concurrency: 2\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert "Please set ALLOW_COMMANDS environment variable." in finding["failure"]["message"]
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        "; it asks for environment variable ALLOW_COMMANDS, not set in the worker's "
        "environment: set ALLOW_COMMANDS in the scenario's `worker.env`"
    ), outcome["why"]
    assert _running(SHELL_SERVER) == []


@pytest.mark.skipif(
    importlib.util.find_spec("mcp_server_git") is None,
    reason="mcp-server-git is missing: `make venv` installs the dev extra",
)
def test_a_tool_naming_a_path_of_its_arguments_that_is_not_there_says_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-server-git 2026.10.19's git_log given a repo_path that is not there answers only
    'Error executing tool git_log: PATH' (isError): the finding was unclassified, 'without
    naming a missing field', the path's absence unsaid. It says which argument gave it. The
    pool's servers are gone once it drained."""
    gone = tmp_path / "no-such-repo"
    path = tmp_path / "git.yaml"
    command = json.dumps([sys.executable, "-m", "mcp_server_git"])
    path.write_text(
        "name: git-mcp\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 2, max_overflow: 0, lazy: false, checkout_timeout: 30, "
        "request_timeout: 30}\n"
        "steps:\n"
        "  - request:\n"
        "      command: tools/call\n"
        f"      args: {{name: git_log, arguments: {{repo_path: {gone}}}}}\n"
        "      count: 2\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["failure"]["message"].endswith(f"Error executing tool git_log: {gone}")
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        f"; it names the path its args' `arguments.repo_path` gives, which does not exist "
        f"({gone}): give one that is there"
    ), outcome["why"]
    events = (Path(report["run_dir"]) / "events.jsonl").read_text().splitlines()
    spawned = [e["pid"] for e in map(json.loads, events) if e["type"] == "spawn"]
    assert len(spawned) == 2, spawned
    assert [pid for pid in spawned if Path(f"/proc/{pid}").exists()] == []


MEMORY_SERVER = (
    REPO / ".peers/alone/@modelcontextprotocol/server-memory/node_modules/.bin/mcp-server-memory"
)


@pytest.mark.skipif(
    not MEMORY_SERVER.exists(),
    reason=f"{MEMORY_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_tool_writing_in_a_folder_its_environment_names_and_that_is_not_there_says_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """server-memory 2026.8.31 given MEMORY_FILE_PATH in a folder that is not there answers
    each create_entities with `ENOENT: no such file or directory, open
    '<MEMORY_FILE_PATH>.<random hex>.tmp'` (isError). Each call was a finding of its own (the
    random name made each error new), unclassified 'without naming a missing field'. They are
    one, which names the folder and the variable that points there."""
    gone = tmp_path / "no-such-folder"
    path = tmp_path / "memory.yaml"
    command = json.dumps([str(MEMORY_SERVER)])
    path.write_text(
        "name: memory-mcp\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: 30, "
        f"env: {{MEMORY_FILE_PATH: {gone}/memory.jsonl}}}}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 30, "
        "request_timeout: 30}\n"
        "steps:\n"
        "  - request:\n"
        "      command: tools/call\n"
        "      args: {name: create_entities, arguments: {entities: "
        '[{name: "e{i}", entityType: thing, observations: [o]}]}}\n'
        "      count: 2\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert (
        f"ENOENT: no such file or directory, open '{gone}/memory.jsonl."
        in (finding["failure"]["message"])
    )
    assert finding["failure"]["details"]["explains.expectation_failed"] == "2", finding["failure"]
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        f"; the folder {gone} of the file it names does not exist, and the worker's "
        f"environment points there (MEMORY_FILE_PATH={gone}/memory.jsonl): create it, or set "
        "MEMORY_FILE_PATH in the scenario's `worker.env` to a path in a folder that exists"
    ), outcome["why"]
    assert not list(tmp_path.glob("**/memory.jsonl*"))


@pytest.mark.skipif(
    importlib.util.find_spec("mcp_server_fetch") is None,
    reason="mcp-server-fetch is missing: `make venv` installs the dev extra",
)
def test_a_tool_asking_for_an_option_of_the_servers_command_line_says_to_add_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-server-fetch 2026.10.24's fetch of a loopback address answers 'Refused to fetch …:
    127.0.0.1 resolves to 127.0.0.1, which is not a public address. Start the server with
    --allow-private-ips to allow private, loopback and link-local addresses.' (isError, no
    connection made): the finding was unclassified 'without naming a missing field', the option
    unsaid. It names the option and where it goes (started so, the server tries the address)."""
    path = tmp_path / "fetch.yaml"
    command = json.dumps([sys.executable, "-m", "mcp_server_fetch"])
    path.write_text(
        "name: fetch-mcp\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 30, "
        "request_timeout: 30}\n"
        "steps:\n"
        "  - request:\n"
        "      command: tools/call\n"
        '      args: {name: fetch, arguments: {url: "http://127.0.0.1:9/x"}}\n'
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert "Start the server with --allow-private-ips" in finding["failure"]["message"]
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        "; it asks to be started with `--allow-private-ips`, which the scenario's "
        "`worker.command` does not give: add `--allow-private-ips` to that command (an option "
        "of the server, not of the tool)"
    ), outcome["why"]
    events = (Path(report["run_dir"]) / "events.jsonl").read_text().splitlines()
    spawned = [e["pid"] for e in map(json.loads, events) if e["type"] == "spawn"]
    assert [pid for pid in spawned if Path(f"/proc/{pid}").exists()] == []


NOTION_SERVER = (
    REPO / ".peers/alone/@notionhq/notion-mcp-server/node_modules/.bin/notion-mcp-server"
)
NOTION_HOST = "api.notion.com"


def _resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


@pytest.mark.skipif(
    not NOTION_SERVER.exists(),
    reason=f"{NOTION_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_tool_whose_service_host_does_not_resolve_is_said_out_of_reach(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@notionhq/notion-mcp-server 2.5.2 on a machine with no network answers API-get-self with
    the error `getaddrinfo ENOTFOUND api.notion.com` (-32603), whatever its token. The finding
    was unclassified, 'without naming a missing field', and said nothing more: it names the host
    that does not resolve, and its service as out of this machine's reach."""
    if _resolves(NOTION_HOST):
        pytest.skip(f"{NOTION_HOST} resolves here: the server reaches its service")
    path = tmp_path / "notion.yaml"
    command = json.dumps([str(NOTION_SERVER)])
    path.write_text(
        "name: notion-mcp\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 30, "
        "request_timeout: 30}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: API-get-self, arguments: {}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    error = f"getaddrinfo ENOTFOUND {NOTION_HOST}"
    assert error in finding["failure"]["message"], finding["failure"]
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        f"; the host name {NOTION_HOST} does not resolve here (`{error}`): the service it calls "
        "is out of this machine's reach (no network or DNS here, or a host mistyped in its "
        "configuration), not a fault of the request"
    ), outcome["why"]


GITHUB_SERVER = (
    REPO / ".peers/alone/@modelcontextprotocol/server-github/node_modules/.bin/mcp-server-github"
)


@pytest.mark.skipif(
    not GITHUB_SERVER.exists(),
    reason=f"{GITHUB_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_tool_whose_fetch_failed_is_said_out_of_reach_its_cause_untested(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@modelcontextprotocol/server-github 2025.4.8 on a machine with no network answers
    get_file_contents with the error `fetch failed` (-32603): Node's fetch got no HTTP answer,
    and the message names neither the host nor the cause. The finding was unclassified,
    'without naming a missing field', and said nothing more."""
    if _resolves("api.github.com"):
        pytest.skip("api.github.com resolves here: the server reaches its service")
    path = tmp_path / "github.yaml"
    path.write_text(
        "name: github-mcp\n"
        f"worker: {{command: {json.dumps([str(GITHUB_SERVER)])}, protocol: mcp, "
        "init_timeout: 30}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 30, "
        "request_timeout: 30}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: get_file_contents, arguments: "
        "{owner: a, repo: b, path: README.md}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["failure"]["message"].startswith("fetch failed"), finding["failure"]
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        "; `fetch failed` is Node's fetch getting no HTTP answer: a name lookup, a connection or "
        "TLS failed, and the message leaves out which (untested here): the service it calls is "
        "out of this machine's reach (no network or DNS here, or a host or proxy wrong in its "
        "configuration), not a fault of the request"
    ), outcome["why"]


AWS_DOCS = "awslabs.aws-documentation-mcp-server"
_BESIDE = Path(sys.executable).parent / AWS_DOCS  # the venv's, which `make venv` installs
AWS_DOCS_PROGRAM = str(_BESIDE) if _BESIDE.exists() else shutil.which(AWS_DOCS)


@pytest.mark.skipif(
    AWS_DOCS_PROGRAM is None, reason=f"{AWS_DOCS} is missing: `make venv` installs the dev extra"
)
def test_a_tool_whose_url_host_does_not_resolve_names_that_host(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """awslabs.aws-documentation-mcp-server 1.2.3 on a machine with no network answers
    read_documentation with `Failed to fetch https://docs.aws.amazon.com/…: [Errno -2] Name or
    service not known` (isError). The lookup's words name no host: the finding said 'a host
    name does not resolve'; the URL it fetched names it."""
    host = "docs.aws.amazon.com"
    if _resolves(host):
        pytest.skip(f"{host} resolves here: the server reaches its service")
    path = tmp_path / "aws-docs.yaml"
    url = f"https://{host}/AmazonS3/latest/userguide/bucketnamingrules.html"
    path.write_text(
        "name: aws-docs-mcp\n"
        f"worker: {{command: {json.dumps([str(AWS_DOCS_PROGRAM)])}, protocol: mcp, "
        "init_timeout: 60}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 60, "
        "request_timeout: 60}\n"
        "steps:\n"
        f"  - request: {{command: tools/call, args: {{name: read_documentation, arguments: "
        f"{{url: {json.dumps(url)}}}}}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert "Name or service not known" in finding["failure"]["message"], finding["failure"]
    outcome = finding["outcome"]
    assert outcome["type"] == "unclassified", outcome
    assert outcome["why"].endswith(
        f"; the host name {host} does not resolve here (`Name or service not known`): the "
        "service it calls is out of this machine's reach (no network or DNS here, or a host "
        "mistyped in its configuration), not a fault of the request"
    ), outcome["why"]


NEO4J_SERVER = REPO / ".peers/py-alone/mcp-neo4j-cypher/bin/mcp-neo4j-cypher"


@pytest.mark.skipif(
    not NEO4J_SERVER.exists(),
    reason=f"{NEO4J_SERVER.relative_to(REPO)} is missing: run `make peers` (needs pip and PyPI)",
)
def test_a_tool_waiting_on_a_service_it_retries_names_that_service(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-neo4j-cypher 0.6.0 pointed at a port where no Neo4j listens answers nothing to
    read_neo4j_cypher while its driver logs `Transaction failed and will be retried in …s
    (Couldn't connect to 127.0.0.1:PORT …` again and again: the finding said only 'no response
    within 8 s' and that the pool's SIGTERM ended it. It names the service's address and the
    lines, and says to start it."""
    with socket.socket() as s:  # a port nothing listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "neo4j.yaml"
    worker = {
        "command": [str(NEO4J_SERVER)],
        "protocol": "mcp",
        "init_timeout": 60,
        "env": {"NEO4J_URI": f"bolt://127.0.0.1:{port}"},
    }
    path.write_text(
        "name: neo4j-mcp\n"
        f"worker: {json.dumps(worker)}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 60, "
        "request_timeout: 8}\n"
        "steps:\n"
        "  - request:\n"
        "      command: tools/call\n"
        "      args: {name: read_neo4j_cypher, arguments: {query: 'RETURN 1'}}\n"
        "      count: 1\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert outcome["pattern_id"] == "port-no-response", outcome
    address = f"127.0.0.1:{port}"
    assert (
        "no response within 8 s; meanwhile its stderr logged " in outcome["cause"]
        and f" failed connection(s) to a service at {address} (`Transaction failed and will "
        "be retried in "
        in outcome["cause"]
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Start the service the worker connects to ({address}) before the pool"
    ), outcome["remediation"]

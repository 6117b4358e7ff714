# ruff: noqa: E501  (the failure templates are copies of real log lines, kept whole)
"""`poolctl triage` on a large generated ExUnit log, against `grep -E -c` on the same file.

Generates an ExUnit console log (default 500 MB; `--mb N` or POOLCTL_BENCH_MB=N for quick
runs) into a temporary folder: progress dots, Logger lines, `IO.puts` output and, every
`--failure-every` KB, a failure block of one of the seven patterns or an unrelated one, with
the Logger lines around it. Then, in the same run, times the whole `poolctl triage` command
(a subprocess; peak RSS from `wait4`) and `grep -E -c` with the union of the knowledge base's
regexes (translated to POSIX ERE) over the same file. Prints MB/s, peak RSS and the ratio
triage / grep. Targets: ratio <= 3, peak RSS <= 200 MB. The file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from poolctl.patterns import load_patterns

TARGET_RATIO = 3.0
TARGET_RSS_MB = 200

NOISE = [
    "{t} [debug] Attempting to checkout from pool: :test_pool_{n}_pool",
    "{t} [debug] Initializing pool worker: {{:worker, :test_pool_{n}_pool, 1}}",
    "{t} [info] Pool :test_pool_{n}_pool started with 2 workers (lazy: true)",
    "{t} [debug] Worker {{:worker, :test_pool_{n}_pool, 2}} ready",
    "{t} [info] Sending ping request {n} to #Port<0.{n}> (98 bytes)",
    "{t} [debug] Mock adapter started with config: %{{deterministic: true, name: "
    "DSPex.Adapters.Mock, response_delay_ms: 0, error_rate: 0.0, mock_responses: %{{}}}}",
    '{t} [info] Python environment validation successful: %{{script_path: "/srv/app/priv/'
    'python/bridge.py", version: "2.6.27", python_version: "3.12.10"}}',
    "{t} [debug] Checkout cancelled on :test_pool_{n}_pool: #Reference<0.1.2.{n}> timed out",
    "Pool started without pre-warming (lazy initialization)",
    "Session tracking working correctly",
    "✅ Found 3 programs in bridge",
]

FAILURES = [
    """  {k}) test direct port communication with Port.command/2 (PortCommunicationTest)
     test/port_communication_test.exs:7
     No response received within 5 seconds
     code: flunk("No response received within 5 seconds")
     stacktrace:
       test/port_communication_test.exs:72: (test)
""",
    """  {k}) test V2 Adapter Integration health check works (PoolV2Test)
     test/pool_v2_test.exs:289
     match (=) failed
     code:  assert :ok = adapter.health_check.()
     left:  :ok
     right: {{:error, {{:shutdown, {{NimblePool, :checkout, [:test_pool_{n}]}}}}}}
     stacktrace:
       test/pool_v2_test.exs:291: (test)
""",
    """  {k}) test V2 Pool Architecture error handling doesn't affect other operations (PoolV2Test)
     test/pool_v2_test.exs:178
     match (=) failed
     code:  assert {{:ok, _}} = result
     left:  {{:ok, _}}
     right: {{:error, {{:pool_timeout, {{:timeout, {{NimblePool, :checkout, [:test_pool_{n}_pool]}}}}}}}}
     stacktrace:
       test/pool_v2_test.exs:214: (test)
""",
    """  {k}) test V2 Pool Architecture pool starts successfully with lazy workers (PoolV2Test)
     test/pool_v2_test.exs:50
     ** (FunctionClauseError) no function clause matching in PoolV2Test."test V2 Pool Architecture pool starts successfully with lazy workers"/1

     The following arguments were given to PoolV2Test."test V2 Pool Architecture pool starts successfully with lazy workers"/1:

         # 1
         %{{async: false, line: 50, module: PoolV2Test, pid: #PID<0.{n}.0>, registered: %{{}}, test: :"test x", pool_size: 2, genserver_name: :test_pool_{n}, pool_name: :test_pool_{n}_pool, test_pid: #PID<0.1017.0>}}

     code: test "pool starts successfully with lazy workers", %{{
     stacktrace:
       test/pool_v2_test.exs:50: (test)
""",
    """  {k}) test pool handles blocking operations correctly (PoolV2ConcurrentTest)
     test/pool_v2_concurrent_test.exs:93
     match (=) failed
     code:  assert {{:ok, programs}} = result
     left:  {{:ok, programs}}
     right: {{:error, "Program ID is required"}}
     stacktrace:
       test/pool_v2_concurrent_test.exs:153: (test)
""",
    """  {k}) test get_adapter/1 respects TEST_MODE environment variable in test env (DSPex.Adapters.RegistryTest)
     test/dspex/adapters/registry_test.exs:54
     Assertion with == failed
     code:  assert Registry.get_adapter() == PythonPort
     left:  DSPex.Adapters.PythonPool
     right: DSPex.Adapters.PythonPort
     stacktrace:
       test/dspex/adapters/registry_test.exs:65: (test)
""",
    """  {k}) test test capabilities provides correct test capabilities (DSPex.Adapters.BridgeMockTest)
     test/dspex/adapters/bridge_mock_test.exs:154
     ** (exit) exited in: GenServer.call(DSPex.Adapters.BridgeMock, :reset, 5000)
         ** (EXIT) no process: the process is not alive or there's no process currently associated with the given name, possibly because its application isn't started
     stacktrace:
       (elixir 1.18.3) lib/gen_server.ex:1128: GenServer.call/3
""",
    """  {k}) test true concurrent execution with pre-warmed workers (PoolV2ConcurrentTest)
     test/pool_v2_concurrent_test.exs:11
     Assertion with < failed
     code:  assert d < 1000
     left:  {n}
     right: 1000
     stacktrace:
       test/pool_v2_concurrent_test.exs:87: (test)
""",
]


def generate(path: Path, megabytes: int, failure_every_kb: int, seed: int = 7) -> int:
    """Write the log; return the number of failure blocks written."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    written = failures = 0
    since_failure = 0
    clock = 0
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write("Compiling 12 files (.ex)\nGenerated app\n")
        while written < target:
            lines = []
            for _ in range(40):
                clock += rng.randint(1, 40)
                t = f"{clock // 3_600_000 % 24:02d}:{clock // 60_000 % 60:02d}:" + (
                    f"{clock // 1000 % 60:02d}.{clock % 1000:03d}"
                )
                lines.append("\n" + rng.choice(NOISE).format(t=t, n=rng.randint(100, 99_999)))
                if rng.random() < 0.3:
                    lines.append("\n" + "." * rng.randint(1, 60))
            chunk = "\n".join(lines) + "\n"
            since_failure += len(chunk)
            if since_failure >= failure_every_kb * 1000:
                since_failure = 0
                failures += 1
                block = rng.choice(FAILURES).format(k=failures, n=rng.randint(100, 99_999))
                chunk += "\n\n" + block + "\n"
            out.write(chunk)
            written += len(chunk)
        out.write(
            f"\nFinished in 290.8 seconds (48.8s async, 241.9s sync)\n"
            f"{failures * 40} tests, {failures} failures\n"
        )
    return failures


def to_ere(regex: str) -> str:
    """A Python regex as POSIX ERE for GNU grep: a superset match (lookarounds dropped)."""
    out = re.sub(r"\(\?[imsx]+\)", "", regex)
    out = re.sub(r"\(\?P<\w+>", "(", out)
    out = out.replace("(?:", "(")
    out = re.sub(r"\(\?[!=]([^()]|\([^()]*\))*\)", "", out)  # lookaheads
    out = re.sub(r"\\[1-9]", "['\"]", out)  # the only back-references quote a string
    out = re.sub(r"([*+?}])\?", r"\1", out)  # lazy quantifiers
    out = out.replace("[^\\n]", ".").replace("\\n", " ")

    def bracket(m: re.Match[str]) -> str:
        body = m.group(1)
        negate = body.startswith("^")
        body = body[1:] if negate else body
        has_close = "\\]" in body
        body = body.replace("\\]", "")
        body = body.replace("\\w", "[:alnum:]_").replace("\\d", "0-9").replace("\\s", "[:space:]")
        body = re.sub(r"\\(.)", r"\1", body)
        if "-" in body.replace("0-9", "").replace("a-z", "").replace("A-Z", ""):
            body = body.replace("-", "") + "-"
        return "[" + ("^" if negate else "") + ("]" if has_close else "") + body + "]"

    out = re.sub(r"\[((?:\\.|[^\]\\])+)\]", bracket, out)
    return out.replace("\\d", "[0-9]")


def grep_pattern() -> tuple[str, int]:
    """The union of every builtin signal regex that GNU grep accepts, and how many it dropped."""
    accepted, dropped = [], 0
    for pattern in load_patterns():
        for regex in pattern.regexes():
            ere = to_ere(regex)
            ok = subprocess.run(
                ["grep", "-E", "-e", ere, "/dev/null"], capture_output=True, check=False
            ).returncode
            if ok == 2:
                dropped += 1
            else:
                accepted.append(f"({ere})")
    return "|".join(accepted), dropped


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed with exit status {proc.returncode}")
    return seconds, usage.ru_maxrss * 1024, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=int(os.environ.get("POOLCTL_BENCH_MB", 500)))
    parser.add_argument("--failure-every", type=int, default=200, metavar="KB")
    args = parser.parse_args()
    if shutil.which("grep") is None:
        raise SystemExit("grep is needed for the baseline")
    union, dropped = grep_pattern()
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-") as tmp:
        log = Path(tmp) / "big.log"
        start = time.perf_counter()
        failures = generate(log, args.mb, args.failure_every)
        size = log.stat().st_size
        print(
            f"generated {size / 1e6:.0f} MB, {failures:,} failure blocks "
            f"in {time.perf_counter() - start:.1f} s"
        )
        env = {**os.environ, "LC_ALL": "C"}  # grep's fastest mode: the strictest baseline
        grep_s, grep_rss, grep_out = timed(["grep", "-E", "-c", union, str(log)], env)
        triage_s, triage_rss, _ = timed(
            [
                sys.executable,
                "-m",
                "poolctl",
                "triage",
                str(log),
                "--format",
                "json",
                "--output",
                os.devnull,
                "--run-dir",
                str(Path(tmp) / "run"),
                "--fail-on",
                "never",
            ]
        )
    mb = size / 1e6
    ratio = triage_s / grep_s
    rss_mb = triage_rss / 1e6
    print(f"grep -E -c ({grep_out.strip()} lines, {dropped} regexes not expressible in ERE)")
    print(f"  {grep_s:6.2f} s  {mb / grep_s:7.1f} MB/s  peak RSS {grep_rss / 1e6:6.1f} MB")
    print("poolctl triage")
    print(f"  {triage_s:6.2f} s  {mb / triage_s:7.1f} MB/s  peak RSS {rss_mb:6.1f} MB")
    ok_ratio = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    ok_rss = "OK" if rss_mb <= TARGET_RSS_MB else "OVER TARGET"
    print(f"ratio triage / grep  {ratio:.2f}   target <= {TARGET_RATIO:g}   {ok_ratio}")
    print(f"peak RSS             {rss_mb:.0f} MB   target <= {TARGET_RSS_MB} MB   {ok_rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

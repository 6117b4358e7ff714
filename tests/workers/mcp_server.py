"""A small MCP server on the real `mcp` SDK (stdio), healthy or broken the way real servers
break. Every fault is a switch, so one file serves every test:

  --banner            print("MCP Server running on stdio") before serving (a `console.log` in
                      `main()`, in Python)
  --blank-line        a banner on stderr ended by an empty `print()`, whose newline goes to
                      stdout before serving
  --log-stdout        a logging handler on stdout logs "Starting server" before serving
  --rich-banner       a Rich box banner on stdout (as `rich.print(Panel(...))` does)
  --json-log          a JSON logger on stdout: valid JSON, no JSON-RPC
  --slow-import S     an import that takes S seconds before serving
  --serve-at S        serve S seconds after its spawn, however long the SDK took to import
                      (a start whose length a loaded machine does not change)
  --burn S            spend S seconds of CPU before serving (a heavy server's start:
                      mcp-server-fetch's imports take 1.9 s of CPU), slowed as much as the
                      machine is loaded
  --crash             a dependency missing at start (ModuleNotFoundError)
  --stderr-warning    a warning on stderr at start (harmless unless stderr is merged)
  --slow-tool         a third tool, `wait`, that sleeps its `seconds` before answering (a fetch
                      of a slow page): the SDK answers it `Connection closed` if stdin closes first
  --sampling-tool     a tool, `summarize`, that asks the client for a completion
                      (`sampling/createMessage`) before answering, and reports an error
                      (isError) with the client's refusal when it gets none
  --outlive-input     once its stdin ends and the SDK stops serving, stay running (a thread
                      left behind keeps a real server's process alive): closing stdin ends
                      nothing
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time

parser = argparse.ArgumentParser()
for flag in ("--banner", "--blank-line", "--log-stdout", "--rich-banner", "--json-log", "--crash"):
    parser.add_argument(flag, action="store_true")
parser.add_argument("--stderr-warning", action="store_true")
parser.add_argument("--slow-tool", action="store_true")
parser.add_argument("--sampling-tool", action="store_true")
parser.add_argument("--outlive-input", action="store_true")
parser.add_argument("--slow-import", type=float, default=0.0)
parser.add_argument("--serve-at", type=float, default=0.0)
parser.add_argument("--burn", type=float, default=0.0)
opts = parser.parse_args()


def since_spawn() -> float:
    """Seconds since this process started, as the kernel counts them (/proc)."""
    with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
        started = int(stat.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        return float(uptime.read().split()[0]) - started


if opts.crash:
    import sharp_image_codec  # noqa: F401  (not installed: the server dies at start)
burn_until = time.process_time() + opts.burn
while time.process_time() < burn_until:
    pass  # CPU-bound work, as imports that build thousands of objects are
if opts.slow_import:
    time.sleep(opts.slow_import)  # as a heavy import (torch, a model) does, before serving

# The SDK's import builds thousands of pydantic models, and the collector went over them again
# and again as they were made: with it paused (its objects frozen after: they live as long as
# the server), a start costs about 0.5 s of CPU instead of 0.7 s, and the suite starts 54.
gc.disable()
from mcp.server.mcpserver import MCPServer  # noqa: E402

gc.freeze()
gc.enable()

if opts.serve_at:
    time.sleep(max(0.0, opts.serve_at - since_spawn()))

server = MCPServer("poolctl-test-server", version="1.0.0")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


if opts.slow_tool:

    @server.tool()
    async def wait(seconds: float) -> str:
        """Answer after `seconds`."""
        import anyio

        await anyio.sleep(seconds)
        return "done"


if opts.sampling_tool:
    from mcp.server.mcpserver import Context
    from mcp_types import SamplingMessage, TextContent

    @server.tool()
    async def summarize(text: str, ctx: Context) -> str:
        """Summarize `text` with the client's model (MCP sampling)."""
        asked = SamplingMessage(role="user", content=TextContent(type="text", text=text))
        answer = await ctx.session.create_message([asked], max_tokens=50)
        return str(answer.content)


if opts.stderr_warning:
    print("WARNING: OPENAI_API_KEY is not set, using the mock model", file=sys.stderr, flush=True)
if opts.banner:
    print("MCP Server running on stdio", flush=True)
if opts.blank_line:
    print("MCP Server running on stdio", file=sys.stderr, flush=True)
    print(flush=True)  # the spacing line, left on stdout
if opts.log_stdout:
    log = logging.getLogger("server")
    handler = logging.StreamHandler(sys.stdout)  # the mistake: stdout carries the messages
    handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("Starting server")
if opts.rich_banner:
    from rich.console import Console
    from rich.panel import Panel

    Console(file=sys.stdout, width=40).print(Panel("poolctl-test-server v1.0.0", title="MCP"))
    sys.stdout.flush()
if opts.json_log:
    record = {"level": "info", "msg": "server starting", "pid": 1234}
    print(json.dumps(record), flush=True)

server.run()
if opts.outlive_input:
    time.sleep(3600)

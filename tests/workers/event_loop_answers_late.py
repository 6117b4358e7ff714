"""A JSON-RPC worker (line framing) on an asyncio event loop: it reads each request as it
comes and answers it DELAY seconds (its argument) later in a task of its own, the loop still
watching its stdin meanwhile; at the end of its input it finishes the tasks begun, then exits.
A handler slower than the timeout, or one slowed so by a loaded machine. With `eof+DELAY`,
each answer comes DELAY seconds after its input ends, whenever that is (a handler that
finishes only after poolctl closed its stdin, however late a loaded machine makes that)."""

import asyncio
import json
import sys

AFTER_EOF = sys.argv[1].startswith("eof+")
DELAY = float(sys.argv[1].removeprefix("eof+"))


async def answer(message: dict[str, object], ended: asyncio.Event) -> None:
    if AFTER_EOF:
        await ended.wait()
    await asyncio.sleep(DELAY)
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": "pong"}) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    ended = asyncio.Event()
    tasks = []
    while line := await reader.readline():
        tasks.append(asyncio.ensure_future(answer(json.loads(line), ended)))
    ended.set()
    await asyncio.gather(*tasks)


asyncio.run(main())

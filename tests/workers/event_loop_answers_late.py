"""A JSON-RPC worker (line framing) on an asyncio event loop: it reads each request as it
comes and answers it DELAY seconds (its argument) later in a task of its own, the loop still
watching its stdin meanwhile; at the end of its input it finishes the tasks begun, then exits.
A handler slower than the timeout, or one slowed so by a loaded machine."""

import asyncio
import json
import sys

DELAY = float(sys.argv[1])


async def answer(message: dict[str, object]) -> None:
    await asyncio.sleep(DELAY)
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": "pong"}) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks = []
    while line := await reader.readline():
        tasks.append(asyncio.ensure_future(answer(json.loads(line))))
    await asyncio.gather(*tasks)


asyncio.run(main())

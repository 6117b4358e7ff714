"""Answers each line's request with success, flushing each answer."""

import json
import sys


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps({"id": request["id"], "success": True, "result": {}}), flush=True)


if __name__ == "__main__":
    main()

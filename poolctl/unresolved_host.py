"""A tool error that says a host name does not resolve: @notionhq/notion-mcp-server 2.5.2 on a
machine with no network answers each tools/call with `getaddrinfo ENOTFOUND api.notion.com`
(-32603). The request is not at fault, nor is a service of the worker's own not started: its
remote service is out of this machine's reach (no network or DNS, or a host mistyped in its
configuration). Node's `fetch failed` (server-github) says as much without naming the host, and
a server's own `Could not connect to arXiv` (arxiv-mcp-server) without naming either."""

from __future__ import annotations

import re

# Node's `getaddrinfo ENOTFOUND host` (EAI_AGAIN: the resolver could not answer), urllib3's
# `Failed to resolve 'host'`; glibc's words with no host named
_UNRESOLVED = re.compile(
    r"\bgetaddrinfo (?:ENOTFOUND|EAI_AGAIN) (?P<node>[\w.-]+)"
    r"|\bFailed to resolve '(?P<urllib3>[\w.-]+)'"
    r"|(?P<glibc>Name or service not known|Temporary failure in name resolution)"
)


# the host of a URL the error names (`Failed to fetch https://docs.aws.amazon.com/…: [Errno -2]
# Name or service not known`: awslabs.aws-documentation-mcp-server 1.2.3)
_URL_HOST = re.compile(r"\bhttps?://([\w.-]+)")
# Node's fetch (undici) failing below HTTP, its cause (a lookup, a connection, TLS) left out of
# the message: @modelcontextprotocol/server-github 2025.4.8 answers `fetch failed` (-32603);
# @supabase/mcp-server-supabase 0.13.0 a tool error holding the TypeError as JSON,
# `{"error":{"name":"TypeError","message":"fetch failed"}}`
_FETCH_FAILED = re.compile(r"(?:^|: |\"message\":\s*\")fetch failed\b")
# a service named, not an address, that the worker says it could not connect to: arxiv-mcp-server
# 0.8.2 offline answers `Could not connect to arXiv after 3 attempts. Please check your network
# connection and retry shortly.`; a loopback address is a service of this machine's (pattern 7)
_NO_CONNECTION = re.compile(
    r"(?i)\b(?:could not|couldn't|unable to|failed to) connect to (?P<what>[\w-]+(?:\.[\w-]+)*)"
)
_LOOPBACK = re.compile(r"(?i)^(?:localhost|127\.[\d.]+|::1)$")


def unresolved_host(error: str) -> str:
    """What the finding adds when the tool's error says a host name does not resolve, or that
    Node's fetch got no HTTP answer ("" when it says neither)."""
    found = _UNRESOLVED.search(error)
    if found is None and _FETCH_FAILED.search(error):
        return (
            "; `fetch failed` is Node's fetch getting no HTTP answer: a name lookup, a "
            "connection or TLS failed, and the message leaves out which (untested here): the "
            "service it calls is out of this machine's reach (no network or DNS here, or a "
            "host or proxy wrong in its configuration), not a fault of the request"
        )
    if found is None:
        return _not_connected(error)
    url = _URL_HOST.search(error)  # glibc's words name no host: the URL it fetched does
    host = found.group("node") or found.group("urllib3") or (url.group(1) if url else None)
    named = f"the host name {host}" if host else "a host name"
    return (
        f"; {named} does not resolve here (`{found.group(0)}`): the service it calls is out of "
        "this machine's reach (no network or DNS here, or a host mistyped in its "
        "configuration), not a fault of the request"
    )


def _not_connected(error: str) -> str:
    """What the finding adds when the error says it could not connect to a service it names,
    not on this machine ("" otherwise)."""
    found = _NO_CONNECTION.search(error)
    if found is None or _LOOPBACK.match(found["what"]):
        return ""
    return (
        f"; it says it could not connect to {found['what']} (`{found.group(0)}`), naming no "
        "cause: the service it calls is out of this machine's reach most likely (no network, "
        "DNS or proxy here, or an address wrong in its configuration; untested), not a fault "
        "of the request"
    )

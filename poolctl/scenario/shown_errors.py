"""The errors a pool's language servers showed their user while the run went on (LSP's
window/showMessage or window/showMessageRequest of type Error), said where an answer held no
result: @ansible/ansible-language-server 1.2.3 on a machine without Ansible answers a hover on
an opened playbook with `result: null`, having shown `Command failed: ansible-config dump
/bin/sh: 1: ansible-config: not found`. A step expecting result.contents was read as a key
under another name (pattern 4)."""

from __future__ import annotations

from poolctl.pool import Pool
from poolctl.protocol.missing_program import missing_program_fix
from poolctl.protocol.shown_error import shown_errors


def shown_in_run(pool: Pool) -> tuple[tuple[str, str], ...]:
    """The errors the pool's workers showed (the first few), each its method and its words."""
    incoming = [
        message
        for worker in pool.all_workers
        for message in (*worker.process.server_requests, *worker.process.notifications)
    ]
    return shown_errors(incoming)


def null_with_shown_error(command: str, present: list[str], pool: Pool) -> str:
    """Why an answer holding no result (no key under `result`) came, when the server showed an
    error as the run went on ("" otherwise), and the program to install when it names one."""
    if "result" not in present or any(p.startswith("result.") for p in present):
        return ""
    shown = shown_in_run(pool)
    if not shown:
        return ""
    method, said = shown[0]
    why = (
        f"the server answered {command} with no result (null), and showed its user the error "
        f"{said!r} ({method}) as the run went on; that this is why it had no result is "
        "untested"
    )
    env = pool.spec.environment()
    fixes = [fix for _, each in shown if (fix := missing_program_fix(each, env))]
    return why + (f". {fixes[0]}" if fixes else "")

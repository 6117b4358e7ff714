"""What `vulture` (in `make lint`) cannot see used, each with why. Read by vulture only: the
names below are the uses.

Not listed, because pyproject.toml's `[tool.vulture]` tells vulture so: functions decorated as
typer commands or callbacks, hypotheses (registered by their cause id), pydantic validators,
SQLAlchemy event listeners and pytest fixtures; the `on_<event>` methods of
`poolctl/report/replay.py` (called by each event's type); pytest's hooks; `model_config`
(pydantic's); Alembic's migration hooks.
"""

from poolctl.app import LazyGroup
from poolctl.commands import completion, report, scenario, triage
from poolctl.commands.completion import Shell
from poolctl.history.recorder import _Tee
from poolctl.model import DoctorDetails, TriageDetails
from poolctl.options import FramingName, LogFormat, PingFraming, ProtocolName

# Commands imported by name from poolctl/commands/index.py (`CommandEntry.attr`).
completion.completion_command
report.report_command
scenario.run_scenario_command
triage.triage_command

# click calls these on the root group (its command list) and on each option (its type label).
LazyGroup.list_commands
_.display_type_rich

# The choices of options: typer reads each enum's members.
Shell.BASH, Shell.ZSH, Shell.FISH
FramingName.PACKET_4, FramingName.PACKET_2, FramingName.PACKET_1, FramingName.CONTENT_LENGTH
PingFraming.PACKET_4, PingFraming.PACKET_2, PingFraming.PACKET_1, PingFraming.CONTENT_LENGTH
ProtocolName.JSONRPC, ProtocolName.MCP, ProtocolName.LSP
LogFormat.EXUNIT, LogFormat.PYTEST

# Report fields written to report.json through `dataclasses.fields` (the JSON writer).
DoctorDetails.init_timeout_s
TriageDetails.knowledge_base
TriageDetails.pattern_sources

# Attributes set on other libraries' objects: RE2's options, sqlite3's connection, click's
# option parser (doctor finds where a worker command given without `--` begins).
_.log_errors
_.never_capture
_.isolation_level
_.allow_interspersed_args

# io.RawIOBase calls it: standard input copied for the history as triage reads it.
_Tee.readinto

# A package attribute imported when first asked for (PEP 562): the report writers.
_.__getattr__

# An MCP tool of tests/workers/mcp_server.py: registered by its decorator, called by its name.
_.summarize

"""Scenarios: load a YAML scenario (`load`), run it against real workers (`run`), read which
patterns its trace shows (`classify`), and judge it against its `expect` as a Report (`report`).

The loader's names are re-exported here; `run_scenario` lives in `poolctl.scenario.report`.
"""

from poolctl.scenario.load import (
    Scenario,
    bundled_scenarios,
    find_scenario,
    load_scenario,
    read_scenario,
    reproduce_command,
)
from poolctl.scenario.schema import (
    ExpectSection,
    KillWorkerStep,
    NotifyStep,
    PoolSection,
    RequestStep,
    ResponseExpect,
    ScenarioFile,
    ServiceSection,
    ServiceStep,
    SleepStep,
    Step,
    StopPoolStep,
    WorkerSection,
)

__all__ = [
    "ExpectSection",
    "KillWorkerStep",
    "NotifyStep",
    "PoolSection",
    "RequestStep",
    "ResponseExpect",
    "Scenario",
    "ScenarioFile",
    "ServiceSection",
    "ServiceStep",
    "SleepStep",
    "Step",
    "StopPoolStep",
    "WorkerSection",
    "bundled_scenarios",
    "find_scenario",
    "load_scenario",
    "read_scenario",
    "reproduce_command",
]

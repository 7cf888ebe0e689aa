"""Many teams, one command: the organisation's plan, serially or on a dask.distributed cluster.

- :mod:`scheduler.org.config`: ``org.toml`` (teams, shared defaults), checked strictly;
- :mod:`scheduler.org.task`: one team's plan as a task of plain data (:func:`run_team`);
- :mod:`scheduler.org.executors`: where the tasks run (serial, dask) and their progress;
- :mod:`scheduler.org.index`: ``index.html`` with the org's totals;
- :mod:`scheduler.org.run`: the org's plan and validation.

See docs/org.md.
"""

from scheduler.org.config import OrgConfig, OrgDefaults, OrgTeam, load_org, team_config
from scheduler.org.executors import DaskExecutor, Progress, SerialExecutor
from scheduler.org.run import OrgResult, OrgRun, build_tasks, plan_org, validate_org
from scheduler.org.task import FAILED, OK, UNDERSTAFFED, TeamOutcome, TeamTask, run_team

__all__ = [
    "FAILED",
    "OK",
    "UNDERSTAFFED",
    "DaskExecutor",
    "OrgConfig",
    "OrgDefaults",
    "OrgResult",
    "OrgRun",
    "OrgTeam",
    "Progress",
    "SerialExecutor",
    "TeamOutcome",
    "TeamTask",
    "build_tasks",
    "load_org",
    "plan_org",
    "run_team",
    "team_config",
    "validate_org",
]

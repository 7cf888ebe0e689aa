"""Org benchmark: many teams planned serially and on a dask LocalCluster; projection to a larger org.

    python -m benchmarks.org_bench                        # 20 teams x 100 agents, 2 workers
    python -m benchmarks.org_bench --teams 4 --agents 100 --workers 2 --time-limit 2

Generates an org of ``--teams`` team folders (``peakplan.toml``, ``team.toml``
with ``--agents`` agents, an interval history) in a temporary folder: the
teams cycle through ten timezones and holiday calendars, their agents' skills
and contracts come from the roster benchmark's generator
(:mod:`benchmarks.roster_instances`), their histories from the example org's
generator (``examples/org/generate_history.py``) scaled to the team. Each team
plans ISO week ``--week`` with ``--time-limit`` CP-SAT deterministic seconds
(a reduced budget: the teams' default is 20).

It then plans the org twice, serially in this process and on a
:class:`distributed.LocalCluster` of ``--workers`` single-threaded worker
processes, checks that both wrote the same bytes, and prints the wall times,
the per-team times, and the projected wall time of ``--project`` teams on N
workers: ceil(teams / N) x the mean per-team time measured on the cluster (the
teams are independent and about equal in size; the projection leaves out the
cluster's start-up and assumes one team per single-threaded worker process per
core).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HISTORY_GENERATOR = REPO / "examples" / "org" / "generate_history.py"
SALES = REPO / "examples" / "org" / "sales.ics"
GENERATED_AT = dt.datetime.fromisoformat("2026-11-20T09:00:00+00:00")
ZONES = (  # timezone, holiday country
    ("Europe/Berlin", "DE"), ("America/New_York", "US"), ("Asia/Tokyo", "JP"), ("Europe/London", "GB"),
    ("America/Sao_Paulo", "BR"), ("Asia/Kolkata", "IN"), ("Australia/Sydney", "AU"), ("Europe/Madrid", "ES"),
    ("America/Mexico_City", "MX"), ("Asia/Singapore", "SG"),
)  # fmt: skip
TICKETS_PER_AGENT_MONTH = 600  # volume per agent: a normal week needs about the paid hours the team has

CONFIG = """[team]
name = "Benchmark team {index:02d}"
timezone = "{timezone}"
file = "team.toml"

[inputs]
history = "history.csv"
history_format = "intervals"
events = "{sales}"
holidays = "{holidays}"

[forecast]
interval_minutes = 30

[channels.chat]
model = "erlang_c"
aht_seconds = 480
concurrency = 2
target_seconds = 30
open = "08:00-22:00"

[channels.email]
model = "deferred"
aht_seconds = 360
target_hours = 4
open = "08:00-20:00"

[channels.social]
model = "deferred"
aht_seconds = 300
target_hours = 4
open = "09:00-21:00"

[roster]
min_agents = {{ chat = 1 }}

[[roster.shifts]]
name = "day"
hours = 9
lunch_minutes = 60
lunch_after_hours = [3, 5]
breaks = 2
starts = ["08:00", "09:00", "10:00", "11:00", "12:00", "13:00"]

[[roster.shifts]]
name = "half"
hours = 4
breaks = 1
starts = ["08:00", "12:00", "16:00", "18:00"]
"""


def _history_module():
    spec = importlib.util.spec_from_file_location("org_generate_history", HISTORY_GENERATOR)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _team_toml(agents: int, seed: int) -> str:
    from benchmarks.roster_instances import make_team

    team = make_team(agents, seed)
    lines = []
    for contract in team.contracts:
        lines += [
            "[[contracts]]", f'name = "{contract.name}"', f"min_hours_per_week = {contract.min_hours_per_week:g}",
            f"max_hours_per_week = {contract.max_hours_per_week:g}",
            f"max_shifts_per_week = {contract.max_shifts_per_week}",
            "",
        ]  # fmt: skip
    for agent in team.agents:  # skills and contracts; availability and leave are left to the roster benchmark
        channels = ", ".join(f'"{channel}"' for channel in agent.channels)
        lines += [
            "[[agents]]", f'id = "{agent.id}"', f'name = "{agent.name}"', f'email = "{agent.email}"',
            f'contract = "{agent.contract.name}"', f"channels = [{channels}]", "",
        ]  # fmt: skip
    return "\n".join(lines)


def generate_org(folder: Path, teams: int, agents: int) -> Path:
    """Write ``teams`` team folders and org.toml into ``folder``; returns org.toml."""
    history = _history_module()
    model = history._cashback_model()
    entries = []
    for index in range(teams):
        timezone, holidays = ZONES[index % len(ZONES)]
        slug = f"team-{index:02d}"
        team_dir = folder / slug
        team_dir.mkdir(parents=True)
        (team_dir / "peakplan.toml").write_text(
            CONFIG.format(index=index, timezone=timezone, holidays=holidays, sales=SALES), encoding="utf-8"
        )
        (team_dir / "team.toml").write_text(_team_toml(agents, seed=1000 + index), encoding="utf-8")
        frame = history.team_history(model, {
            "timezone": timezone, "holidays": holidays, "tickets_per_month": TICKETS_PER_AGENT_MONTH * agents,
            "queues": ("chat", "email", "social"), "interval_minutes": 30, "seed": 2000 + index,
        })  # fmt: skip
        (team_dir / "history.csv").write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        entries.append(f'{slug} = "{slug}/peakplan.toml"')
    org = folder / "org.toml"
    org.write_text('[org]\nname = "Benchmark org"\n\n[teams]\n' + "\n".join(entries) + "\n", encoding="utf-8")
    return org


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--week", default="2026-W48")
    parser.add_argument("--time-limit", type=float, default=2.0, help="CP-SAT deterministic seconds per team")
    parser.add_argument("--project", type=int, default=50, help="teams of the projected org")
    parser.add_argument("--project-workers", default="2,8,16,50", help="worker counts to project for")
    parser.add_argument("--skip-serial", action="store_true", help="cluster run only (no serial run to compare)")
    args = parser.parse_args(argv)

    import distributed

    from forecasts.grid import parse_week
    from scheduler.org import DaskExecutor, OrgRun, SerialExecutor, load_org, plan_org

    start = parse_week(args.week)
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"org: {args.teams} teams x {args.agents} agents, week {args.week}, CP-SAT budget {args.time_limit:g} s "
          f"(deterministic) per team")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="peakplan-org-bench-") as tmp:
        root = Path(tmp)
        began = time.perf_counter()
        org = load_org(generate_org(root / "org", args.teams, args.agents))
        print(f"generated the org in {time.perf_counter() - began:.1f} s")

        def plan(executor, out: Path):
            began = time.perf_counter()
            with executor:
                run = OrgRun(
                    start=start, days=7, out=out, generated_at=GENERATED_AT, time_limit_seconds=args.time_limit
                )
                result = plan_org(org, executor, run)
            return result, time.perf_counter() - began

        runs = {}
        if not args.skip_serial:
            runs["serial"] = plan(SerialExecutor(), root / "serial")
        with distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
        ) as cluster:
            runs["dask"] = plan(DaskExecutor(cluster.scheduler_address), root / "dask")

        for name, (result, wall) in runs.items():
            times = [outcome.wall_seconds for outcome in result.outcomes]
            failed = [outcome.team for outcome in result.outcomes if outcome.status == "failed"]
            print(
                f"{name:>6}: wall {wall:7.1f} s; per team mean {statistics.mean(times):.1f} s, "
                f"min {min(times):.1f} s, max {max(times):.1f} s; failed: {failed or 'none'}"
            )
        if "serial" in runs:
            same = _files(root / "serial") == _files(root / "dask")
            print(f"byte-identical serial vs dask: {same}")
            if not same:
                return 1
        # Per-team time on the cluster: each worker had one core of this machine (a team's CP-SAT
        # threads shared it); serially a team had both. The projection assumes workers like these.
        per_team = statistics.mean(outcome.wall_seconds for outcome in runs["dask"][0].outcomes)
        cores = max((os.cpu_count() or 1) // args.workers, 1)
        for workers in (int(text) for text in args.project_workers.split(",")):
            waves = math.ceil(args.project / workers)
            print(f"projected {args.project} x {args.agents} on {workers:>3} workers of {cores} core(s): "
                  f"{waves:>3} waves x {per_team:.1f} s = {waves * per_team / 60:.1f} min")  # fmt: skip
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

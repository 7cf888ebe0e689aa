"""What a plan tells people: the HTML report, the printed/JSON summary, roster changes, charts.

- :mod:`.inputs`: what the report is drawn from (filled by :mod:`scheduler.pipeline`).
- :mod:`.page`: the HTML page; :mod:`.charts` and :mod:`.coverage_map`: its charts, inline SVG drawn by
  :mod:`.svg`; :mod:`.markup`: the HTML pieces
  (escaping, tables, how a wait reads) every page shares.
- :mod:`.summary`: the plan's figures for the CLI and ``--json``, the understaffing check.
- :mod:`.diff`: per-agent shift changes between two rosters.

Nothing is imported here: importing one module (:mod:`.markup` for the org index) loads no other.
"""

#!/usr/bin/env bash
# The weekly planning job: check the inputs, plan next week, leave everything to publish in $OUT.
# examples/github-actions-weekly.yml runs it; it runs the same way by hand or from cron.
#
# Environment (only CONFIG is required):
#   CONFIG          the team's peakplan.toml
#   WEEK            ISO week to plan (default: next week, e.g. 2026-W48)
#   OUT             output folder (default: public): CSVs, report.html, summary.json, feeds/
#   GENERATED_AT    stamp for the feeds (default: today 00:00 UTC, so a rerun on the same day gives the same bytes)
#   PREVIOUS_FEEDS  folder with the feeds as last published (default: the feeds already in $OUT)
#   PREVIOUS_ROSTER last published roster.csv (default: $OUT/roster.csv if present): its last days
#                   count for rest and consecutive working days, and a rerun keeps its shifts
#   PEAKPLAN        the peakplan command (default: peakplan)
#   PEAKPLAN_ARGS   more options for `peakplan plan`, e.g. "--time-limit 60 --max-understaffed-share 0.1"
#
# Exit code: plan's. 0 ok; 3 bad input and 4 infeasible rules (nothing written);
# 5 understaffed beyond the threshold: the roster, feeds and report ARE written
# (agents need their shifts), and the caller should publish them and then fail.
set -euo pipefail

: "${CONFIG:?set CONFIG to the path of the team config (peakplan.toml)}"
PEAKPLAN=${PEAKPLAN:-peakplan}
WEEK=${WEEK:-$(date -u -d 'next monday' +%G-W%V)}
OUT=${OUT:-public}
GENERATED_AT=${GENERATED_AT:-$(date -u +%Y-%m-%dT00:00:00Z)}
read -r -a extra <<< "${PEAKPLAN_ARGS:-}"
if [ -n "${PREVIOUS_FEEDS:-}" ]; then
  extra+=(--previous-feeds "$PREVIOUS_FEEDS")
fi
PREVIOUS_ROSTER=${PREVIOUS_ROSTER:-$OUT/roster.csv}
if [ -f "$PREVIOUS_ROSTER" ]; then
  extra+=(--previous "$PREVIOUS_ROSTER")
fi

echo "peakplan: validating $CONFIG for $WEEK" >&2
$PEAKPLAN validate --config "$CONFIG" --week "$WEEK" --quiet

mkdir -p "$OUT"
status=0
$PEAKPLAN plan --config "$CONFIG" --week "$WEEK" --out "$OUT" --generated-at "$GENERATED_AT" \
  --json "${extra[@]}" > "$OUT/summary.json.tmp" || status=$?
if [ -s "$OUT/summary.json.tmp" ]; then
  mv "$OUT/summary.json.tmp" "$OUT/summary.json"
else
  rm -f "$OUT/summary.json.tmp"
fi
echo "peakplan: plan for $WEEK exited $status" >&2
exit "$status"

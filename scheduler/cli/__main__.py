"""`python -m scheduler.cli`: the peakplan command line."""

from scheduler.cli import main

main()

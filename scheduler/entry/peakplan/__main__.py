"""`python -m peakplan`: the peakplan command line."""

from scheduler.cli import main

main()

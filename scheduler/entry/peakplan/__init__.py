"""``python -m peakplan``: the peakplan command line under the distribution's own name.

The repository's top level holds only scheduler/, forecasts/ and calendars/ as
packages, so this tiny package lives in scheduler/entry/peakplan/ and
pyproject.toml installs it as the top-level ``peakplan`` (a second ``where``
for package discovery). Everything is in :mod:`scheduler.cli`.
"""

from scheduler.cli import main

__all__ = ["main"]

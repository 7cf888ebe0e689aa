"""Checking a plan's inputs before anything is solved.

- :mod:`.preflight`: the pre-flight pass every command runs first (:func:`check_inputs`):
  each input read and cross-checked, each output path checked, every problem listed.
- :mod:`.validate`: what `peakplan validate` adds on top (:func:`validate_inputs`): the
  forecast and requirements of the horizon, and whether each agent's hard rules can hold.
"""

"""Staffing requirements, CP-SAT rostering, configuration and the peakplan CLI."""

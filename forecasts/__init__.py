"""Ticket history, interval series, event uplift and the demand forecast."""

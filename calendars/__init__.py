"""iCalendar in and out: the marketing sale calendar and the agents' roster feeds."""

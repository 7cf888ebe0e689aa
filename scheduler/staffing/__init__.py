"""Staffing: how many agents each interval needs, and what a given staffing delivers.

- :mod:`.erlang` (Erlang C) and :mod:`.erlang_a` (Erlang A, with abandonment): live channels.
- :mod:`.backlog`: deferred work (email) answered within a deadline of open time.
- :mod:`.requirements`: a forecast -> required agents per interval and queue (requirements.csv).
- :mod:`.simulation`: discrete-event checks of the models above (used by the tests).
- :mod:`.whatif`: the price of a peak scenario; :mod:`.calculator`: one interval, for `peakplan erlang`.

Nothing is imported here, so `scheduler.staffing.erlang` loads without pandas.
"""

"""A team's project folder: :mod:`.starter` writes a new one (`peakplan init`)."""

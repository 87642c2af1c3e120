"""NPS campaign analysis: intervals, segments, change, theme impact, drivers, accounts at risk."""

"""The moves of a case and what goes with each: timeline, audit, deadlines, notices."""

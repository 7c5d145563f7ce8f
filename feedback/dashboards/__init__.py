"""Dashboards: a window's satisfaction over time for its managers, a subtree's fair ranking for
supervisors, and the charts both draw (``feedback.charts``)."""

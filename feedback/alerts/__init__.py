"""Statistical alerts on windows: burst of bad reviews, low index, p-chart, CUSUM, silence.

Alerts are raised by the sweep (``detect_alerts``), listed, dismissed with a reason, or
turned into a draft rectification notice. Each org unit may set its own rules, inherited
down the tree.
"""

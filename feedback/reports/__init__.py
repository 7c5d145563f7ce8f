"""Reports: CSV and XLSX exports of evaluations and of figures per window and per unit, and
the monthly report PDF of an org unit for reporting upward (专报)."""

"""Audit log: who changed what, when. Every state-changing service writes here."""

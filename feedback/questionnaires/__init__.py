"""Questionnaires in the database: published versions and where each one applies."""

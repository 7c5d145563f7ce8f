"""Accounts: signing in and out, passwords, and the administration of users."""

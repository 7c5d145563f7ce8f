"""The in-app inbox: what waits for each user, and the e-mail outbox that mirrors it."""

"""Benchmarks: `make bench` runs them; the figures go in the issue notes."""

"""Demo data: a realistic province to try Manyi with (``manyi demo``)."""

from feedback.demo.command import demo_command

__all__ = ["demo_command"]

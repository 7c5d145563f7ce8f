"""Periodic work: the steps that move things past their deadlines, and who runs them.

Each domain contributes steps (``steps.STEPS``): announcing new cases, marking overdue cases and
notices, raising alerts, drafting talk notices, sending queued e-mail, pruning the chart cache.
A step is a function ``(now) -> int`` that changes what is due at ``now``, returns how many
things it changed and is idempotent.

Two runners share the steps and the same leases (``services.run_step``):

* ``manyi worker`` (started by ``make run`` beside the web server) runs each step at its own
  cadence with APScheduler;
* ``manyi sweep`` runs every step once, for cron, catching up, and tests (``--now``).

A step runs only while its runner holds the step's lease, a row of ``step_runs`` with an
expiry, so two runners on two machines never run one step at once, and a runner that dies
loses its lease when it expires. The step's work, its success record and the lease's release
commit together: a run that did not commit changed nothing, and the next one does the work.
"""

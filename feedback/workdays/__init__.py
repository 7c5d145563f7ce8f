"""Chinese working days (工作日) and the deadlines counted in them.

Cases are answered within a number of working days (default 5), rectification notices
within another (default 15). A working day is decided, in this order, by

1. an administrator's entry in ``calendar_days`` (a holiday or a make-up working day 调休),
   which overrides everything;
2. the ``chinese-calendar`` package, which knows the State Council's arrangement of the years
   up to its release;
3. weekends only, for a year neither of them covers: the deadline is then *estimated* and
   every screen that shows it says so (``templates/macros/deadline.html``).

Days are local days where the windows are (``BABEL_DEFAULT_TIMEZONE``). Each org unit may set
its own number of working days per kind of deadline (``deadline_policies``); the nearest
ancestor's policy applies below it, else the configured default.

``calendar`` computes (``add_working_days``, ``working_days_between``, ``is_working_day``),
``queries`` answers per org unit (``deadline_days``, ``deadline_for``), ``services`` writes
the calendar and the policies, ``views`` serves /admin/calendar and /admin/deadlines.
"""

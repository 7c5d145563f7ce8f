"""Cases: every bad review, complaint, suggestion and praise that needs an answer.

A case has a tracking number the citizen keeps, moves new → assigned → verified → answered →
followed up → closed (a 不满意 verdict reopens it), has a deadline in working days, and can be
looked up by the citizen at ``/track``. Bad reviews become cases in the same transaction as
their evaluation; the suggestion box, hotline operators and intake systems (API) add the rest.
"""

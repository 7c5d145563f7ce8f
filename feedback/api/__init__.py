"""The JSON API (``/api/v1``): rating devices, queuing systems, and public window data.

Devices authenticate with a key scoped to their windows (``feedback.api.auth``); the
OpenAPI document at ``/api/v1/openapi.json`` describes every route.
"""

"""Shared kernel: won amounts, idempotency records, the clock, base errors, invariant audit.

Imports no other Okryu app.
"""

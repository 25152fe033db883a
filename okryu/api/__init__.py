"""The JSON API (django-ninja), versioned, with problem+json errors.

May import every app below it, through services and queries.
"""

"""Pydantic schemas of the API's request and response bodies, by group of routes."""

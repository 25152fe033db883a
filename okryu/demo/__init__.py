"""Okryu's demo data: users, merchants and a catalog to try the marketplace with.

``load_demo_data`` fills an empty database once (the districts come from the accounts
migration, since production needs them too); ``generate_catalog`` adds a large synthetic
catalog for benchmarks.

A top-layer app: may import every app below it, through services where they exist.
"""

"""Users, shopper profiles, districts and delivery addresses, roles.

May import: core.
"""

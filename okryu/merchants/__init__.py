"""Merchants (stores, factories, restaurants, pharmacies), their opening hours and staff.

May import: core, accounts (and payments, for the settlement account, once it exists).
"""

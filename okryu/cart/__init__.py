"""The shopper's basket across merchants: intent, not yet a commitment.

May import: core, accounts, merchants, catalog.
"""

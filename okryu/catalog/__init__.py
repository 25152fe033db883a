"""Categories, products, prices, stock and Korean search.

May import: core, accounts, merchants.
"""

"""Checkout, orders split into one fulfilment per merchant, the state machine and its event log.

May import: core, notifications, accounts, payments, merchants, catalog, cart.
"""

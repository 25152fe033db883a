"""Couriers and vehicles, delivery jobs, dispatch, tracking, proof of delivery,
the courier's terminal.

May import: core, notifications, accounts, payments, merchants, catalog, cart, orders.
"""

"""The card issuer: ledger accounts and transfers (holds, captures, voids, refunds), cards,
the chip protocol, PINs and QR payment requests.

May import: core, notifications, accounts.
"""

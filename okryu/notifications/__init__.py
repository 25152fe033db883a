"""The outbox of SMS messages, and the gateway that sends them.

May import: core.
"""

"""The shopper's order pages: my orders, one order with its timeline, cancelling."""

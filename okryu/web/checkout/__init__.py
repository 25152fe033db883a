"""The checkout page: from the basket to one placed order, exactly once, without JavaScript."""

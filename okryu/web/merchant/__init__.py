"""The merchant's back office pages: the order queue, products, stock."""

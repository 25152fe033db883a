"""The merchant's back office pages: the order queue, products, stock; and the logistics
office's stand-in page until the delivery app lands."""

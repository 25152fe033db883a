"""Pages: shop."""

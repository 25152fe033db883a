"""Pages: basket."""
